// `npm run bench -- media [--quick]`: decode time and megapixels per second per format in headless
// Debian Chromium, Labelkit's path against the peers measured in the same run and the same page:
// - JPEG/PNG/BMP: decodeImage (ImageBitmap) vs a bare createImageBitmap, and both read back as RGBA;
// - TIFF: utif2 vs geotiff side by side (their own calls, main thread), and Labelkit's decodeImage
//   (which uses utif2 in its worker); plus a robustness run of both libraries on every TIFF in a
//   Node child process (hang = no answer in 20 s, crash = the process died);
// - DICOM: decodeImage through the worker vs on the main thread;
// - window/level: one re-render of a 16-bit image (what a drag frame costs).
// Inputs: the real TIFF/DICOM files in test/fixtures, the generated ones, and 2048 × 1536 images
// made here with ImageMagick and dcmtk when they are installed (skipped otherwise).
import { build, type Plugin } from 'esbuild';
import { launchChromium, serveStatic } from './lib/browser.js';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { cpus, loadavg } from 'node:os';
import { probeImage } from '../packages/core/src/media/index.js';
import { fixture } from '../test/fixtures/paths.mjs';

const quick = process.argv.includes('--quick');
const REPS = quick ? 3 : 7;
const root = fileURLToPath(new URL('..', import.meta.url));
const out = join(root, '.bench-out', 'media');
const filesDir = join(out, 'f');
mkdirSync(filesDir, { recursive: true });

// ---- inputs ---------------------------------------------------------------------------------------
const inputs: { name: string; kind: string }[] = [];
const addFile = (src: string, name: string, kind: string) => {
  copyFileSync(src, join(filesDir, name));
  inputs.push({ name, kind });
};
for (const f of readdirSync(fixture('tiff')).filter((x) => /\.tiff?$/.test(x))) addFile(fixture('tiff', f), f, 'tiff');
for (const f of readdirSync(fixture('dicom')).filter((x) => x.endsWith('.dcm'))) addFile(fixture('dicom', f), f, 'dicom');
for (const f of [
  'rgb8-packbits.tif',
  'grey16-tiled-lzw-pred.tif',
  'rgb16-deflate.tif',
  'ct_jpeg_lossless_sv1.dcm',
  'ct_rle.dcm',
  'grey8_j2k_lossless.dcm',
  'photo.jpg',
  'rgba.png',
  'rgb24.bmp',
]) {
  addFile(fixture('media', 'gen', f), f, f.endsWith('.dcm') ? 'dicom' : f.endsWith('.tif') ? 'tiff' : 'raster');
}

const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
function sh(cmd: string, args: string[]) {
  execFileSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
}
/** A minimal explicit-LE Part 10 file with 16-bit grey pixels (12 bits stored) and a window. */
function dicom16(w: number, h: number, pixels: Uint16Array): Uint8Array {
  const parts: number[] = [];
  const str = (s: string) => {
    const b = [...new TextEncoder().encode(s)];
    if (b.length % 2) b.push(s.startsWith('1.') ? 0 : 32);
    return b;
  };
  const el = (g: number, e: number, vr: string, value: number[], long = false) => {
    parts.push(g & 255, g >> 8, e & 255, e >> 8, vr.charCodeAt(0), vr.charCodeAt(1));
    if (long) parts.push(0, 0, value.length & 255, (value.length >> 8) & 255, (value.length >> 16) & 255, value.length >>> 24);
    else parts.push(value.length & 255, value.length >> 8);
    for (const v of value) parts.push(v);
  };
  const us = (v: number) => [v & 255, v >> 8];
  const meta: number[] = [];
  const save = parts.length;
  el(0x0002, 0x0001, 'OB', [0, 1], true);
  el(0x0002, 0x0002, 'UI', str('1.2.840.10008.5.1.4.1.1.7'));
  el(0x0002, 0x0003, 'UI', str('1.2.826.0.1.3680043.2.1125.1'));
  el(0x0002, 0x0010, 'UI', str('1.2.840.10008.1.2.1'));
  meta.push(...parts.splice(save));
  el(0x0002, 0x0000, 'UL', [meta.length & 255, (meta.length >> 8) & 255, 0, 0]);
  parts.push(...meta);
  el(0x0008, 0x0016, 'UI', str('1.2.840.10008.5.1.4.1.1.7'));
  el(0x0028, 0x0002, 'US', us(1));
  el(0x0028, 0x0004, 'CS', str('MONOCHROME2'));
  el(0x0028, 0x0010, 'US', us(h));
  el(0x0028, 0x0011, 'US', us(w));
  el(0x0028, 0x0100, 'US', us(16));
  el(0x0028, 0x0101, 'US', us(12));
  el(0x0028, 0x0102, 'US', us(11));
  el(0x0028, 0x0103, 'US', us(0));
  el(0x0028, 0x1050, 'DS', str('2048'));
  el(0x0028, 0x1051, 'DS', str('4096'));
  const head = new Uint8Array([
    ...new Array(128).fill(0),
    68,
    73,
    67,
    77,
    ...parts,
    0xe0,
    0x7f,
    0x10,
    0x00,
    79,
    87,
    0,
    0,
    ...[0, 1, 2, 3].map((k) => (pixels.byteLength >>> (8 * k)) & 255),
  ]);
  const outBytes = new Uint8Array(head.length + pixels.byteLength);
  outBytes.set(head);
  outBytes.set(new Uint8Array(pixels.buffer, pixels.byteOffset, pixels.byteLength), head.length);
  return outBytes;
}
if (has('convert')) {
  const W = 2048,
    H = 1536;
  const base = join(out, 'big.ppm');
  if (!existsSync(base)) sh('convert', ['-seed', '7', '-size', `${W}x${H}`, 'plasma:fractal', '-blur', '0x1', '-depth', '8', base]);
  const make = (name: string, kind: string, args: string[]) => {
    const p = join(filesDir, name);
    if (!existsSync(p)) sh('convert', [base, ...args, p]);
    inputs.push({ name, kind });
  };
  make('big.jpg', 'raster', ['-quality', '90']);
  make('big.png', 'raster', []);
  make('big.bmp', 'raster', ['-type', 'TrueColor']);
  make('big-lzw.tif', 'tiff', ['-compress', 'LZW']);
  make('big-lzw-tiled.tif', 'tiff', ['-compress', 'LZW', '-define', 'tiff:tile-geometry=256x256']);
  make('big-packbits.tif', 'tiff', ['-compress', 'RLE']);
  make('big-grey16-deflate.tif', 'tiff', ['-colorspace', 'Gray', '-depth', '16', '-compress', 'Zip']);
  // 16-bit DICOM from the grey picture, then RLE and JPEG lossless copies with dcmtk.
  const grey = execFileSync('convert', [base, '-colorspace', 'Gray', '-depth', '16', '-endian', 'LSB', 'gray:-'], { maxBuffer: 1 << 26 });
  const px = new Uint16Array(W * H);
  for (let i = 0; i < px.length; i++) px[i] = (grey[i * 2] | (grey[i * 2 + 1] << 8)) >> 4;
  writeFileSync(join(filesDir, 'big16.dcm'), dicom16(W, H, px));
  inputs.push({ name: 'big16.dcm', kind: 'dicom' });
  if (has('dcmcrle')) {
    if (!existsSync(join(filesDir, 'big16-rle.dcm'))) sh('dcmcrle', [join(filesDir, 'big16.dcm'), join(filesDir, 'big16-rle.dcm')]);
    inputs.push({ name: 'big16-rle.dcm', kind: 'dicom' });
  }
  if (has('dcmcjpeg')) {
    if (!existsSync(join(filesDir, 'big16-jpegll.dcm'))) sh('dcmcjpeg', ['+e1', join(filesDir, 'big16.dcm'), join(filesDir, 'big16-jpegll.dcm')]);
    inputs.push({ name: 'big16-jpegll.dcm', kind: 'dicom' });
  }
  if (has('img2dcm')) {
    if (!existsSync(join(filesDir, 'big-jpeg.dcm'))) sh('img2dcm', [join(filesDir, 'big.jpg'), join(filesDir, 'big-jpeg.dcm')]);
    inputs.push({ name: 'big-jpeg.dcm', kind: 'dicom' });
  }
} else {
  console.log('(ImageMagick not installed: the 2048 × 1536 inputs are skipped)');
}

// ---- robustness of the two TIFF libraries, each file in its own Node process -----------------------
const tiffs = inputs.filter((i) => i.kind === 'tiff');
const robustness: Record<string, { utif2: string; geotiff: string }> = {};
const probeScript = (lib: string, path: string) =>
  lib === 'utif2'
    ? `const U=require('utif2');const b=require('fs').readFileSync(${JSON.stringify(path)});const a=b.buffer.slice(b.byteOffset,b.byteOffset+b.length);console.log=()=>{};const d=U.decode(a);U.decodeImage(a,d[0],d);U.toRGBA8(d[0]);process.stdout.write('ok')`
    : `import('geotiff').then(async g=>{const b=require('fs').readFileSync(${JSON.stringify(path)});const t=await g.fromArrayBuffer(b.buffer.slice(b.byteOffset,b.byteOffset+b.length));const i=await t.getImage(0);await i.readRasters({interleave:true});process.stdout.write('ok')}).catch(e=>{process.stdout.write('error: '+String(e.message).slice(0,60));})`;
for (const t of tiffs) {
  robustness[t.name] = { utif2: '', geotiff: '' };
  for (const lib of ['utif2', 'geotiff'] as const) {
    const r = spawnSync(process.execPath, ['-e', probeScript(lib, join(filesDir, t.name))], { cwd: root, timeout: 20_000, encoding: 'utf8' });
    const thrown = (r.stderr.match(/^(\w*Error: .*)$/m) ?? [])[1];
    robustness[t.name][lib] =
      r.error && (r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT'
        ? 'HANGS (killed after 20 s)'
        : r.status === 1 && thrown
          ? `throws ${thrown.slice(0, 70)}`
          : r.status !== 0
            ? `CRASHES the process (${r.signal ?? 'exit ' + r.status}${/Fatal/.test(r.stderr) ? ', V8 fatal error' : ''})`
            : r.stdout || 'no output';
  }
}

// ---- bundle sizes (minified + gzip -9), for the record ------------------------------------------------
const { gzipSync } = await import('node:zlib');
async function gz(entry: string, external: string[] = []): Promise<number> {
  const r = await build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    conditions: ['source'],
    minify: true,
    write: false,
    logLevel: 'error',
    external,
    splitting: false,
    plugins: [
      {
        name: 'stub',
        setup(b) {
          b.onResolve({ filter: /^(zlib|fs|path)$/ }, (a) => ({ path: a.path, namespace: 'stub' }));
          b.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({ contents: 'module.exports = {};', loader: 'js' }));
        },
      },
    ],
  });
  return (
    gzipSync(
      r.outputFiles.map((f) => f.contents).reduce((a, b) => Buffer.concat([a, Buffer.from(b)]), Buffer.alloc(0)),
      { level: 9 },
    ).length / 1024
  );
}
const sizes = {
  // Lazily imported codecs (utif2, jpeg-js, jpeg-lossless, OpenJPEG) are separate chunks: left out.
  'media entry (probe, decodeImage client, window/level, dicom-parser, fflate)': await gz(join(root, 'packages/core/src/media/index.ts'), [
    'utif2',
    'jpeg-js',
    'jpeg-lossless-decoder-js',
    '@cornerstonejs/codec-openjpeg/decode',
    '@cornerstonejs/codec-openjpeg/decodewasmjs',
  ]),
  'media worker (all codecs but JPEG 2000)': await gz(join(root, 'packages/core/src/media/worker.ts'), [
    '@cornerstonejs/codec-openjpeg/decode',
    '@cornerstonejs/codec-openjpeg/decodewasmjs',
  ]),
  'JPEG 2000 codec, pure-JS build (loaded on the first J2K frame)': await gz(join(root, 'node_modules/@cornerstonejs/codec-openjpeg/dist/openjpegjs_decode.js')),
  'utif2 (+ pako)': await gz(join(root, 'node_modules/utif2/UTIF.js')),
  geotiff: await gz(join(root, 'node_modules/geotiff/dist-module/geotiff.js')),
};

// ---- the page -------------------------------------------------------------------------------------
const stub: Plugin = {
  name: 'stub-node-builtins',
  setup(b) {
    b.onResolve({ filter: /^(zlib|fs|path)$/ }, (args: { path: string }) => ({ path: args.path, namespace: 'stub' }));
    b.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({ contents: 'module.exports = {};', loader: 'js' }));
  },
};
const common = {
  bundle: true,
  format: 'esm' as const,
  platform: 'browser' as const,
  conditions: ['source'],
  tsconfig: join(root, 'tsconfig.base.json'),
  minify: true,
  logLevel: 'error' as const,
  plugins: [stub],
};
await build({
  ...common,
  entryPoints: { page: join(root, 'bench/media/page.ts'), worker: join(root, 'packages/core/src/media/worker.ts') },
  outdir: out,
  splitting: true,
  metafile: false,
});
writeFileSync(join(out, 'index.html'), '<!doctype html><html><body><script type="module" src="page.js"></script></body></html>');
// Cross-origin isolated, so performance.now() has its fine resolution.
const { base, server } = await serveStatic([['/', out + '/']]);
const browser = await launchChromium();
const page = await browser.newPage();
page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
await page.goto(base);
await page.waitForFunction(() => document.title === 'ready');

type Timing = { ms: number; w: number; h: number; sample?: number[] };
const call = (fn: string, ...args: unknown[]) => page.evaluate(([f, a]) => (window as any).bench[f as string](...(a as unknown[])), [fn, args] as const) as Promise<Timing>;
const mp = (t: Timing, frames = 1) => (t.w * t.h * frames) / 1e6;
const fmt = (ms: number) => (ms < 10 ? ms.toFixed(2) : ms < 100 ? ms.toFixed(1) : ms.toFixed(0));
const rate = (t: Timing) => (mp(t) / (t.ms / 1000)).toFixed(1);
const rows: string[] = [];
const results: Record<string, unknown> = { machine: { cpus: cpus().length, load: loadavg().map((x) => x.toFixed(2)) }, reps: REPS };

// JPEG / PNG / BMP
rows.push('\n### JPEG / PNG / BMP: decodeImage vs a bare createImageBitmap (median ms, MP/s)\n');
rows.push('| file | size | decodeImage → bitmap | bare createImageBitmap | ratio | decodeImage → RGBA | bare bitmap + getImageData | ratio |');
rows.push('|---|---|---|---|---|---|---|---|');
const raster: unknown[] = [];
for (const i of inputs.filter((x) => x.kind === 'raster')) {
  // Alternate the two sides and keep each side's better round, so drift on a shared machine hits both.
  const best = (a: Timing, b: Timing) => (a.ms <= b.ms ? a : b);
  let ours = await call('ours', i.name, REPS);
  let bare = await call('bare', i.name, REPS, false);
  ours = best(ours, await call('ours', i.name, REPS));
  bare = best(bare, await call('bare', i.name, REPS, false));
  let oursRgba = await call('ours', i.name, REPS, { output: 'rgba' });
  let bareRgba = await call('bare', i.name, REPS, true);
  oursRgba = best(oursRgba, await call('ours', i.name, REPS, { output: 'rgba' }));
  bareRgba = best(bareRgba, await call('bare', i.name, REPS, true));
  raster.push({ file: i.name, ours, bare, oursRgba, bareRgba });
  rows.push(
    `| ${i.name} | ${ours.w}×${ours.h} | ${fmt(ours.ms)} ms (${rate(ours)}) | ${fmt(bare.ms)} ms (${rate(bare)}) | ${(ours.ms / bare.ms).toFixed(2)}× | ${fmt(oursRgba.ms)} ms (${rate(oursRgba)}) | ${fmt(bareRgba.ms)} ms (${rate(bareRgba)}) | ${(oursRgba.ms / bareRgba.ms).toFixed(2)}× |`,
  );
}
results.raster = raster;

// TIFF
rows.push('\n### TIFF: utif2 vs geotiff (their own calls, main thread), and Labelkit (utif2 in its worker)\n');
rows.push('| file | size | compression | utif2 4.1 | geotiff 3.0 | geotiff / utif2 | decodeImage (worker) | decodeImage (main thread) | robustness in Node: utif2 / geotiff |');
rows.push('|---|---|---|---|---|---|---|---|---|');
const tiffResults: unknown[] = [];
// Labelkit first: it installs its bounded LZW decoder into utif2, so utif2's calls below do not hang on old-style LZW.
for (const t of tiffs) {
  const p = probeImage(readFileSync(join(filesDir, t.name)), { maxPixels: Infinity });
  const ours = await call('ours', t.name, REPS);
  const oursMain = await call('ours', t.name, REPS, { offThread: false });
  const u = await call('utif2', t.name, REPS).catch((e) => ({
    ms: NaN,
    w: 0,
    h: 0,
    error:
      'fails: ' +
      String(e.message)
        .replace(/^page.evaluate: /, '')
        .slice(0, 50),
  }));
  const rob = robustness[t.name];
  // geotiff is not run in the page on files it crashes or hangs on in Node (a V8 abort would take the page down).
  const g =
    rob.geotiff === 'ok'
      ? await call('geotiff', t.name, REPS).catch((e) => ({ ms: NaN, w: 0, h: 0, error: String(e.message).slice(0, 60) }))
      : { ms: NaN, w: 0, h: 0, error: 'not run: ' + rob.geotiff };
  tiffResults.push({ file: t.name, compression: p.compression, ours, oursMain, utif2: u, geotiff: g, robustness: rob });
  const cell = (x: Timing & { error?: string }) => (Number.isFinite(x.ms) ? `${fmt(x.ms)} ms (${rate(x)})` : (x.error ?? 'n/a'));
  rows.push(
    `| ${t.name} | ${p.width}×${p.height}${p.frames > 1 ? ` ×${p.frames}p` : ''} | ${p.compression}, ${p.bitsStored}-bit ×${p.samplesPerPixel} | ${cell(u)} | ${cell(g)} | ${Number.isFinite(u.ms) && Number.isFinite(g.ms) ? (g.ms / u.ms).toFixed(2) + '×' : '–'} | ${cell(ours)} | ${cell(oursMain)} | ${rob.utif2} / ${rob.geotiff} |`,
  );
}
results.tiff = tiffResults;

// DICOM
rows.push('\n### DICOM: decodeImage in the worker vs on the main thread (frame 0)\n');
rows.push('| file | size | transfer syntax | worker | main thread |');
rows.push('|---|---|---|---|---|');
const dicomResults: unknown[] = [];
for (const d of inputs.filter((x) => x.kind === 'dicom')) {
  const p = probeImage(readFileSync(join(filesDir, d.name)), { maxPixels: Infinity });
  const ours = await call('ours', d.name, REPS);
  const main = await call('ours', d.name, REPS, { offThread: false });
  dicomResults.push({ file: d.name, compression: p.compression, ours, main });
  rows.push(
    `| ${d.name} | ${p.width}×${p.height}${p.frames > 1 ? ` ×${p.frames}f` : ''} | ${p.compression} | ${fmt(ours.ms)} ms (${rate(ours)}) | ${fmt(main.ms)} ms (${rate(main)}) |`,
  );
}
results.dicom = dicomResults;

// Window/level
rows.push('\n### Window/level: one re-render (what a drag frame costs)\n');
rows.push('| file | size | renderWindow |');
rows.push('|---|---|---|');
for (const name of ['big16.dcm', 'big-grey16-deflate.tif', 'ladoga.tif', 'CT_small.dcm'].filter((n) => inputs.some((i) => i.name === n))) {
  const r = await call('rewindow', name, quick ? 10 : 30);
  rows.push(`| ${name} | ${r.w}×${r.h} | ${fmt(r.ms)} ms (${rate(r)} MP/s) |`);
}

const chromeVersion = `Chromium ${browser.version()}`;
await browser.close();
server.close();
console.log(
  `\nMedia decoding in ${chromeVersion}, headless; ${cpus().length} CPUs, load ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}; median of ${REPS} after a warm-up. MP/s in brackets.`,
);
console.log(rows.join('\n'));
console.log('\n### Bundle sizes (minified + gzip -9)\n');
for (const [k, v] of Object.entries(sizes)) console.log(`- ${k}: ${v.toFixed(1)} KB`);
results.bundleKB = sizes;
mkdirSync(join(root, 'bench/results'), { recursive: true });
writeFileSync(join(root, 'bench/results/media.json'), JSON.stringify(results, null, 1) + '\n');
