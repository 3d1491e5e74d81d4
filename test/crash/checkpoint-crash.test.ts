// A labeler killed (SIGKILL) inside a checkpoint write — a tail or a snapshot, just before or just
// after it lands — while it labels a project on the file system: every confirmed submit is there
// on the next open, the state equals one rebuilt from the journal alone, and the open stays fast
// (it replays at most the events a checkpoint had not covered yet).
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Project, ProjectRegistry, type ItemView } from '@labelkit/core';
import { FsStore } from '@labelkit/core/node';
import { bundleScript } from './bundle.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function digest(p: Project): string {
  return JSON.stringify([...p.items()].map((v: ItemView) => [v.index, v.state, v.labeledBy ?? null, JSON.stringify(v.annotations)]));
}

async function trial(killAt: number, phase: 'before' | 'after') {
  const dir = mkdtempSync(join(tmpdir(), 'lk-cp-crash-'));
  dirs.push(dir);
  const owner = await new ProjectRegistry(new FsStore(dir)).create(
    { name: 'cp', kind: 'image-classification-multiclass', labels: ['cat', 'dog'], seed: 5 },
    { actor: { id: 'owner', role: 'owner' }, clientId: 'owner', snapshotEvery: 0 },
  );
  await owner.addItems(Array.from({ length: 300 }, (_, i) => ({ path: `i/${i}.png`, size: i + 1 })));
  const file = await bundleScript(new URL('./checkpoint-victim.ts', import.meta.url), 'checkpoint-victim');
  const child = spawn(process.execPath, [file, JSON.stringify({ dir, projectId: owner.id, killAt, phase, tasks: 120 })], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_c, s) => resolve(s)));
  const lines = out
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { item?: number; label?: string; finished?: boolean });
  expect(signal, err.slice(-1000)).toBe('SIGKILL');
  const acks = lines.filter((l) => l.item !== undefined) as { item: number; label: string }[];
  const t0 = performance.now();
  const reopened = await Project.load(new FsStore(dir), owner.id, { actor: { id: 'auditor', role: 'owner' }, clientId: 'auditor' });
  const openMs = performance.now() - t0;
  // The truth: the journal alone (a copy with every snapshot and tail removed).
  const bare = mkdtempSync(join(tmpdir(), 'lk-cp-bare-'));
  dirs.push(bare);
  cpSync(dir, bare, { recursive: true });
  const snapshots = join(bare, 'projects', owner.id, 'snapshots');
  if (killAt > 1 || phase === 'after') expect(existsSync(snapshots)).toBe(true);
  rmSync(snapshots, { recursive: true, force: true });
  const truth = await Project.load(new FsStore(bare), owner.id, { actor: { id: 'auditor', role: 'owner' }, clientId: 'auditor2' });
  expect(truth.openReport.fromSnapshot).toBe(false);
  return { acks, reopened, truth, openMs, dir };
}

describe('a crash inside a checkpoint write', () => {
  for (const [killAt, phase] of [
    [1, 'before'],
    [1, 'after'],
    [3, 'before'],
    [4, 'after'],
  ] as const) {
    it(`killed ${phase} checkpoint write #${killAt}: nothing confirmed lost, the open is correct and short`, async () => {
      const { acks, reopened, truth, openMs } = await trial(killAt, phase);
      expect(digest(reopened)).toBe(digest(truth));
      expect(acks.length).toBeGreaterThan(0);
      for (const a of acks) expect(reopened.item(a.item)).toMatchObject({ state: 'labeled', labeledBy: 'victim', annotations: [{ kind: 'class', label: a.label }] });
      // At most the submit in flight at the kill landed without being confirmed.
      expect(reopened.stats().counts.labeled - acks.length).toBeGreaterThanOrEqual(0);
      expect(reopened.stats().counts.labeled - acks.length).toBeLessThanOrEqual(1);
      // Only events no checkpoint covered are replayed (checkpointEvery is 8 here; a few commands' worth).
      if (killAt > 1) expect(reopened.openReport.fromSnapshot).toBe(true);
      expect(reopened.openReport.eventsReplayed).toBeLessThanOrEqual(killAt > 1 ? 64 : 400);
      expect(reopened.openReport.snapshotDamage).toEqual([]);
      expect(openMs).toBeGreaterThan(0);
    }, 60_000);
  }

  it('the state opened from checkpoints equals the one folded from the journal alone', async () => {
    const { reopened, truth } = await trial(4, 'before');
    expect(digest(reopened)).toBe(digest(truth));
    expect(reopened.stats()).toEqual(truth.stats());
  }, 60_000);
});
