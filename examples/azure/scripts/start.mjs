// `npm start` (in examples/azure, or `npm run demo:azure` at the root): starts Azurite (in memory,
// 127.0.0.1, a free port), creates the `labeling` container with CORS for the app's origin, uploads
// sample images under images/, builds the page and serves it. Ctrl+C stops everything it started.
// `--check` instead drives two labelers in headless Chromium, exports COCO, verifies the export in
// the container and exits (used by the tests).
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { createServer as netServer } from 'node:net';
import { createRequire } from 'node:module';
import { readFileSync, mkdirSync, copyFileSync, writeFileSync } from 'node:fs';
import { dirname, join, extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { BlobServiceClient, ContainerSASPermissions, StorageSharedKeyCredential, generateBlobSASQueryParameters } from '@azure/storage-blob';
// One-colour PNGs, so the demo needs no image files.
import { solidPng } from '../../vanilla/scripts/png.mjs';

const check = process.argv.includes('--check');
const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');
// Azurite's public development account (documented by Microsoft; not a secret).
const ACCOUNT = 'devstoreaccount1';
const KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';
const CONTAINER = 'labeling';

const freePort = () =>
  new Promise((resolve, reject) => {
    const s = netServer().once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

async function startAzurite() {
  const require = createRequire(import.meta.url);
  const main = join(dirname(require.resolve('azurite/package.json')), 'dist/src/blob/main.js');
  const port = await freePort();
  const env = { ...process.env };
  delete env.AZURITE_DB;
  const child = spawn(
    process.execPath,
    [main, '--blobHost', '127.0.0.1', '--blobPort', String(port), '--inMemoryPersistence', '--skipApiVersionCheck', '--loose', '--silent', '--disableTelemetry'],
    { stdio: 'ignore', env },
  );
  const endpoint = `http://127.0.0.1:${port}/${ACCOUNT}`;
  const service = new BlobServiceClient(endpoint, new StorageSharedKeyCredential(ACCOUNT, KEY));
  for (let i = 0; ; i++) {
    try {
      await service.getProperties();
      break;
    } catch (err) {
      if (i > 100 || child.exitCode !== null) throw new Error(`Azurite did not start: ${err}`, { cause: err });
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return { child, endpoint, service };
}

const azurite = await startAzurite();
const stop = () => azurite.child.exitCode === null && azurite.child.kill('SIGTERM');
process.on('exit', stop);
process.on('SIGINT', () => process.exit(130));
process.on('SIGTERM', () => process.exit(143));

// CORS: the browser app talks to the storage account directly.
await azurite.service.setProperties({
  cors: [{ allowedOrigins: '*', allowedMethods: 'DELETE,GET,HEAD,MERGE,OPTIONS,PUT,POST', allowedHeaders: '*', exposedHeaders: '*', maxAgeInSeconds: 3600 }],
});
const container = azurite.service.getContainerClient(CONTAINER);
await container.createIfNotExists();
const colours = { red: [220, 30, 30], green: [30, 180, 60], blue: [30, 60, 220] };
const names = [];
for (let i = 0; i < 36; i++) {
  const [colour, rgb] = Object.entries(colours)[i % 3];
  const name = `images/${i < 18 ? 'day1' : 'day2'}/${colour}_${String(i).padStart(3, '0')}.png`;
  const bytes = solidPng(96, 64, rgb);
  await container.getBlockBlobClient(name).upload(bytes, bytes.length, { blobHTTPHeaders: { blobContentType: 'image/png' } });
  names.push(name);
}
await container.getBlockBlobClient('images/README.txt').upload('not an image', 12);
// A container SAS as a host's backend would hand one to its labelers (short-lived in real life).
const sas = generateBlobSASQueryParameters(
  { containerName: CONTAINER, permissions: ContainerSASPermissions.parse('racwdl'), expiresOn: new Date(Date.now() + 8 * 3600_000) },
  new StorageSharedKeyCredential(ACCOUNT, KEY),
).toString();

mkdirSync(dist, { recursive: true });
copyFileSync(join(root, 'src/index.html'), join(dist, 'index.html'));
await build({
  entryPoints: [join(root, 'src/main.ts')],
  outdir: dist,
  bundle: true,
  format: 'esm',
  target: 'es2022',
  platform: 'browser',
  splitting: true,
  conditions: ['source', 'browser'],
  // Codecs that carry a Node branch (never taken in a browser).
  external: ['fs', 'path', 'module', 'url', 'crypto', 'worker_threads', 'node:*'],
  tsconfig: join(root, '../../tsconfig.base.json'),
  sourcemap: true,
  logLevel: 'warning',
});
writeFileSync(join(dist, 'config.json'), JSON.stringify({ containerUrl: `${azurite.endpoint}/${CONTAINER}`, sas, project: 'Colours' }));

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.json': 'application/json', '.map': 'application/json' };
const server = createServer((req, res) => {
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  const file = join(dist, path === '/' ? 'index.html' : path.replace(/^\/+/, '').replace(/\.\.+/g, ''));
  try {
    const body = readFileSync(file);
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
    res.end(body);
  } catch {
    res.writeHead(404).end('not found');
  }
});
await new Promise((r) => server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', r));
const url = `http://127.0.0.1:${server.address().port}/`;

if (!check) {
  console.log(`Azurite blob endpoint: ${azurite.endpoint} (container "${CONTAINER}", ${names.length} images under images/)`);
  console.log(`Labelkit on Azure Blob: ${url}?user=ana   (owner; open ${url}?user=lee in another tab as a second labeler)`);
  console.log('Ctrl+C stops the server and Azurite.');
} else {
  const { chromium } = await import('playwright');
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
  let code = 1;
  try {
    const errors = [];
    const open = async (user) => {
      const page = await browser.newPage();
      page.on('pageerror', (e) => errors.push(`${user}: ${e}`));
      await page.goto(`${url}?user=${user}`);
      await page.waitForFunction(() => document.title.endsWith('ready'), undefined, { timeout: 90_000 });
      return page;
    };
    const ana = await open('ana');
    const lee = await open('lee');
    const [a, b] = await Promise.all([ana.evaluate(() => globalThis.demo.labelSome(6)), lee.evaluate(() => globalThis.demo.labelSome(6))]);
    await ana.evaluate(() => globalThis.demo.project.sync());
    const key = await ana.evaluate(() => globalThis.demo.exportNow());
    const unreadable = await ana.evaluate(() =>
      [...globalThis.demo.project.items({ states: ['unreadable'] })].slice(0, 3).map((v) => `${v.path}: ${v.unreadable?.code} ${v.unreadable?.reason}`),
    );
    const coco = JSON.parse((await container.getBlobClient(key).downloadToBuffer()).toString());
    await ana.evaluate(() => globalThis.demo.reload());
    await ana.waitForTimeout(1500);
    const screenshot = join(root, 'dist', 'check.png');
    await ana.screenshot({ path: screenshot, fullPage: true });
    const ok =
      errors.length === 0 &&
      unreadable.length === 0 &&
      a === 6 &&
      b === 6 &&
      /^Labeling\/export\/coco\/Colours_\d{8}_\d{6}\.json$/.test(key) &&
      coco.images.length === 12 &&
      coco.annotations.length === 12;
    console.log(JSON.stringify({ ok, labeled: [a, b], export: key, images: coco.images.length, annotations: coco.annotations.length, errors, unreadable, screenshot }));
    code = ok ? 0 : 1;
  } finally {
    await browser.close();
    server.close();
    stop();
  }
  process.exit(code);
}
