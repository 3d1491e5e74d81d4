// The media layer in real Chromium: the page path (createImageBitmap for JPEG/PNG/BMP), the worker
// the layer spawns for TIFF and DICOM, decoding inside a host's own worker, time limits, aborts, and
// the malformed corpus through the worker.
import { expect } from '@esm-bundle/chai';
import {
  configureJpeg2000,
  configureMediaWorker,
  decodeImage,
  describeDecodeFailure,
  mediaWorkerInfo,
  probeImage,
  renderWindow,
  terminateMediaWorker,
  toImageBitmap,
  WindowLeveler,
  type DecodedImage,
} from '@labelkit/core/media';
import { CORPUS_SOURCES, makeMalformedCorpus, type Sources } from '../../test/malformed-corpus.js';

// web-test-runner serves the repository root: fixtures are fetched by their path under test/fixtures.
async function load(rel: string): Promise<Uint8Array> {
  const res = await fetch(`/test/fixtures/${rel}`);
  if (!res.ok) throw new Error(`fixture ${rel}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}
interface RefEntry {
  file: string;
  frame: number;
  kind: string;
  window?: 'dicom' | 'auto-minmax';
  width: number;
  height: number;
  points: number[][];
}
let reference: RefEntry[] = [];

function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  // A check for hangs, not for speed.
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms))]);
}

function worstDifference(d: DecodedImage, e: RefEntry): number {
  let worst = 0;
  for (const [x, y, ...want] of e.points) {
    const i = (y * d.width + x) * 4;
    if (e.kind === 'stored') worst = Math.max(worst, Math.abs(d.raw!.data[y * d.width + x] - want[0]));
    else for (let c = 0; c < want.length; c++) worst = Math.max(worst, Math.abs(d.rgba![i + c] - want[c]));
  }
  return worst;
}

before(async () => {
  reference = (await (await fetch('/test/fixtures/media/reference.json')).json()).entries;
});

describe('media layer in a page: JPEG, PNG, BMP through the browser decoder', () => {
  it('returns an ImageBitmap with the probed size, EXIF orientation applied', async () => {
    for (const [file, w, h] of [
      ['media/gen/photo.jpg', 64, 48],
      ['media/gen/progressive.jpg', 64, 48],
      ['media/gen/orient6.jpg', 48, 64],
      ['media/gen/rgba.png', 64, 48],
      ['media/gen/grey16.png', 64, 48],
      ['media/gen/rgb24.bmp', 64, 48],
      ['media/gen/pal8.bmp', 64, 48],
      ['media/gen/rgba32.bmp', 64, 48],
    ] as const) {
      const bytes = await load(file);
      const d = await decodeImage(bytes, { hint: file });
      expect(d.bitmap, file).to.be.instanceOf(ImageBitmap);
      expect([d.width, d.height, d.bitmap!.width, d.bitmap!.height], file).to.deep.equal([w, h, w, h]);
      const p = probeImage(bytes);
      expect([p.width, p.height], file).to.deep.equal([w, h]);
      d.bitmap!.close();
    }
  });

  it('gives RGBA pixels that match the independent reference (output: rgba)', async () => {
    for (const file of [
      'media/gen/photo.jpg',
      'media/gen/grey.jpg',
      'media/gen/orient6.jpg',
      'media/gen/rgba.png',
      'media/gen/palette.png',
      'media/gen/interlaced.png',
      'media/gen/grey16.png',
      'media/gen/rgb24.bmp',
      'media/gen/pal8.bmp',
    ]) {
      const e = reference.find((r) => r.file === file)!;
      const d = await decodeImage(await load(file), { output: 'rgba' });
      expect(d.bitmap).to.equal(undefined);
      expect(worstDifference(d, e), file).to.be.at.most(file.endsWith('.jpg') ? 8 : 1);
    }
  });

  it('matches a bare createImageBitmap of the same bytes', async () => {
    const bytes = await load('media/gen/photo.jpg');
    const bare = await createImageBitmap(new Blob([bytes as BlobPart]));
    const ours = await decodeImage(bytes);
    expect([ours.width, ours.height]).to.deep.equal([bare.width, bare.height]);
    bare.close();
  });

  it('fails a truncated JPEG with E_CORRUPT_IMAGE', async () => {
    const bytes = (await load('media/gen/photo.jpg')).slice(0, 20);
    const err = await decodeImage(bytes).catch((e) => e);
    expect(describeDecodeFailure(err).code).to.equal('E_CORRUPT_IMAGE');
  });
});

describe('media layer in a page: TIFF and DICOM in the worker it spawns', () => {
  it('decodes off the main thread and matches dcmtk / libtiff', async () => {
    terminateMediaWorker();
    const before = mediaWorkerInfo().spawned;
    const cases = reference.filter((e) => /^(dicom|tiff)\//.test(e.file) || /\.(dcm|tif)$/.test(e.file));
    for (const e of cases) {
      const d = await decodeImage(await load(e.file), { frame: e.frame, window: e.window, hint: e.file });
      expect([d.width, d.height], e.file).to.deep.equal([e.width, e.height]);
      if (e.kind === 'rgb16') continue;
      const lossy = /ybr|jpeg-rgb|jpeg_baseline|img2dcm/.test(e.file) ? 24 : e.kind === 'grey8' ? 1 : 0;
      expect(worstDifference(d, e), `${e.file} #${e.frame} ${e.kind}`).to.be.at.most(lossy);
    }
    const info = mediaWorkerInfo();
    expect(info.spawned, 'one worker, spawned lazily').to.equal(before + 1);
    expect(info.broken).to.equal(false);
  });

  it('re-windows a 16-bit image cheaply on the main thread (WindowLeveler, renderWindow)', async () => {
    const d = await decodeImage(await load('tiff/ladoga.tif'));
    expect(d.raw!.data).to.be.instanceOf(Uint16Array);
    const wl = new WindowLeveler(d.raw!, d.windowPresets, d.window);
    const first = wl.render().slice();
    wl.drag(100, 0);
    expect(wl.window.width).to.be.greaterThan(d.window!.width);
    const second = wl.render();
    expect(Array.from(second.subarray(0, 400))).to.not.deep.equal(Array.from(first.subarray(0, 400)));
    wl.preset('auto-p2-98');
    const t0 = performance.now();
    for (let i = 0; i < 20; i++) renderWindow(d.raw!, { center: 1400 + i, width: 300 }, second);
    expect(performance.now() - t0).to.be.lessThan(2000);
    const bitmap = await toImageBitmap(d, second);
    expect([bitmap.width, bitmap.height]).to.deep.equal([158, 118]);
  });

  it('stops a decode past its time limit, replaces the worker, and goes on', async () => {
    const bytes = await load('dicom/examples_ybr_color.dcm');
    const err = await decodeImage(bytes, { timeoutMs: 1 }).catch((e) => e);
    expect(describeDecodeFailure(err).code).to.equal('E_CORRUPT_IMAGE');
    expect(String(err.message)).to.match(/did not finish/);
    const d = await decodeImage(bytes, { frame: 3 });
    expect(d.frame).to.equal(3);
  });

  it('cancels with an AbortSignal (E_ABORTED)', async () => {
    const ac = new AbortController();
    const p = decodeImage(await load('tiff/quad-lzw.tif'), { signal: ac.signal });
    ac.abort();
    const err = await p.catch((e) => e);
    expect(err.code).to.equal('E_ABORTED');
    expect((await decodeImage(await load('tiff/quad-tile.tif'))).width).to.equal(512);
  });

  it("passes the page's configureJpeg2000 to the worker: its .wasm decodes the same pixels, a missing one is E_FETCH_FAILED", async () => {
    const bytes = await load('media/gen/mr16_j2k_lossless.dcm');
    const js = await decodeImage(bytes);
    try {
      // A URL the server does not have: the worker must try it (the pure-JS build would decode).
      configureJpeg2000({ wasmUrl: '/no/such/openjpegwasm_decode.wasm' });
      const err = await decodeImage(bytes).catch((e) => e);
      expect(err.code, String(err.message)).to.equal('E_FETCH_FAILED');
      expect(err.details.url).to.equal(new URL('/no/such/openjpegwasm_decode.wasm', document.baseURI).href);
      expect(describeDecodeFailure(err).code).to.equal('E_FETCH_FAILED');
      // Relative to the page, served by the test server from node_modules.
      configureJpeg2000({ wasmUrl: '/node_modules/@cornerstonejs/codec-openjpeg/dist/openjpegwasm_decode.wasm' });
      const wasm = await decodeImage(bytes);
      expect([wasm.width, wasm.height]).to.deep.equal([64, 64]);
      expect(Array.from(wasm.raw!.data)).to.deep.equal(Array.from(js.raw!.data));
      expect(mediaWorkerInfo().broken).to.equal(false);
    } finally {
      configureJpeg2000({});
    }
    const back = await decodeImage(bytes);
    expect(Array.from(back.raw!.data)).to.deep.equal(Array.from(js.raw!.data));
  });

  it('decodes on the main thread when asked (offThread: false) with the same pixels', async () => {
    const bytes = await load('dicom/MR_small_RLE.dcm');
    const a = await decodeImage(bytes);
    const b = await decodeImage(bytes, { offThread: false });
    expect(Array.from(b.rgba!)).to.deep.equal(Array.from(a.rgba!));
  });

  it('fails with E_WORKER_FAILED when the worker script cannot load — no silent fallback', async () => {
    configureMediaWorker({ factory: () => new Worker('/no/such/worker.js', { type: 'module' }) });
    const bytes = await load('tiff/seq-1c-8b-multipage-adeefdcc.tiff');
    try {
      const err = await decodeImage(bytes, { frame: 2 }).catch((e) => e);
      expect(err.code).to.equal('E_WORKER_FAILED');
      expect(String(err.message)).to.match(/media worker could not start/);
      expect(mediaWorkerInfo().broken).to.equal(true);
      // Later decodes fail at once with the same code (not a bad file: the queue does not mark items unreadable).
      expect((await decodeImage(bytes).catch((e) => e)).code).to.equal('E_WORKER_FAILED');
      // The documented opt-in: main-thread decoding, asked for explicitly.
      configureMediaWorker({ enabled: false });
      expect((await decodeImage(bytes, { frame: 2 })).frame).to.equal(2);
    } finally {
      configureMediaWorker({ factory: undefined, enabled: true });
    }
    expect((await decodeImage(bytes, { frame: 1 })).frame).to.equal(1);
    expect(mediaWorkerInfo().broken).to.equal(false);
  });
});

describe('media layer inside a host worker', () => {
  for (const [file, output] of [
    ['media/gen/photo.jpg', 'bitmap'],
    ['media/gen/rgba.png', 'rgba'],
    ['dicom/examples_ybr_color.dcm', undefined],
    ['tiff/ladoga.tif', undefined],
  ] as const) {
    it(`decodes ${file} in the worker's own thread`, async () => {
      const w = new Worker(new URL('../../../../test/fixtures/media/in-worker.ts', import.meta.url), { type: 'module' });
      try {
        const bytes = await load(file);
        const reply = await within(
          new Promise<Record<string, unknown>>((resolve, reject) => {
            w.onmessage = (ev) => resolve(ev.data);
            w.onerror = (ev) => reject(new Error(ev.message));
            w.postMessage({ bytes: bytes.buffer, hint: file, output }, [bytes.buffer]);
          }),
          60_000,
          'worker decode',
        );
        expect(reply.ok, String(reply.message)).to.equal(true);
        expect(reply.spawned, 'no nested worker').to.equal(0);
        if (output === 'bitmap') expect(reply.isBitmap).to.equal(true);
        else expect(reply.pixel).to.have.length(4);
      } finally {
        w.terminate();
      }
    });
  }
});

describe('malformed corpus in Chromium (through the media worker)', () => {
  it('gives every broken file its error code within the bound; the page stays up', async () => {
    const sources = Object.fromEntries(await Promise.all(Object.entries(CORPUS_SOURCES).map(async ([k, p]) => [k, await load(p)]))) as Sources;
    const corpus = makeMalformedCorpus(sources);
    expect(corpus.length).to.be.at.least(30);
    const wrong: string[] = [];
    for (const c of corpus) {
      let outcome: string;
      try {
        const d = await within(decodeImage(c.bytes, { hint: c.hint, timeoutMs: 20_000 }), 25_000, c.name);
        outcome = d.extensionMismatch ? 'ok-mismatch' : 'ok';
        d.bitmap?.close();
      } catch (e) {
        outcome = describeDecodeFailure(e).code;
      }
      const fine = c.expect === 'any' ? ['ok', 'ok-mismatch', 'E_CORRUPT_IMAGE', 'E_UNSUPPORTED_FORMAT', 'E_IMAGE_TOO_LARGE'].includes(outcome) : outcome === c.expect;
      if (!fine) wrong.push(`${c.name}: expected ${c.expect}, got ${outcome}`);
    }
    expect(wrong).to.deep.equal([]);
    expect(document.body).to.not.equal(null);
  });
});
