// @labelkit/core's build: the shared package config, plus what makes the media layer work in every
// bundler (docs/bundlers.md):
// - the CommonJS decoders (dicom-parser, utif2 + pako, jpeg-js, the OpenJPEG Emscripten builds) are
//   turned into ES modules here, with Node built-ins (fs, path, zlib, …) stubbed, so a host bundler
//   never meets CommonJS or a Node built-in from core (webpack 5's default config, Rollup without
//   the commonjs plugin, an import-map page);
// - the media worker is one self-contained file, dist/labelkit/media-worker.js (no imports), and
//   dist/media.js starts it with `new Worker(new URL('./labelkit/media-worker.js', import.meta.url))`.
import { packageConfig } from '../../scripts/rollup-package.mjs';
import { cleanDist, selfContainedWorker, vendorCommonJs, workerUrl } from '../../scripts/rollup-workers.mjs';

const dir = new URL('.', import.meta.url).pathname;
const config = packageConfig(dir);
// The worker is not an entry of the module graph: it is built on its own (below).
delete config.input['media/worker'];
const vendored = ['dicom-parser', 'utif2', 'jpeg-js', '@cornerstonejs/codec-openjpeg/decode', '@cornerstonejs/codec-openjpeg/decodewasmjs'];
const external = config.external;
config.external = (id, ...rest) => !vendored.includes(id) && external(id, ...rest);
config.plugins.unshift(vendorCommonJs(vendored));
config.plugins.push(
  cleanDist(`${dir}dist`),
  workerUrl({ from: './worker.ts', module: 'src/media/client.ts', to: 'labelkit/media-worker.js' }),
  selfContainedWorker({ entry: `${dir}src/media/worker.ts`, outfile: `${dir}dist/labelkit/media-worker.js` }),
);
export default config;
