// Shared by the browser benchmarks: a static server on 127.0.0.1 (a secure context) and Debian's
// Chromium launched by Playwright with the flags this machine needs.
import { createServer, type Server } from 'node:http';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build, type Plugin } from 'esbuild';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright';
import { CHROMIUM_ARGS, CHROMIUM_PATH, WEBGPU_ARGS } from '../../test/chromium.mjs';

const TYPES: [string, string][] = [
  ['.js', 'text/javascript'],
  ['.mjs', 'text/javascript'],
  ['.css', 'text/css'],
  ['.html', 'text/html'],
  ['.wasm', 'application/wasm'],
];

/**
 * Serves files: each route maps a URL prefix to a folder (ending in '/'); '/' serves index.html of the
 * first matching route. Cross-origin isolated, so performance.now() has its fine resolution and WASM
 * may use threads.
 */
export async function serveStatic(routes: readonly [prefix: string, dir: string][]): Promise<{ base: string; server: Server }> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const route = routes.find(([p]) => path.startsWith(p));
    if (!route) {
      res.statusCode = 404;
      res.end();
      return;
    }
    const [prefix, dir] = route;
    const file = dir + (path === '/' ? 'index.html' : path.slice(prefix.length));
    try {
      const body = readFileSync(file);
      res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
      res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
      res.setHeader('content-type', TYPES.find(([ext]) => file.endsWith(ext))?.[1] ?? 'application/octet-stream');
      res.end(body);
    } catch {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, server };
}

/** Debian's Chromium (never a downloaded one), optionally with WebGPU on SwiftShader. */
export function launchChromium(options: { webgpu?: boolean } = {}): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [...CHROMIUM_ARGS, ...(options.webgpu ? WEBGPU_ARGS : [])],
  });
}

/**
 * Bundles a benchmark page (`entry`, from the sources: the 'source' condition) into `outdir` as
 * `<name>.js`, with `<name>.html` that loads it. `alias` and `plugins` swap modules for another tree's.
 */
export async function bundlePage(options: { root: string; entry: string; outdir: string; name: string; alias?: Record<string, string>; plugins?: Plugin[] }): Promise<void> {
  const { root, outdir, name } = options;
  await build({
    entryPoints: { [name]: join(root, options.entry) },
    bundle: true,
    format: 'esm',
    outdir,
    conditions: ['source'],
    tsconfig: join(root, 'tsconfig.base.json'),
    ...(options.alias ? { alias: options.alias } : {}),
    minify: true,
    external: ['fs', 'path', 'module', 'url', 'crypto', 'worker_threads'],
    logLevel: 'error',
    plugins: options.plugins ?? [],
  });
  writeFileSync(join(outdir, `${name}.html`), `<!doctype html><meta charset="utf-8"><body><script type="module" src="${name}.js"></script></body>`);
}
