// @labelkit/core/node — Node-only adapters (file system). Never imported by the browser entry.
export { FsStore } from './store/fs-store.js';
export { FsSource } from './sources/fs-source.js';
export { writeExportFile, writeExportFiles, type WriteFileOptions } from './export/node.js';
