// Streamed COCO export vs JSON.stringify of the same structure, at 100k and 500k images (4 boxes per
// image on average: 2,000,000 boxes at 500k). Each run is a separate child process, so its peak
// memory is its own: RSS peak from the kernel (getrusage maxRSS) and heap peak sampled every 10 ms
// and at every chunk / phase boundary. Both write the file to disk; the two files must be identical.
//
//   npm run bench -- export            # 100k and 500k
//   npm run bench -- export -- --quick # 20k and 100k
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mulberry32 } from '@labelkit/core';
import { exportCoco } from '@labelkit/core/export';
// Node file sink; `@labelkit/core/node` re-exports it.
import { writeExportFile } from '../packages/core/src/export/node.js';
import type { ItemState, ItemView, LabelClass, ProjectReader } from '../packages/core/src/types.js';

const DATE = new Date('2024-05-01T00:00:00Z');
const LABELS: LabelClass[] = [
  { id: 'c', name: 'car', color: '#f00' },
  { id: 'p', name: 'person', color: '#0f0' },
  { id: 'b', name: 'bicycle', color: '#00f' },
];

/**
 * A project of `n` labeled images whose items are computed on demand from their index (sizes from the
 * index, 2–6 boxes from a PRNG seeded by it): the input itself takes no memory, so what the benchmark
 * measures is the export.
 */
function syntheticProject(n: number): ProjectReader {
  const view = (index: number): ItemView => {
    const width = 640 + (index % 7) * 160;
    const height = 480 + (index % 5) * 120;
    const r = mulberry32(2024 ^ index);
    const count = 2 + (index % 5);
    const annotations = [];
    for (let k = 0; k < count; k++) {
      const w = 20 + Math.floor(r() * 180);
      const h = 20 + Math.floor(r() * 180);
      const x = Math.floor(r() * (width - w)) + (k % 2) * 0.5;
      const y = Math.floor(r() * (height - h));
      annotations.push({ kind: 'box' as const, label: LABELS[(index + k) % 3].id, x, y, w, h });
    }
    return { index, path: `camera-${index % 16}/frame_${String(index).padStart(7, '0')}.jpg`, state: 'labeled', lane: 'manual', width, height, annotations };
  };
  return {
    id: 'bench',
    name: 'bench',
    kind: 'image-object-detection',
    labels: LABELS,
    itemCount: n,
    *items(filter?: { readonly states?: readonly ItemState[] }) {
      if (filter?.states && !filter.states.includes('labeled')) return;
      for (let i = 0; i < n; i++) yield view(i);
    },
    item: view,
  };
}

/** The naive way: the whole COCO structure as objects, then one JSON.stringify, then one write. */
function stringifyExport(reader: ProjectReader, path: string, sample: () => void): number {
  const images: object[] = [];
  const annotations: object[] = [];
  const category = new Map(reader.labels.map((l, i) => [l.id, i + 1]));
  let imageId = 0;
  let annotationId = 0;
  for (const item of reader.items({ states: ['labeled'] })) {
    imageId++;
    images.push({ id: imageId, width: item.width, height: item.height, file_name: item.path });
    for (const a of item.annotations) {
      if (a.kind !== 'box') continue;
      annotations.push({ id: ++annotationId, image_id: imageId, category_id: category.get(a.label), segmentation: [], area: a.w * a.h, bbox: [a.x, a.y, a.w, a.h], iscrowd: 0 });
    }
    if (imageId % 10_000 === 0) sample();
  }
  const coco = {
    info: { description: reader.name, url: '', version: '1.0', year: 2024, contributor: 'Labelkit', date_created: '2024/05/01' },
    licenses: [],
    images,
    annotations,
    categories: reader.labels.map((l, i) => ({ id: i + 1, name: l.name, supercategory: '' })),
  };
  sample();
  const json = JSON.stringify(coco);
  sample();
  writeFileSync(path, json);
  sample();
  return annotationId;
}

type Mode = 'stream' | 'stringify' | 'stream-gc';

interface ChildResult {
  mode: Mode;
  n: number;
  wallMs: number;
  peakRssMiB: number;
  peakHeapMiB: number;
  /** stream-gc only: the largest heap + ArrayBuffers left after a full GC, taken every 200 chunks (what the export keeps alive). */
  liveHeapMiB?: number;
  annotations: number;
}

async function child(mode: Mode, n: number, path: string): Promise<void> {
  const mib = (b: number) => b / 2 ** 20;
  let peakHeap = 0;
  let peakRss = 0;
  const sample = () => {
    const m = process.memoryUsage();
    if (m.heapUsed > peakHeap) peakHeap = m.heapUsed;
    if (m.rss > peakRss) peakRss = m.rss;
  };
  const timer = setInterval(sample, 10);
  const reader = syntheticProject(n);
  const t0 = performance.now();
  let annotations = 0;
  let liveHeap = 0;
  if (mode === 'stream' || mode === 'stream-gc') {
    const out = exportCoco(reader, { date: DATE });
    const gc = (globalThis as { gc?: () => void }).gc;
    let count = 0;
    const chunks = (async function* () {
      for await (const chunk of out) {
        sample();
        if (mode === 'stream-gc' && gc && ++count % 200 === 0) {
          gc();
          const m = process.memoryUsage();
          liveHeap = Math.max(liveHeap, m.heapUsed + m.arrayBuffers);
        }
        yield chunk;
      }
    })();
    await writeExportFile(chunks, path, { overwrite: true });
    annotations = out.report.annotations;
  } else {
    annotations = stringifyExport(reader, path, sample);
  }
  const wallMs = performance.now() - t0;
  sample();
  clearInterval(timer);
  const maxRss = process.resourceUsage().maxRSS * 1024; // kernel's peak, catches what sampling misses
  const result: ChildResult = {
    mode,
    n,
    wallMs,
    peakRssMiB: mib(Math.max(peakRss, maxRss)),
    peakHeapMiB: mib(peakHeap),
    annotations,
    ...(mode === 'stream-gc' ? { liveHeapMiB: mib(liveHeap) } : {}),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

async function sha256(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--child') {
    await child(args[1] as Mode, Number(args[2]), args[3]);
    return;
  }
  const sizes = args.includes('--quick') ? [20_000, 100_000] : [100_000, 500_000];
  const self = fileURLToPath(import.meta.url);
  const rows: (ChildResult & { mib: number; sha: string })[] = [];
  for (const n of sizes) {
    for (const mode of ['stream', 'stringify', 'stream-gc'] as const) {
      const path = join(tmpdir(), `labelkit-bench-${process.pid}-${mode}-${n}.json`);
      const flags = ['--max-old-space-size=8192', ...(mode === 'stream-gc' ? ['--expose-gc'] : [])];
      const r = spawnSync(process.execPath, [...flags, '--import', 'tsx', '--conditions=source', self, '--child', mode, String(n), path], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
        maxBuffer: 1 << 20,
      });
      if (r.status !== 0) {
        console.error(`${mode} at ${n} failed (exit ${r.status}, signal ${r.signal})`);
        rmSync(path, { force: true });
        process.exitCode = 1;
        continue;
      }
      const result = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as ChildResult;
      rows.push({ ...result, mib: statSync(path).size / 2 ** 20, sha: await sha256(path) });
      rmSync(path, { force: true });
    }
  }

  const f = (x: number, d = 1) => x.toFixed(d);
  console.log('\nCOCO export of a detection project: 4 boxes per image on average, written to a file');
  console.log(`node ${process.version}, ${process.platform}/${process.arch}; each row is its own child process\n`);
  console.log('| images | boxes | method | wall (s) | peak RSS (MiB) | peak heap (MiB) | file (MiB) |');
  console.log('|---:|---:|---|---:|---:|---:|---:|');
  for (const r of rows) {
    if (r.mode === 'stream-gc') continue;
    console.log(
      `| ${r.n.toLocaleString('en')} | ${r.annotations.toLocaleString('en')} | ${r.mode === 'stream' ? 'exportCoco → writeExportFile' : 'JSON.stringify + writeFileSync'} | ${f(r.wallMs / 1000, 2)} | ${f(r.peakRssMiB)} | ${f(r.peakHeapMiB)} | ${f(r.mib)} |`,
    );
  }
  console.log('\nWhat the streamed export keeps alive (a full GC every 200 chunks; largest heap + ArrayBuffers left; a separate, untimed run):');
  for (const r of rows.filter((x) => x.mode === 'stream-gc'))
    console.log(`  ${r.n.toLocaleString('en')} images: ${f(r.liveHeapMiB ?? 0)} MiB live (heap + ArrayBuffers), ${f(r.peakRssMiB)} MiB peak RSS`);
  console.log('');
  for (const n of sizes) {
    const s = rows.find((r) => r.n === n && r.mode === 'stream');
    const b = rows.find((r) => r.n === n && r.mode === 'stringify');
    if (!s || !b) continue;
    console.log(
      `${n.toLocaleString('en')} images: stream/stringify wall ${f(s.wallMs / b.wallMs, 2)}×, peak RSS ${f(s.peakRssMiB / b.peakRssMiB, 2)}×, peak heap ${f(s.peakHeapMiB / b.peakHeapMiB, 2)}×; identical files: ${s.sha === b.sha ? 'yes' : 'NO'}`,
    );
    const g = rows.find((r) => r.n === n && r.mode === 'stream-gc');
    if (s.sha !== b.sha || (g && g.sha !== s.sha)) process.exitCode = 1;
  }
  const streams = rows.filter((r) => r.mode === 'stream');
  if (streams.length === 2) {
    const [a, b] = streams;
    console.log(
      `streamed peak RSS from ${a.n.toLocaleString('en')} to ${b.n.toLocaleString('en')} images (${b.n / a.n}× the items): ${f(a.peakRssMiB)} → ${f(b.peakRssMiB)} MiB (${f(b.peakRssMiB / a.peakRssMiB, 2)}×)`,
    );
  }
  const big = rows.find((r) => r.mode === 'stream' && r.n === 500_000);
  if (big) console.log(`goal ≤ 30 s at 500k images / 2M boxes: ${f(big.wallMs / 1000, 2)} s — ${big.wallMs <= 30_000 ? 'met' : 'NOT met'}`);
}

await main();
