// The browser killed (SIGKILL of every Chromium process) while a submit's write-behind is in flight:
// the demo's labeler presses Enter and the browser dies 0–20 ms later, with the next task already on
// screen and the journal write not yet confirmed — or an idle checkpoint half done. The browser is
// started again on the same profile: every submission the page confirmed (label-task-submit) is
// there, nothing is labeled twice, and the project reopens from its checkpoint replaying only a few
// events.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../chromium.mjs';
import { buildDemoApart, startDemo } from './harness.js';

let server: { url: string; close: () => Promise<void> };
const dirs: string[] = [];

beforeAll(async () => {
  // Its own build folder: demo.test.ts rebuilds examples/vanilla/dist and may run at the same time.
  const dist = buildDemoApart('crash-tab');
  dirs.push(dist);
  server = await startDemo(dist);
}, 180_000);

afterAll(async () => {
  await server?.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function open(profile: string, confirmed?: number[]): Promise<{ ctx: BrowserContext; page: Page }> {
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 900 },
  });
  if (confirmed) {
    await ctx.exposeFunction('__confirmed', (items: number[]) => confirmed.push(...items));
    await ctx.addInitScript(`document.addEventListener('label-task-submit', (e) => window.__confirmed(e.detail.items));`);
  }
  const page = ctx.pages()[0] ?? (await ctx.newPage());
  return { ctx, page };
}

/**
 * Kills every process of the Chromium running on `profile` (a crash, not a close). `--` ends pkill's
 * options: without it the pattern, which starts with `--`, was rejected as an unknown option, the
 * error swallowed, and the context then closed gracefully — a close tested as a crash. pkill exits 1
 * when nothing matched: that throws, as a test whose kill did not happen checks nothing.
 */
function killBrowser(profile: string): void {
  execFileSync('pkill', ['-9', '-f', '--', `--user-data-dir=${profile}`]);
}

describe('the browser killed during a write-behind submit', () => {
  for (const trial of [0, 1, 2]) {
    it(`trial ${trial}: every confirmed submission survives, none is doubled, the reopen replays little`, async () => {
      const profile = mkdtempSync(join(tmpdir(), 'lk-crash-tab-'));
      dirs.push(profile);
      const confirmed: number[] = [];
      const first = await open(profile, confirmed);
      await first.page.goto(server.url);
      await first.page.waitForSelector('body[data-ready]', { state: 'attached' });
      const id = await first.page.evaluate(() =>
        (window as unknown as { labelkitDemo: { createProject(s: object): Promise<string> } }).labelkitDemo.createProject({
          name: `Crash ${Date.now()}`,
          kind: 'image-classification-multiclass',
          labels: ['1', '2', '3', '4'],
          count: 60,
        }),
      );
      await first.page.goto(`${server.url}?grid=4#/p/${id}/label`);
      await first.page.waitForFunction(() => !!document.querySelector('label-queue')?.currentTask);
      // A checkpoint as a closed tab or an idle moment leaves one (the crash below must not need it to be correct).
      await first.page.evaluate(() => (window as unknown as { labelkitDemo: { project: { flush(): Promise<void> } } }).labelkitDemo.project.flush());
      await first.page.locator('label-queue').focus();
      const tasks = 3 + trial;
      const taskId = () => first.page.evaluate(() => document.querySelector('label-queue')!.currentTask!.id);
      for (let k = 0; k < tasks; k++) {
        const before = await taskId();
        for (const key of ['1', '2', '3', '4']) await first.page.keyboard.press(key);
        await first.page.keyboard.press('Enter');
        // The next task is on screen at once (write-behind); the last one's write may still be in flight.
        if (k < tasks - 1) await first.page.waitForFunction((b) => document.querySelector('label-queue')?.currentTask?.id !== b, before);
      }
      // The last Enter's write is in flight (or just confirmed): die now.
      await new Promise((r) => setTimeout(r, trial * 7));
      killBrowser(profile);
      await first.ctx.close().catch(() => undefined);

      const again = await open(profile);
      await again.page.goto(`${server.url}#/p/${id}/manage`);
      await again.page.waitForSelector('label-dashboard');
      const after = await again.page.evaluate(() => {
        const p = (
          window as unknown as { labelkitDemo: { project: { items(): Iterable<{ index: number; state: string }>; openReport: { eventsReplayed: number; fromSnapshot: boolean } } } }
        ).labelkitDemo.project;
        return { labeled: [...p.items()].filter((v) => v.state === 'labeled').map((v) => v.index), replayed: p.openReport.eventsReplayed, fromSnapshot: p.openReport.fromSnapshot };
      });
      await again.ctx.close();
      // Every confirmed submission is there; at most the one in flight landed unconfirmed.
      expect(confirmed.length).toBeGreaterThanOrEqual(4 * (tasks - 2));
      for (const i of confirmed) expect(after.labeled).toContain(i);
      expect(after.labeled.length - confirmed.length).toBeGreaterThanOrEqual(0);
      expect(after.labeled.length - confirmed.length).toBeLessThanOrEqual(4);
      expect(new Set(confirmed).size).toBe(confirmed.length);
      // The reopen started from a checkpoint and replayed only what none covered yet (fewer than the
      // 64 events after which an idle checkpoint is written; here: submissions, leases, image sizes).
      expect(after.fromSnapshot).toBe(true);
      expect(after.replayed).toBeLessThan(64);
    }, 120_000);
  }
});
