// The consumer matrix (issue #11): the packages as a user gets them — `npm pack` tarballs installed
// into apps outside the repository — built by Vite, webpack 5, esbuild and Rollup, served by Vite's
// dev server, and a page with an import map and no bundler. Each app is served cross-origin isolated under the strict CSP and
// checked in Debian's Chromium: the three elements render a task, a TIFF and two DICOMs (one
// JPEG 2000, also through the .wasm named by configureJpeg2000) decode in the media worker, ML
// assist (attachAssist) featurizes and clusters on WASM with threads,
// and there is no 404, console error or CSP violation. Prints a table, then "N passed, M failed".
//
//   node test/consumers/run.mjs [--only vite,webpack] [--no-build] [--keep]
//
// --no-build packs what packages/*/dist holds; --keep leaves the temporary folder (printed).
// Installs use the shared npm cache (--prefer-offline); apps run one at a time (2-core machines).
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../chromium.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const HERE = fileURLToPath(new URL('./', import.meta.url));
const FIX = join(ROOT, 'test', 'fixtures');
const argv = process.argv.slice(2);
const flag = (name) => argv.includes(name);
const only = argv.includes('--only') ? argv[argv.indexOf('--only') + 1].split(',') : undefined;

/** Every app folder here that has a package.json (vite, webpack, esbuild, rollup, importmap, …). */
const APPS = readdirSync(HERE, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(HERE, d.name, 'package.json')))
  .map((d) => d.name)
  .filter((name) => !only || only.includes(name));

const strip = (s) => s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
/** Runs a command; resolves with its exit code, output and duration. */
function sh(cmd, args, { cwd = ROOT, env = {}, timeoutMs = 300_000, quiet = false } = {}) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    let out = '';
    const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], shell: false });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    for (const s of [child.stdout, child.stderr]) {
      s.on('data', (d) => {
        out += d;
        if (!quiet) process.stdout.write(d);
      });
    }
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, out: strip(out), ms: Date.now() - t0 });
    });
  });
}
const secs = (ms) => `${(ms / 1000).toFixed(0)}s`;

// ── 1. build and pack the three packages ──
const started = Date.now();
const work = mkdtempSync(join(tmpdir(), 'labelkit-consumers-'));
const tarballs = join(work, 'tarballs');
mkdirSync(tarballs);
console.log(`consumer matrix in ${work}: ${APPS.join(', ')}`);
// Every published package (packages/*: core, ml, components, react).
const dirs = readdirSync(join(ROOT, 'packages')).filter(
  (d) => existsSync(join(ROOT, 'packages', d, 'package.json')) && !JSON.parse(readFileSync(join(ROOT, 'packages', d, 'package.json'), 'utf8')).private,
);
const packages = dirs.flatMap((d) => ['-w', `packages/${d}`]);
/** Why no app can pass (the packages did not build or pack), if so: every app then fails with it. */
let broken;
if (!flag('--no-build')) {
  // Declarations (dist/types) of the packages only: the tarballs hold nothing else tsc writes.
  const tsc = await sh('npx', ['tsc', '-b', ...dirs.map((d) => `packages/${d}`)]);
  const b = tsc.code === 0 ? await sh('npm', ['run', 'build', ...packages]) : tsc;
  if (b.code !== 0)
    broken = `${tsc.code !== 0 ? 'tsc -b packages/*' : 'npm run build'} failed: ${b.out
      .split('\n')
      .filter((l) => /error/i.test(l))
      .slice(0, 3)
      .join(' | ')}`;
}
const pack = await sh('npm', ['pack', ...packages, '--pack-destination', tarballs, '--json'], { quiet: true });
if (pack.code !== 0) broken ??= `npm pack failed: ${pack.out.slice(-300)}`;
for (const f of readdirSync(tarballs)) renameSync(join(tarballs, f), join(tarballs, f.replace(/-\d+\.\d+\.\d+.*\.tgz$/, '.tgz')));
console.log(`packed: ${readdirSync(tarballs).join(', ')}`);

/** The files every app serves: PNG/JPEG items, the TIFF and DICOM fixtures, the ONNX model. */
function copyAssets(to) {
  mkdirSync(join(to, 'img'), { recursive: true });
  mkdirSync(join(to, 'fixtures'), { recursive: true });
  mkdirSync(join(to, 'models'), { recursive: true });
  for (const f of ['rgba.png', 'palette.png', 'interlaced.png', 'grey16.png', 'photo.jpg', 'grey.jpg']) cpSync(join(FIX, 'media', 'gen', f), join(to, 'img', f));
  cpSync(join(FIX, 'tiff', 'ladoga.tif'), join(to, 'fixtures', 'ladoga.tif'));
  cpSync(join(FIX, 'dicom', 'CT_small.dcm'), join(to, 'fixtures', 'CT_small.dcm'));
  cpSync(join(FIX, 'media', 'gen', 'grey8_j2k_lossless.dcm'), join(to, 'fixtures', 'grey8_j2k_lossless.dcm'));
  cpSync(join(FIX, 'models', 'mnist.onnx'), join(to, 'models', 'mnist.onnx'));
  // The OpenJPEG .wasm a host serves and names with configureJpeg2000 (core otherwise decodes JPEG 2000 in JS).
  cpSync(join(ROOT, 'node_modules', '@cornerstonejs', 'codec-openjpeg', 'dist', 'openjpegwasm_decode.wasm'), join(to, 'fixtures', 'openjpegwasm_decode.wasm'));
  writeFileSync(join(to, 'favicon.ico'), '');
}

/** Sets an app up in the temporary folder: its own files, the shared page and assets. */
function prepare(app) {
  const dir = join(work, app);
  cpSync(join(HERE, app), dir, { recursive: true });
  mkdirSync(join(dir, 'src'), { recursive: true });
  // webpack's default entry is ./src/index.js; React's main.tsx imports the page as consumer.js.
  const entry = { webpack: 'index.js', react: 'consumer.js' }[app] ?? 'main.js';
  cpSync(join(HERE, 'shared', 'main.js'), join(dir, 'src', entry));
  cpSync(join(HERE, 'shared', 'host-worker.js'), join(dir, 'src', 'host-worker.js'));
  copyAssets(app === 'importmap' ? dir : join(dir, 'public'));
  // The shared page, where each tool takes it: Vite's at the app's root, naming the module it bundles;
  // React's with only the element main.tsx renders into; the import map page at the root (its build
  // adds the map); the others' in public/, beside the bundle (main.js). An app's own page wins.
  if (!existsSync(join(dir, 'index.html')) && !existsSync(join(dir, 'public', 'index.html'))) {
    const page = readFileSync(join(HERE, 'shared', 'index.html'), 'utf8');
    const vite = app === 'vite' || app === 'vite-dev';
    const html = vite
      ? page.replace('src="./main.js"', 'src="/src/main.js"')
      : app === 'react'
        ? page.replace(/<body>[\s\S]*<\/body>/, '<body>\n    <div id="root"></div>\n  </body>')
        : page;
    writeFileSync(join(dir, vite || app === 'importmap' ? 'index.html' : join('public', 'index.html')), html);
  }
  // For apps whose own server sends the policy (the Vite dev server's config imports it).
  writeFileSync(join(dir, 'strict-csp.js'), `export const STRICT_CSP = ${JSON.stringify(STRICT_CSP)};\n`);
  return dir;
}

/** Starts an app's own dev server (`npm run dev -- --port N`) and resolves when it answers. */
async function devServer(dir) {
  const port = await new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
  const child = spawn('npm', ['run', 'dev', '--', '--host', '127.0.0.1', '--port', String(port), '--strictPort'], { cwd: dir, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const url = `http://127.0.0.1:${port}/`;
  for (let i = 0; i < 120; i++) {
    if (
      await fetch(url).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    if (child.exitCode !== null) throw new Error(`dev server exited: ${strip(out).slice(-400)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  // The process group: npm and the server it started.
  return { url, close: async () => void process.kill(-child.pid, 'SIGTERM') };
}

// ── 2. the Chromium check ──
const { chromium } = await import(join(ROOT, 'node_modules', 'playwright', 'index.mjs'));
const { serve, STRICT_CSP } = await import(join(ROOT, 'examples', 'vanilla', 'scripts', 'serve.mjs'));

async function check(browser, url, app) {
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
  await context.addInitScript(() => {
    const seen = (window.__csp = []);
    window.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.effectiveDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`), true);
  });
  const page = await context.newPage();
  const errors = [];
  const failedRequests = [];
  const workers = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e}`));
  page.on('console', (m) => m.type() === 'error' && errors.push(`console: ${m.text()}`));
  page.on('worker', (w) => {
    workers.push(w.url());
    w.on('console', (m) => m.type() === 'error' && errors.push(`worker console: ${m.text()}`));
  });
  page.on('response', (r) => r.status() >= 400 && failedRequests.push(`${r.status()} ${r.url()}`));
  const wasmFetched = [];
  context.on('response', (r) => r.url().endsWith('/openjpegwasm_decode.wasm') && wasmFetched.push(`${r.status()} ${r.url()}`));
  page.on('requestfailed', (r) => failedRequests.push(`failed ${r.url()} ${r.failure()?.errorText ?? ''}`));
  const fails = [];
  let consumer;
  try {
    await page.goto(url);
    await page.waitForFunction(() => document.body.dataset.done, undefined, { timeout: 150_000 });
    consumer = await page.evaluate(() => window.__consumer);
    // The elements: a task in the queue with its images shown, the dashboard's chart, the canvas.
    await page
      .waitForFunction(
        () => {
          const q = document.querySelector('label-queue');
          const imgs = [...(q?.shadowRoot?.querySelectorAll('[part~="tile"] img') ?? [])];
          return !!q?.currentTask && imgs.length > 0 && imgs.every((i) => i.complete && i.naturalWidth > 0);
        },
        undefined,
        { timeout: 30_000 },
      )
      .catch(() => fails.push('label-queue did not show a task with its images'));
    const ui = await page.evaluate(() => ({
      dashboard: (document.querySelector('label-dashboard')?.shadowRoot?.textContent ?? '').replace(/\s+/g, ' ').trim().slice(0, 80),
      canvas: !!document.querySelector('label-canvas')?.shadowRoot?.querySelector('canvas'),
    }));
    if (!ui.dashboard) fails.push('label-dashboard rendered nothing');
    if (!ui.canvas) fails.push('label-canvas drew no canvas');
    const m = consumer.media;
    if (!m) fails.push('media: did not finish');
    else {
      if (m.tiff.join('x') !== '158x118') fails.push(`TIFF decoded as ${m.tiff.join('x')}`);
      if (m.dicom.join('x') !== '128x128') fails.push(`DICOM decoded as ${m.dicom.join('x')}`);
      if (m.j2k[0] < 1) fails.push('JPEG 2000 DICOM did not decode');
      if (m.j2kWasm !== 'same pixels') fails.push(`JPEG 2000 with configureJpeg2000's .wasm: ${m.j2kWasm}`);
      if (!wasmFetched.some((r) => r.startsWith('200 '))) fails.push(`the media worker did not fetch the configured .wasm (${wasmFetched.join(', ') || 'no request'})`);
      if (m.worker.broken || m.worker.spawned < 1) fails.push(`media worker: ${JSON.stringify(m.worker)}`);
      // The app's own worker with `import '@labelkit/core/media/worker'` (not in the import-map page).
      if (app !== 'importmap' && m.hostWorker?.join('x') !== '158x118') fails.push(`host worker decoded ${m.hostWorker?.join('x')}`);
    }
    const ml = consumer.ml;
    if (!ml) fails.push('ML assist: did not finish');
    else {
      if (!ml.info.crossOriginIsolated) fails.push('ML worker not cross-origin isolated');
      if (!(ml.info.threads > 1)) fails.push(`ML threads: ${ml.info.threads}`);
      if (ml.report.featurized !== 6) fails.push(`featurized ${ml.report.featurized} of 6`);
      for (const kind of ['featurization', 'clustering']) if (!ml.runs.some((r) => r.kind === kind && r.status === 'completed')) fails.push(`no completed ${kind} run`);
      if (ml.activity !== 'idle') fails.push(`attachAssist activity ${ml.activity} after its step, not idle`);
    }
    for (const e of consumer.errors) fails.push(e);
  } catch (err) {
    fails.push(`check: ${String(err).split('\n')[0]}`);
    consumer ??= await page.evaluate(() => window.__consumer).catch(() => undefined);
    for (const e of consumer?.errors ?? []) fails.push(e);
  }
  const csp = await page.evaluate(() => window.__csp).catch(() => ['(page gone)']);
  for (const v of csp) fails.push(`CSP violation: ${v}`);
  for (const r of failedRequests) fails.push(`request: ${r}`);
  for (const e of errors) fails.push(e);
  // onnxruntime-web's WASM threads: workers started from its Emscripten glue (an .mjs; webpack names
  // it by hash only).
  const pthreads = workers.filter((u) => /\.mjs(\?|$)/.test(u)).length;
  if (consumer?.ml && pthreads < 1) fails.push('ML: no WASM thread worker was started from the onnxruntime-web glue');
  await context.close();
  return { fails, consumer, csp: csp.length, notFound: failedRequests.length, errors: errors.length, workers, pthreads };
}

// ── 3. each app: install, build, serve, check ──
const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
const rows = [];
for (const app of APPS) {
  console.log(`\n── ${app} ──`);
  const row = { app, install: '', build: '', result: 'FAIL', media: '', ml: '', csp: '', notes: [] };
  rows.push(row);
  try {
    if (broken) throw new Error(broken);
    const dir = prepare(app);
    const inst = await sh('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir });
    row.install = secs(inst.ms);
    if (inst.code !== 0) throw new Error(`npm install failed: ${inst.out.split('\n').slice(-5).join(' ')}`);
    const config = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).labelkitConsumer ?? {};
    if (!config.devServer) {
      const build = await sh('npm', ['run', 'build', '--silent'], { cwd: dir, timeoutMs: 600_000 });
      row.build = secs(build.ms);
      if (build.code !== 0)
        throw new Error(
          `build failed: ${
            build.out
              .split('\n')
              .filter((l) => /error|Error/.test(l))
              .slice(0, 4)
              .join(' | ') || build.out.slice(-400)
          }`,
        );
    } else row.build = 'dev server';
    // The import-map page is served as it is (with node_modules); the others serve their output.
    const served = join(dir, config.serve ?? 'dist');
    let csp = STRICT_CSP;
    if (config.importMapHash) {
      // An inline import map is a script: a strict policy admits it by its hash (docs/bundlers.md).
      const html = readFileSync(join(served, 'index.html'), 'utf8');
      const map = /<script type="importmap">([\s\S]*?)<\/script>/.exec(html)[1];
      csp = STRICT_CSP.replace("script-src 'self'", `script-src 'self' 'sha256-${createHash('sha256').update(map).digest('base64')}'`);
    }
    const server = config.devServer ? await devServer(dir) : await serve({ port: 0, dir: served, csp });
    try {
      const r = await check(browser, server.url, app);
      const m = r.consumer?.media;
      const ml = r.consumer?.ml;
      row.media = m ? `worker ${m.worker.broken ? 'BROKEN' : 'ok'} (${m.worker.spawned})${m.hostWorker ? ', host worker ok' : ''}` : '–';
      row.ml = ml ? `${ml.info.device}, ${ml.info.threads} threads (${r.pthreads} thread worker), isolated ${ml.info.crossOriginIsolated}` : '–';
      row.csp = String(r.csp);
      row.notes = r.fails;
      row.result = r.fails.length ? 'FAIL' : 'pass';
    } finally {
      await server.close();
    }
  } catch (err) {
    row.notes.push(String(err.message ?? err));
  }
  console.log(`${app}: ${row.result}${row.notes.length ? `\n  - ${row.notes.join('\n  - ')}` : ''}`);
}
await browser.close();

console.log('\n| app | install | build | result | media worker | ML assist | CSP violations |');
console.log('|---|---|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.app} | ${r.install} | ${r.build} | ${r.result} | ${r.media} | ${r.ml} | ${r.csp} |`);
for (const r of rows.filter((r) => r.notes.length)) console.log(`\n${r.app}:\n  - ${r.notes.slice(0, 12).join('\n  - ')}`);
if (!flag('--keep')) rmSync(work, { recursive: true, force: true });
else console.log(`\nkept ${work}`);
const passed = rows.filter((r) => r.result === 'pass').length;
console.log(`\nconsumer matrix: ${secs(Date.now() - started)}`);
console.log(`${passed} passed, ${rows.length - passed} failed`);
process.exit(rows.length - passed ? 1 : 0);
