// Serves the built demo (dist/, or the folder given with --dist) on 127.0.0.1. PORT=0 picks a free
// port. Prints the URL. --strict-csp (or LABELKIT_CSP=strict) sends STRICT_CSP with every file.
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const defaultDist = fileURLToPath(new URL('../dist/', import.meta.url));
/** The strict Content-Security-Policy the elements are tested under (docs/components.md, "Strict CSP"). */
export const STRICT_CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; worker-src 'self'";
/** esbuild's output names with a content hash (chunk-XXXXXXXX.js, markdown-XXXXXXXX.js). */
const HASHED = /-[A-Z0-9]{8}\.(?:js|css|wasm)$/;
const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.json': 'application/json',
  '.png': 'image/png',
  '.map': 'application/json',
  '.css': 'text/css',
  '.wasm': 'application/wasm',
};

/** Starts the server; resolves with its URL and a close function. */
export async function serve({
  port = Number(process.env.PORT ?? 5173),
  host = '127.0.0.1',
  dir = defaultDist,
  csp = process.env.LABELKIT_CSP === 'strict' ? STRICT_CSP : undefined,
} = {}) {
  const dist = resolve(dir) + sep;
  try {
    await stat(join(dist, 'index.html'));
  } catch {
    throw new Error(`The demo is not built (no ${dist}index.html). Run: npm run build (or npm run -w examples/<name> build)`);
  }
  const server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    const file = join(dist, path.endsWith('/') ? `${path}index.html` : path);
    if (!file.startsWith(dist)) return void res.writeHead(403).end();
    try {
      const st = await stat(file);
      // Served as a production host would: chunks whose names carry a content hash never change, so
      // the browser keeps them (and V8 its compiled code); everything else is revalidated by ETag.
      const etag = `"${st.size.toString(36)}-${Math.floor(st.mtimeMs).toString(36)}"`;
      const common = {
        'cache-control': HASHED.test(file) ? 'public, max-age=31536000, immutable' : 'no-cache',
        etag,
        // Cross-origin isolation, so ML assist may use WASM threads.
        'cross-origin-opener-policy': 'same-origin',
        'cross-origin-embedder-policy': 'require-corp',
        ...(csp ? { 'content-security-policy': csp } : {}),
      };
      if (req.headers['if-none-match'] === etag) return void res.writeHead(304, common).end();
      const body = await readFile(file);
      res.writeHead(200, {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        ...common,
      });
      res.end(body);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    }
  });
  await new Promise((resolve, reject) => server.once('error', reject).listen(port, host, resolve));
  const url = `http://${host}:${server.address().port}/`;
  return { url, close: () => new Promise((r) => server.close(r)) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf('--dist');
  const strict = process.argv.includes('--strict-csp');
  const { url } = await serve({ ...(at > 0 ? { dir: resolve(process.argv[at + 1]) } : {}), ...(strict ? { csp: STRICT_CSP } : {}) });
  console.log(`Labelkit demo: ${url}${strict ? ' (strict CSP)' : ''}`);
}
