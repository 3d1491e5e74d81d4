// The whole browser killed (SIGKILL of its process tree) inside a write of a labeler on IndexedDB:
// inside an idle checkpoint (a tail or a snapshot) or inside a submit's write-behind journal segment
// (submitAndNext has already handed out the next task), before the write is issued or while it is
// pending in IndexedDB. The page asks for the kill itself, through an exposed binding, at the k-th
// such write (test/crash/idb-page.ts). Chromium is started again on the same profile: every submission
// whose `confirmed` settled is there, nothing is labeled twice, the state equals the one folded from
// the journal alone, and the open starts from a checkpoint replaying few events (or reports the
// damaged checkpoint and reads the journal) — a crash costs at most speed, never data.
import { readFileSync, readdirSync, readlinkSync, mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium, type BrowserContext, type Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../chromium.mjs';
import type { Plan, crash } from './idb-page.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const dirs: string[] = [];
let server: Server;
let base: string;

beforeAll(async () => {
  const out = mkdtempSync(join(tmpdir(), 'lk-idb-crash-page-'));
  dirs.push(out);
  await build({
    entryPoints: [join(root, 'test/crash/idb-page.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    outfile: join(out, 'page.js'),
    conditions: ['source'],
    tsconfig: join(root, 'tsconfig.base.json'),
    logLevel: 'error',
  });
  writeFileSync(join(out, 'index.html'), '<!doctype html><meta charset="utf-8"><body><script type="module" src="page.js"></script></body>');
  server = createServer((req, res) => {
    const file = new URL(req.url ?? '/', 'http://x').pathname === '/page.js' ? 'page.js' : 'index.html';
    res.setHeader('content-type', file.endsWith('.js') ? 'text/javascript' : 'text/html');
    res.end(readFileSync(join(out, file)));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}, 120_000);

afterAll(async () => {
  await new Promise((r) => server?.close(r));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function launch(profile: string): Promise<{ ctx: BrowserContext; page: Page }> {
  const ctx = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  const page = ctx.pages()[0] ?? (await ctx.newPage());
  return { ctx, page };
}

async function ready(page: Page): Promise<void> {
  await page.goto(base);
  await page.waitForSelector('body[data-ready]', { state: 'attached' });
}

/** SIGKILLs the Chromium running on `profile` (its pid is in the profile's SingletonLock) and every process under it. */
function killBrowser(profile: string): void {
  const pid = Number(readlinkSync(join(profile, 'SingletonLock')).split('-').pop());
  const parent = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      parent.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  const under = (p: number): boolean => p === pid || (parent.has(p) && p > 1 && under(parent.get(p)!));
  const tree = [pid, ...[...parent.keys()].filter((p) => p !== pid && under(p))];
  for (const p of tree) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

type Reopened = Awaited<ReturnType<(typeof crash)['reopen']>>;

async function trial(plan: Omit<Plan, 'db' | 'tasks'> & { tasks?: number }) {
  const profile = mkdtempSync(join(tmpdir(), 'lk-idb-crash-'));
  dirs.push(profile);
  mkdirSync(profile, { recursive: true });
  const full: Plan = { db: 'crash', tasks: 120, ...plan };
  const confirmed = new Map<number, string>();
  const first = await launch(profile);
  let killed!: () => void;
  const died = new Promise<'killed'>((r) => (killed = () => r('killed')));
  let finished!: () => void;
  const done = new Promise<'finished'>((r) => (finished = () => r('finished')));
  await first.ctx.exposeFunction('__confirmed', (item: number, label: string) => void confirmed.set(item, label));
  await first.ctx.exposeFunction('__finished', () => finished());
  let killedIn = '';
  await first.ctx.exposeFunction('__kill', (key: string) => {
    killBrowser(profile);
    killedIn = key.replace(/^projects\/[^/]+\//, '');
    killed();
  });
  const closed = new Promise((r) => first.ctx.once('close', r));
  await ready(first.page);
  const id = await first.page.evaluate((p) => (window as unknown as { crash: typeof crash }).crash.victim(p), full);
  const how = await Promise.race([died, done]);
  expect(how, 'the labeler finished before the write chosen for the kill').toBe('killed');
  await closed;
  const acks = new Map(confirmed);

  const second = await launch(profile);
  await ready(second.page);
  const res: Reopened = await second.page.evaluate(([db, pid]) => (window as unknown as { crash: typeof crash }).crash.reopen(db, pid), [full.db, id] as const);
  await second.ctx.close();
  return { acks, res, killedIn };
}

describe('the browser killed inside a write on IndexedDB', () => {
  const trials: (Omit<Plan, 'db' | 'tasks'> & { tasks?: number })[] = [
    { target: 'checkpoint', killAt: 1, phase: 'before' },
    { target: 'checkpoint', killAt: 2, phase: 'pending' },
    { target: 'checkpoint', killAt: 5, phase: 'pending' },
    // A full snapshot, due every 256 events here (300 items): after ~130 submissions.
    { target: 'snapshot', killAt: 1, phase: 'pending', tasks: 200 },
    { target: 'journal', killAt: 4, phase: 'before' },
    { target: 'journal', killAt: 9, phase: 'pending' },
    { target: 'journal', killAt: 40, phase: 'pending' },
  ];
  for (const plan of trials) {
    it(`${plan.target} write #${plan.killAt}, ${plan.phase}: nothing confirmed lost or doubled, the state is the journal's, the open short`, async () => {
      const { acks, res, killedIn } = await trial(plan);
      expect(killedIn).toMatch(plan.target === 'journal' ? /^journal\// : plan.target === 'snapshot' ? /^snapshots\/.*\.snap$/ : /^snapshots\//);
      expect(acks.size).toBeGreaterThan(0);
      expect(res.truthFromSnapshot).toBe(false);
      expect(res.same).toBe(true);
      expect(res.statsSame).toBe(true);
      for (const [item, label] of acks) expect(res.items[item]).toMatchObject({ state: 'labeled', labeledBy: 'victim', labels: [label] });
      // At most the submissions still in flight at the kill (up to 3: the labeler waits on every third) landed unconfirmed.
      const labeled = res.items.filter((v) => v.state === 'labeled');
      expect(labeled.length - acks.size).toBeGreaterThanOrEqual(0);
      expect(labeled.length - acks.size).toBeLessThanOrEqual(3);
      for (const v of labeled) expect(v.labels).toHaveLength(1);
      // The next task holds only items nobody labeled.
      expect(res.nextItems.length).toBeGreaterThan(0);
      for (const v of res.nextItems) expect(v.state).toBe('todo');
      expect(res.report.journalDamage).toBe(0);
      // Fast: from a checkpoint with few events replayed, or the damaged checkpoint reported and the journal read.
      expect(res.report.fromSnapshot).toBe(true);
      if (!res.report.snapshotDamage.length) expect(res.report.eventsReplayed).toBeLessThanOrEqual(64);
      console.log(
        `${plan.target} #${plan.killAt} ${plan.phase} (${killedIn}): ${acks.size} confirmed, ${labeled.length} labeled, reopened in ${res.openMs.toFixed(0)} ms replaying ${res.report.eventsReplayed} events`,
      );
    }, 60_000);
  }
});
