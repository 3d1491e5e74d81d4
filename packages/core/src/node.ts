// @labelkit/core/node — Node-only adapters (file system). Never imported by the browser entry.
import { crc32 as zlibCrc32 } from 'node:zlib';
import { useNativeCrc32 } from './util/crc32.js';

// Snapshots and tails are checked with CRC-32 on every open: Node has a native one (20.15+).
if (typeof zlibCrc32 === 'function') useNativeCrc32((b) => zlibCrc32(b));

export { FsStore } from './store/fs-store.js';
export { FsSource } from './sources/fs-source.js';
export { writeExportFile, writeExportFiles, type WriteFileOptions } from './export/node.js';
