// Browser tests (*.browser.test.ts) in Debian's Chromium through Playwright, served from
// http://127.0.0.1 (a secure context, so WebGPU via SwiftShader and IndexedDB are real).
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { build } from 'esbuild';
import { playwrightLauncher } from '@web/test-runner-playwright';
import { fileURLToPath } from 'node:url';
import { CHROMIUM_ARGS, CHROMIUM_PATH, WEBGPU_ARGS } from './test/chromium.mjs';

const rootDir = fileURLToPath(new URL('.', import.meta.url));

// The media layer's decoders ship as CommonJS/UMD (dicom-parser, utif2 + pako, jpeg-js, OpenJPEG). Browsers
// load ES modules only, so the test server pre-bundles each into one ES module with esbuild, as
// Vite does for its dependencies. dicom-parser's UMD wrapper requires Node's zlib, which the media
// layer never uses (it inflates with fflate): an empty stand-in.
const CJS_PACKAGES = /\/node_modules\/(dicom-parser|utif2|jpeg-js|@cornerstonejs\/codec-openjpeg)\/[^?]*\.js$/;
function prebundleCommonJs() {
  const cache = new Map();
  const stubNodeBuiltins = {
    name: 'stub-node-builtins',
    setup(b) {
      b.onResolve({ filter: /^(zlib|fs|path)$/ }, (args) => ({ path: args.path, namespace: 'stub' }));
      b.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({ contents: 'module.exports = {};', loader: 'js' }));
    },
  };
  return {
    name: 'prebundle-commonjs',
    async serve(context) {
      if (!CJS_PACKAGES.test(context.path)) return undefined;
      const file = rootDir + context.path.replace(/^\//, '');
      if (!cache.has(file)) {
        const out = await build({ entryPoints: [file], bundle: true, format: 'esm', platform: 'browser', write: false, logLevel: 'silent', plugins: [stubNodeBuiltins] });
        cache.set(file, out.outputFiles[0].text);
      }
      return { body: cache.get(file), type: 'js' };
    },
  };
}

export default {
  rootDir,
  files: ['packages/*/src/**/*.browser.test.ts', 'test/browser/**/*.browser.test.ts'],
  hostname: '127.0.0.1',
  nodeResolve: { exportConditions: ['source', 'browser', 'import', 'default'] },
  concurrency: 1,
  concurrentBrowsers: 1,
  testsFinishTimeout: 15 * 60_000,
  testFramework: { config: { timeout: 120_000 } },
  browserStartTimeout: 120_000,
  plugins: [prebundleCommonJs(), esbuildPlugin({ ts: true, target: 'es2022', tsconfig: fileURLToPath(new URL('./tsconfig.base.json', import.meta.url)) })],
  middleware: [
    // Cross-origin isolation, so onnxruntime-web may use WASM threads (SharedArrayBuffer).
    function isolate(ctx, next) {
      ctx.set('Cross-Origin-Opener-Policy', 'same-origin');
      ctx.set('Cross-Origin-Embedder-Policy', 'require-corp');
      ctx.set('Cross-Origin-Resource-Policy', 'same-origin');
      return next();
    },
  ],
  browsers: [
    playwrightLauncher({
      product: 'chromium',
      launchOptions: {
        executablePath: CHROMIUM_PATH,
        args: [...CHROMIUM_ARGS, ...WEBGPU_ARGS],
      },
    }),
  ],
};
