// Browser tests (*.browser.test.ts) in Debian's Chromium through Playwright, served from
// http://127.0.0.1 (a secure context, so WebGPU via SwiftShader and IndexedDB are real).
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { playwrightLauncher } from '@web/test-runner-playwright';
import { fileURLToPath } from 'node:url';

const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export default {
  rootDir: fileURLToPath(new URL('.', import.meta.url)),
  files: ['packages/*/src/**/*.browser.test.ts', 'test/browser/**/*.browser.test.ts'],
  hostname: '127.0.0.1',
  nodeResolve: { exportConditions: ['source', 'browser', 'import', 'default'] },
  concurrency: 1,
  concurrentBrowsers: 1,
  testsFinishTimeout: 15 * 60_000,
  testFramework: { config: { timeout: 120_000 } },
  browserStartTimeout: 120_000,
  plugins: [esbuildPlugin({ ts: true, target: 'es2022', tsconfig: fileURLToPath(new URL('./tsconfig.base.json', import.meta.url)) })],
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
        executablePath: chromium,
        args: [
          '--no-sandbox',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          '--no-first-run',
          '--disable-quic',
          '--enable-unsafe-webgpu',
          '--use-webgpu-adapter=swiftshader',
          '--enable-features=Vulkan',
        ],
      },
    }),
  ],
};
