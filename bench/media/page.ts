// The page the media benchmark runs in (bundled by bench/media.bench.ts with esbuild): Labelkit's
// decodeImage per format, bare createImageBitmap, and utif2 against geotiff on the same TIFFs.
import UTIF from 'utif2';
import { fromArrayBuffer } from 'geotiff';
import { configureMediaWorker, decodeImage, renderWindow, terminateMediaWorker, type DecodeOptions } from '../../packages/core/src/media/index.js';

configureMediaWorker({ factory: () => new Worker('/worker.js', { type: 'module' }), idleMs: 0 });

const files = new Map<string, Uint8Array>();
async function file(name: string): Promise<Uint8Array> {
  if (!files.has(name)) files.set(name, new Uint8Array(await (await fetch(`/f/${name}`)).arrayBuffer()));
  return files.get(name)!;
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * Median ms per call over `reps` samples, after a warm-up (JIT, worker start, decoder set-up). A
 * sample repeats the call until it has run at least 20 ms, so tiny images are timed as well.
 */
async function time(reps: number, f: () => Promise<unknown>): Promise<number> {
  const w = performance.now();
  await f();
  while (performance.now() - w < 50) await f();
  const ts: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    let n = 0;
    do {
      await f();
      n++;
    } while (performance.now() - t < 20);
    ts.push((performance.now() - t) / n);
  }
  return median(ts);
}

const utif = UTIF as unknown as { decode(b: ArrayBuffer, p?: object): any[]; decodeImage(b: ArrayBuffer, ifd: any, ifds?: any[]): void; toRGBA8(ifd: any): Uint8Array };

const api = {
  async ours(name: string, reps: number, options: DecodeOptions = {}) {
    const bytes = await file(name);
    let w = 0,
      h = 0;
    const ms = await time(reps, async () => {
      const d = await decodeImage(bytes, { hint: name, ...options });
      w = d.width;
      h = d.height;
      d.bitmap?.close();
    });
    return { ms, w, h };
  },
  async bare(name: string, reps: number, rgba: boolean) {
    const bytes = await file(name);
    let w = 0,
      h = 0;
    const ms = await time(reps, async () => {
      const b = await createImageBitmap(new Blob([bytes as BlobPart]));
      w = b.width;
      h = b.height;
      if (rgba) {
        const c = new OffscreenCanvas(w, h);
        const ctx = c.getContext('2d', { willReadFrequently: true })!;
        ctx.drawImage(b, 0, 0);
        ctx.getImageData(0, 0, w, h);
      }
      b.close();
    });
    return { ms, w, h };
  },
  /** utif2's own calls: parse IFDs, decompress page 0, convert to RGBA8. */
  async utif2(name: string, reps: number) {
    const bytes = await file(name);
    const buf = bytes.slice().buffer;
    let w = 0,
      h = 0,
      rgba: Uint8Array = new Uint8Array(0);
    const ms = await time(reps, async () => {
      const log = console.log;
      console.log = () => {};
      try {
        const ifds = utif.decode(buf, { parseMN: false, debug: false });
        utif.decodeImage(buf, ifds[0], ifds);
        rgba = utif.toRGBA8(ifds[0]);
        w = ifds[0].width;
        h = ifds[0].height;
      } finally {
        console.log = log;
      }
    });
    return { ms, w, h, sample: Array.from(rgba.subarray(0, 64)) };
  },
  /** geotiff's calls: open, image 0, readRGB (interleaved 8-bit RGB) — or readRasters for 16-bit grey. */
  async geotiff(name: string, reps: number) {
    const bytes = await file(name);
    const buf = bytes.slice().buffer;
    let w = 0,
      h = 0,
      sample: number[] = [];
    const ms = await time(reps, async () => {
      const tiff = await fromArrayBuffer(buf);
      const img = await tiff.getImage(0);
      w = img.getWidth();
      h = img.getHeight();
      const grey16 = img.getBitsPerSample() === 16 && img.getSamplesPerPixel() === 1;
      const r = grey16 ? await img.readRasters({ interleave: true }) : await img.readRGB({ interleave: true });
      sample = Array.from((r as unknown as ArrayLike<number> & { subarray(a: number, b: number): ArrayLike<number> }).subarray(0, 48));
    });
    return { ms, w, h, sample };
  },
  async rewindow(name: string, reps: number) {
    const d = await decodeImage(await file(name), { offThread: false });
    const out = new Uint8ClampedArray(d.width * d.height * 4);
    let c = d.window!.center;
    const ms = await time(reps, async () => {
      c += 7;
      renderWindow(d.raw!, { center: c, width: d.window!.width }, out);
    });
    return { ms, w: d.width, h: d.height };
  },
  terminate: () => terminateMediaWorker(),
};
(window as unknown as { bench: typeof api }).bench = api;
document.title = 'ready';
