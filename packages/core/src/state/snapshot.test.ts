// Snapshot format 2: run-coded sections round-trip exactly, format 1 snapshots are still read, and
// damaged run headers are a clear E_CORRUPT_SNAPSHOT (the journal is replayed instead).
import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../store/memory-store.js';
import { ProjectRegistry } from '../registry.js';
import { SNAPSHOT_FORMAT, captureSnapshot, decodeSnapshot, encodeCaptured, encodeSnapshot, runCode, runDecode } from './snapshot.js';
import type { Actor, ItemView } from '../types.js';
import { crc32 } from '../util/crc32.js';
import { asFormat1, replaceSection, sectionStarts } from '../../test/strip-snapshot.js';

const owner: Actor = { id: 'olivia', role: 'owner' };
const N = 400;

/** A project whose columns mix long runs (most items untouched) with varied values. */
async function project() {
  const store = new MemoryStore();
  const registry = new ProjectRegistry(store);
  const p = await registry.create({ name: 'snap', kind: 'image-classification-multiclass', labels: ['cat', 'dog', 'owl'], seed: 5 }, { actor: owner });
  await p.addItems(
    Array.from({ length: N }, (_, i) => ({
      // Two path lengths in runs, then a few varied ones.
      path: i < 380 ? `batch-${i < 150 ? 'a' : 'bb'}/img_${String(i).padStart(5, '0')}.jpg` : `other/${'x'.repeat(i % 7)}${i}.png`,
      etag: `"e${i}"`,
      ...(i % 3 ? { size: 1000 + i } : {}),
      ...(i >= 390 ? { lastModified: -0 } : {}),
    })),
  );
  await p.setItemSizes(Array.from({ length: 50 }, (_, k) => ({ item: k * 7, width: 640 - k, height: 480 })));
  const run = await p.startRun('clustering');
  // Clusters 3, 2, 1, 0, -1-like gaps: falling values make negative differences.
  await p.assignClusters(
    run,
    Array.from({ length: 120 }, (_, k) => ({ item: k, cluster: 3 - (k % 4) })),
  );
  await p.finishRun(run, 'completed');
  for (let k = 0; k < 12; k++) {
    const t = await p.nextTask({ size: 4 });
    await p.submit(
      t!.id,
      t!.items.map((it, j) => ({ item: it.index, annotations: [{ kind: 'class' as const, label: p.labels[(k + j) % 3]!.id }] })),
    );
  }
  return { store, registry, p };
}

const views = (items: Iterable<ItemView>) => [...items].map((v) => JSON.stringify(v));

describe('snapshot capture', () => {
  it('a copied capture encodes, in steps, the bytes of the state when it was taken, whatever the state does meanwhile', async () => {
    const { store, p } = await project();
    await p.snapshot();
    const { bytes } = await snapshotBytes(store, p.id);
    // Raw sections open as views on the bytes given: decode a copy, so the changes below stay out of `bytes`.
    const { state, cursor } = decodeSnapshot(bytes.slice());
    expect(encodeSnapshot(state, cursor)).toEqual(bytes);
    const copied = captureSnapshot(state, cursor, { copy: true });
    const viewed = captureSnapshot(state, cursor);
    // The live columns change after the capture (as the next commands would change them).
    const s = state.parts().items;
    for (const c of [s.status, s.lane, s.etag, s.size, s.width, s.cluster, s.labeledBy, s.labeledAt, s.order]) c.array.fill(3);
    let pauses = 0;
    const encoded = await encodeCaptured(copied, async () => {
      pauses++;
    });
    expect(encoded).toEqual(bytes);
    expect(pauses).toBeGreaterThan(10); // a pause after each section at least
    // Without the copy the capture sees the change: the copy is what keeps it.
    expect(await encodeCaptured(viewed, async () => {})).not.toEqual(bytes);
  });
});

async function snapshotBytes(store: MemoryStore, id: string): Promise<{ key: string; bytes: Uint8Array }> {
  const keys: string[] = [];
  for await (const e of store.list(`projects/${id}/snapshots/`)) if (e.key.endsWith('.snap')) keys.push(e.key);
  const key = keys.sort().at(-1)!;
  return { key, bytes: (await store.get(key))!.bytes };
}

function header(bytes: Uint8Array): { format: number; sections: { name: string; coding?: string; runs?: number; length: number; type: string }[] } {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const meta = JSON.parse(new TextDecoder().decode(bytes.subarray(16, 16 + dv.getUint32(12, true))));
  return { format: dv.getUint32(4, true), sections: meta.sections };
}

describe('snapshot format 2', () => {
  it('run-codes the columns it halves, and a reopen from it gives back every item exactly', async () => {
    const { store, registry, p } = await project();
    const before = views(p.items());
    const stats = p.stats().counts;
    await p.snapshot();
    const { bytes } = await snapshotBytes(store, p.id);
    const h = header(bytes);
    expect(h.format).toBe(SNAPSHOT_FORMAT);
    const coded = Object.fromEntries(h.sections.filter((s) => s.coding).map((s) => [s.name, s.coding]));
    // Mostly one value: run-length; the file names' offsets rise by runs of equal lengths: differences.
    expect(coded).toMatchObject({ lane: 'rle', lastModified: 'rle', 'prelabels.offsets': 'rle', 'paths.dir': 'rle', 'paths.names.offsets': 'delta-rle' });
    // The paths as three folders and the file names.
    expect(h.sections.map((x) => x.name)).not.toContain('paths.bytes');
    expect(h.sections.find((x) => x.name === 'paths.dirs.offsets')!.length).toBe(4);
    // Random-looking columns stay raw views.
    expect(coded.order).toBeUndefined();
    p.close();
    const again = await registry.open(p.id, { actor: owner });
    expect(again.openReport).toMatchObject({ fromSnapshot: true, eventsReplayed: 0 });
    expect(views(again.items())).toEqual(before);
    expect(again.stats().counts).toEqual(stats);
    // -0 and NaN survive as themselves.
    expect(Object.is(again.item(395).lastModified, -0)).toBe(true);
    expect(again.item(0).size).toBeUndefined();
    again.close();
  });

  it('counts items per status over the status runs, as the fold counts them', async () => {
    const store = new MemoryStore();
    const registry = new ProjectRegistry(store);
    const p = await registry.create({ name: 'counts', kind: 'image-classification-multiclass', labels: ['cat', 'dog'], seed: 3 }, { actor: owner });
    await p.addItems(Array.from({ length: 3000 }, (_, i) => ({ path: `c/${i}.jpg` })));
    for (let k = 0; k < 3; k++) {
      const t = (await p.nextTask({ size: 4 }))!;
      if (k === 2) await p.skip(t.id);
      else
        await p.submit(
          t.id,
          t.items.map((it) => ({ item: it.index, annotations: [{ kind: 'class' as const, label: p.labels[0]!.id }] })),
        );
    }
    const counts = p.stats().counts;
    expect(counts).toMatchObject({ labeled: 8, skipped: 4, todo: 2988 });
    await p.snapshot();
    p.close();
    expect(header((await snapshotBytes(store, p.id)).bytes).sections.find((x) => x.name === 'state')!.coding).toBe('rle');
    const again = await registry.open(p.id, { actor: owner });
    expect(again.openReport).toMatchObject({ fromSnapshot: true, eventsReplayed: 0 });
    expect(again.stats().counts).toEqual(counts);
    again.close();
  });

  it('paths opened coded are looked up, added to and written again', async () => {
    const { store, registry, p } = await project();
    await p.snapshot();
    p.close();
    const again = await registry.open(p.id, { actor: owner });
    const before = views(again.items());
    expect(again.item(151).path).toBe('batch-bb/img_00151.jpg');
    expect(again.item(397).path).toBe('other/xxxxx397.png');
    // A known path is known (the lookup joins the table), a new one is added after the others.
    const report = await again.addItems([{ path: 'batch-a/img_00003.jpg', etag: '"e3"' }, { path: 'batch-a/new.jpg' }, { path: 'flat.jpg' }]);
    expect(report).toMatchObject({ added: 2, unchanged: 1 });
    expect(again.item(N + 1).path).toBe('flat.jpg');
    await again.snapshot();
    again.close();
    const third = await registry.open(p.id, { actor: owner });
    expect(third.openReport).toMatchObject({ fromSnapshot: true, eventsReplayed: 0 });
    expect(views(third.items()).slice(0, N)).toEqual(before);
    expect([third.item(N).path, third.item(N + 1).path]).toEqual(['batch-a/new.jpg', 'flat.jpg']);
    // A folder per path saves nothing: the arena is written as it is.
    const flat = await registry.create({ name: 'flat', kind: 'image-classification-multiclass', labels: ['a', 'b'] }, { actor: owner });
    await flat.addItems(Array.from({ length: 100 }, (_, i) => ({ path: `f${i}/a.jpg` })));
    await flat.snapshot();
    const { bytes } = await snapshotBytes(store, flat.id);
    expect(header(bytes).sections.map((x) => x.name)).toEqual(expect.arrayContaining(['paths.bytes', 'paths.offsets']));
    flat.close();
    third.close();
  });

  it('still reads format 1 snapshots (every section raw)', async () => {
    const { store, registry, p } = await project();
    const before = views(p.items());
    await p.snapshot();
    p.close();
    const { key, bytes } = await snapshotBytes(store, p.id);
    const old = asFormat1(bytes);
    expect(header(old).format).toBe(1);
    // As a format 1 writer left it: every section raw, the paths as one arena.
    expect(header(old).sections.filter((x) => x.coding || x.runs !== undefined)).toEqual([]);
    expect(header(old).sections.map((x) => x.name)).toEqual(expect.arrayContaining(['paths.bytes', 'paths.offsets']));
    expect(header(old).sections.map((x) => x.name)).not.toContain('paths.names.bytes');
    expect(old.byteLength).toBeGreaterThan(bytes.byteLength);
    await store.put(key, old);
    const again = await registry.open(p.id, { actor: owner });
    expect(again.openReport).toMatchObject({ fromSnapshot: true, eventsReplayed: 0, snapshotDamage: [] });
    expect(views(again.items())).toEqual(before);
    again.close();
  });

  it('a run header that does not add up is E_CORRUPT_SNAPSHOT, and the open falls back to the journal', async () => {
    for (const [damage, why] of [
      // One run short of the column, or more runs than the bytes hold (the CRC rewritten to match).
      [(m: string) => m.replace('"name":"lastModified","type":"f64","length":400', '"name":"lastModified","type":"f64","length":401'), /do not add up/],
      [(m: string) => m.replace(/("name":"lastModified","type":"f64","length":400,"coding":"rle","runs":)2/, '$199999'), /runs past the end/],
      // A coding this reader does not know, or differences on a float column.
      [
        (m: string) => m.replace('"name":"lastModified","type":"f64","length":400,"coding":"rle"', '"name":"lastModified","type":"f64","length":400,"coding":"lz4"'),
        /unknown coding/,
      ],
      [
        (m: string) => m.replace('"name":"lastModified","type":"f64","length":400,"coding":"rle"', '"name":"lastModified","type":"f64","length":400,"coding":"delta-rle"'),
        /unknown coding/,
      ],
    ] as const) {
      const { store, registry, p } = await project();
      const before = views(p.items());
      await p.snapshot();
      p.close();
      const { key, bytes } = await snapshotBytes(store, p.id);
      const metaLen = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(12, true);
      const text = new TextDecoder().decode(bytes.subarray(16, 16 + metaLen));
      // The damaged header; the sections moved after it (they start 8-byte aligned), the CRC rewritten.
      const meta = new TextEncoder().encode(damage(text));
      const from = (16 + metaLen + 7) & ~7;
      const to = (16 + meta.byteLength + 7) & ~7;
      const bad = new Uint8Array(to + bytes.byteLength - from);
      bad.set(bytes.subarray(0, 12));
      bad.set(meta, 16);
      bad.set(bytes.subarray(from), to);
      new DataView(bad.buffer).setUint32(12, meta.byteLength, true);
      new DataView(bad.buffer).setUint32(8, crc32(bad, 12), true);
      expect(damage(text)).not.toBe(text);
      expect(() => decodeSnapshot(bad)).toThrow(expect.objectContaining({ code: 'E_CORRUPT_SNAPSHOT', message: expect.stringMatching(why) }));
      await store.put(key, bad);
      const again = await registry.open(p.id, { actor: owner });
      expect(again.openReport.snapshotDamage.length).toBeGreaterThan(0);
      expect(views(again.items())).toEqual(before);
      again.close();
    }
  });

  it('coded paths that point outside their sections are E_CORRUPT_SNAPSHOT', async () => {
    const { store, p } = await project();
    await p.snapshot();
    p.close();
    const { bytes } = await snapshotBytes(store, p.id);
    const h = header(bytes);
    // Where each section's first chunk starts (raw bytes, or a run-coded section's values).
    const { at, end } = sectionStarts(bytes);
    expect(end).toBe(bytes.byteLength);
    for (const [name, value, why] of [
      ['paths.dir', 3, /folder that is not there/],
      ['paths.dirs.offsets', 1, /out of order/],
    ] as const) {
      const bad = bytes.slice();
      new DataView(bad.buffer).setUint32(at.get(name)!, value, true);
      new DataView(bad.buffer).setUint32(8, crc32(bad, 12), true);
      expect(() => decodeSnapshot(bad)).toThrow(expect.objectContaining({ code: 'E_CORRUPT_SNAPSHOT', message: expect.stringMatching(why) }));
    }
    // File-name offsets that start at 0 and end where the names end but wrap past 2³² on the way (one
    // offset raised by 2³¹): coded as differences they are checked over their runs, and still caught.
    const names = (s: { name: string }) => s.name === 'paths.names.offsets';
    expect(h.sections.find(names)!.coding).toBe('delta-rle');
    const wrapped = replaceSection(bytes, 'paths.names.offsets', (o) => {
      const w = Uint32Array.from(o as Uint32Array);
      w[200] = (w[200]! + 2 ** 31) >>> 0;
      return w;
    });
    expect(header(wrapped).sections.find(names)!.coding).toBe('delta-rle');
    expect(() => decodeSnapshot(wrapped)).toThrow(expect.objectContaining({ code: 'E_CORRUPT_SNAPSHOT', message: expect.stringMatching(/out of order/) }));
  });

  it('codes what it can halve and round-trips wrapped differences', () => {
    // Not worth it: a permutation.
    expect(runCode(Uint32Array.from({ length: 200 }, (_, i) => (i * 7919) % 200))).toBeUndefined();
    // Falling and wrapping values: differences wrap as the column's type does.
    const u = Uint32Array.from({ length: 300 }, (_, i) => (i < 150 ? 4_000_000_000 + i * 3 : 10));
    const i32 = Int32Array.from({ length: 300 }, (_, i) => (i < 100 ? -1 : i < 200 ? 2_147_483_000 - i : -2_147_483_000));
    const f = Float64Array.from({ length: 300 }, (_, i) => (i < 100 ? NaN : i < 200 ? -0 : 0));
    for (const col of [u, i32, f]) {
      const coded = runCode(col)!;
      expect(coded).toBeDefined();
      const back = runDecode(col.constructor as never, col.length, coded.values, coded.lengths, coded.coding)!;
      expect(back.constructor).toBe(col.constructor);
      expect([...back].every((v, i) => Object.is(v, col[i]))).toBe(true);
      // Runs that do not add up to the column: no column.
      expect(runDecode(col.constructor as never, col.length + 1, coded.values, coded.lengths, coded.coding)).toBeUndefined();
    }
    expect(runCode(f)!.values.length).toBe(3);
    expect(runCode(i32)!.coding).toBe('delta-rle');
  });
});
