// UI benchmark: the built demo in headless Chromium with a 100,000-item project on IndexedDB.
//
//   1. page load → first task shown (navigation start → the task on screen, images decoded): from the
//      tab's task hint (`label-task-preview`, commands off) when the hint names the task the project
//      then confirms, else `label-task-load`; and page load → first task ready (`label-task-load`:
//      the project open, the lease confirmed, commands on)
//   2. per-submit latency (Enter pressed → the next task shown), median and p95 over a run of submits
//   3. <label-dashboard> render time at 100k (Dashboard tab, and the Data tab's first page)
//
// Baseline, measured in the same run and the same browser: the "naive" way such an app is often
// written — the whole project as one JSON document in IndexedDB, parsed on load, scanned for the
// first todo items, rewritten whole on every submit, and stats computed over the array of objects.
//
// npx tsx bench/ui.bench.ts [--quick] [--loads N]   (--quick: 20,000 items, fewer repetitions;
// --loads: page loads per row, default 5 — more for stable medians of the page-load rows)
import { mkdirSync, writeFileSync } from 'node:fs';
import type { Page } from 'playwright';
import { demoDir, ensureDemoBuilt, launch, startDemo } from '../test/e2e/harness.js';
import { arg, flag } from './lib/args.js';

const quick = flag('quick');
const N = quick ? 20_000 : 100_000;
const SUBMITS = quick ? 10 : 30;
const LOADS = Number(arg('loads', quick ? '3' : '5'));
const WAIT = 30_000;
const REOPEN_SUBMITS = quick ? 200 : 1_000;
/** A fast labeler's pause between keystrokes (ms). */
const PACE_MS = 120;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const share = (xs: boolean[]) => (100 * xs.filter(Boolean).length) / xs.length;
const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.95))];

// ───────────── the naive baseline page (written into the built demo as naive.html) ─────────────
const NAIVE_HTML = `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><body><div id="grid"></div><script type="module">
const db = await new Promise((res, rej) => { const r = indexedDB.open('naive', 1); r.onupgradeneeded = () => r.result.createObjectStore('kv'); r.onsuccess = () => res(r.result); r.onerror = () => rej(r.error); });
const get = (k) => new Promise((res) => { const r = db.transaction('kv').objectStore('kv').get(k); r.onsuccess = () => res(r.result); });
const put = (k, v) => new Promise((res, rej) => { const tx = db.transaction('kv', 'readwrite'); tx.objectStore('kv').put(v, k); tx.oncomplete = res; tx.onerror = () => rej(tx.error); });
let doc;
function show() {
  const todo = [];
  for (const it of doc.items) { if (it.state === 'todo') { todo.push(it); if (todo.length === 4) break; } }
  const grid = document.getElementById('grid');
  grid.replaceChildren(...todo.map((it) => { const img = new Image(); img.src = 'samples/' + String(Number(it.path.match(/(\\d+)\\.png/)[1]) % 200).padStart(5, '0') + '.png'; img.dataset.item = it.i; return img; }));
  return Promise.all([...grid.querySelectorAll('img')].map((i) => i.decode().catch(() => {}))).then(() => todo);
}
window.naive = {
  async create(n) { doc = { name: 'naive', items: Array.from({ length: n }, (_, i) => ({ i, path: 'mnist/' + String(i).padStart(6, '0') + '.png', state: 'todo', annotations: [] })) }; await put('project', JSON.stringify(doc)); },
  async submit(label) { const todo = await show(); for (const it of todo) { it.state = 'labeled'; it.annotations = [{ kind: 'class', label }]; } await put('project', JSON.stringify(doc)); await show(); },
  stats() {
    const counts = {}; const dist = {};
    for (const it of doc.items) { counts[it.state] = (counts[it.state] ?? 0) + 1; for (const a of it.annotations) dist[a.label] = (dist[a.label] ?? 0) + 1; }
    const el = document.createElement('div');
    el.innerHTML = '<svg viewBox="0 0 100 10">' + Object.entries(counts).map(([k, v], j) => '<rect x="' + j * 10 + '" width="' + (100 * v / doc.items.length) + '" height="10"><title>' + k + ': ' + v + '</title></rect>').join('') + '</svg>' + Object.entries(dist).map(([k, v]) => '<div>' + k + ' ' + v + '</div>').join('');
    document.body.append(el); el.getBoundingClientRect(); el.remove();
  },
};
const raw = await get('project');
if (raw) { doc = JSON.parse(raw); await show(); window.__firstTask = performance.now(); }
document.body.dataset.ready = 'true';
</script>`;

interface Load {
  /** The first task on screen (the hint's preview when the project confirmed it, else the real task). */
  shown: number;
  /** The first task ready to work on (project open, lease confirmed). */
  ready: number;
  /** A hint was previewed, and the project confirmed its task. */
  hinted: boolean;
  /** A hint was previewed but the project showed another task (not counted as shown). */
  stale: boolean;
}

async function firstTaskLabelkit(page: Page, url: string): Promise<Load> {
  await page.goto(url);
  try {
    await page.waitForFunction(() => (window as unknown as { __firstTask?: number }).__firstTask !== undefined, undefined, { timeout: WAIT });
  } catch (err) {
    await page.screenshot({ path: 'test-results/ui-bench-timeout.png' });
    console.error(await page.evaluate(() => document.body.innerText.slice(0, 500)));
    throw err;
  }
  return page.evaluate(() => {
    const w = window as unknown as { __firstTask: number; __preview?: { at?: number; id: string }; __readyTask?: string };
    // The preview counts when the project then hands out the same items (a first look has no task id).
    const hinted = !!w.__preview && w.__preview.id === w.__readyTask && w.__preview.at !== undefined;
    return { shown: hinted ? Math.min(w.__preview!.at!, w.__firstTask) : w.__firstTask, ready: w.__firstTask, hinted, stale: !!w.__preview && !hinted };
  });
}

/** Reading a small record at page load: sessionStorage (the task hint's home) against IndexedDB (open + get). */
async function hintReadProbe(page: Page, url: string, reps: number): Promise<{ sessionStorage: number[]; indexedDB: number[] }> {
  const out = { sessionStorage: [] as number[], indexedDB: [] as number[] };
  await page.goto(url);
  await page.evaluate(`(async () => {
    sessionStorage.setItem('probe', JSON.stringify({ task: { id: 't', items: Array.from({ length: 4 }, (_, i) => ({ index: i, path: 'mnist/' + i + '.png' })) }, labels: Array.from({ length: 10 }, (_, i) => ({ id: 'l' + i, name: String(i) })) }));
    const db = await new Promise((res) => { const r = indexedDB.open('probe', 1); r.onupgradeneeded = () => r.result.createObjectStore('kv'); r.onsuccess = () => res(r.result); });
    await new Promise((res) => { const tx = db.transaction('kv', 'readwrite'); tx.objectStore('kv').put(sessionStorage.getItem('probe'), 'probe'); tx.oncomplete = res; });
    db.close();
  })()`);
  for (let i = 0; i < reps; i++) {
    await page.goto(`${url}?probe=${i}`);
    const [ss, idb] = (await page.evaluate(`(async () => {
      const t0 = performance.now();
      JSON.parse(sessionStorage.getItem('probe'));
      const t1 = performance.now();
      const db = await new Promise((res) => { const r = indexedDB.open('probe', 1); r.onsuccess = () => res(r.result); });
      const raw = await new Promise((res) => { const r = db.transaction('kv').objectStore('kv').get('probe'); r.onsuccess = () => res(r.result); });
      JSON.parse(raw);
      const t2 = performance.now();
      db.close();
      return [t1 - t0, t2 - t1];
    })()`)) as [number, number];
    out.sessionStorage.push(ss);
    out.indexedDB.push(idb);
  }
  return out;
}

interface SubmitRun {
  /** Enter (the key event's time) → the frame that shows the next task, images loaded. */
  shown: number[];
  /** Enter → the next task in the DOM (`label-task-load`). */
  dom: number[];
  /** Enter → next paint as the browser's Event Timing reports it; 0 = under its 16 ms floor (not reported). */
  eventTiming: number[];
  /** Whether the next task was painted in the first frame after Enter (rAF of that frame). */
  firstFrame: boolean[];
}

async function submitRun(page: Page, k: number, paceMs: number): Promise<SubmitRun> {
  const out: SubmitRun = { shown: [], dom: [], eventTiming: [], firstFrame: [] };
  // Think time: a labeler's pause between keystrokes, not a wait for the page (each result below is
  // awaited as an event).
  const think = () => (paceMs ? page.waitForTimeout(paceMs) : Promise.resolve());
  for (let i = 0; i < k; i++) {
    for (const key of ['1', '2', '3', '4']) {
      await think();
      await page.keyboard.press(key);
    }
    await think();
    const before = await page.evaluate(() => (window as unknown as { __loads: number[] }).__loads.length);
    await page.keyboard.press('Enter');
    await page.waitForFunction((b) => (window as unknown as { __loads: number[] }).__loads.length > b, before);
    const [shown, rendered, enter, first] = await page.evaluate(() => {
      const w = window as unknown as { __loads: number[]; __rendered: number[]; __enterAt: number; __enterFrame?: number; __shownFrame: number };
      return [w.__loads[w.__loads.length - 1] - w.__enterAt, w.__rendered[w.__rendered.length - 1] - w.__enterAt, w.__enterAt, w.__enterFrame === w.__shownFrame ? 1 : 0];
    });
    out.firstFrame.push(first === 1);
    out.shown.push(shown);
    out.dom.push(rendered);
    out.eventTiming.push(enter);
  }
  // Event Timing entries arrive after their paint: read them once the run is over.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0))));
  const ev = await page.evaluate(() => (window as unknown as { __eventTiming: Record<string, number> }).__eventTiming);
  out.eventTiming = out.eventTiming.map((t) => ev[t.toFixed(3)] ?? 0);
  return out;
}

/** Where a Labelkit page load went (the demo's performance marks). */
function phases(page: Page): Promise<{ boot: number; painted: number; script: number; open: number; task: number }> {
  return page.evaluate(`(() => {
    const at = (name) => performance.getEntriesByName(name)[0]?.startTime ?? NaN;
    const open = performance.getEntriesByName('labelkit:open')[0];
    return { boot: at('labelkit:boot'), painted: at('labelkit:first-look'), script: at('labelkit:main'), open: open ? open.duration : NaN, task: window.__firstTask - (open ? open.startTime + open.duration : 0) };
  })()`);
}

async function main(): Promise<void> {
  ensureDemoBuilt(true);
  // A file beside the demo's, not a Playwright route: routing turns the browser's HTTP cache off, and
  // both pages load as a browser loads them again (cached files, revalidated by the server).
  writeFileSync(`${demoDir}dist/naive.html`, NAIVE_HTML);
  const server = await startDemo();
  const browser = await launch();
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  // Records when the first task is on screen: its event, then its images decoded, then a frame.
  await context.addInitScript(() => {
    const w = window as unknown as { __firstTask?: number; __enterAt?: number; __loads: number[]; __rendered: number[] };
    w.__loads = [];
    w.__rendered = [];
    // Enter's time is the event's own (when the browser received the key), not when a handler ran.
    document.addEventListener(
      'keydown',
      (e) => {
        if (e.key !== 'Enter') return;
        w.__enterAt = e.timeStamp;
        // The first frame after Enter: the next task is "in one frame" when it is painted in this one.
        const ww = w as unknown as { __enterFrame?: number };
        ww.__enterFrame = undefined;
        requestAnimationFrame((t) => (ww.__enterFrame = t));
      },
      true,
    );
    // Input → next paint of every keydown, as the browser reports it (Event Timing, what INP counts):
    // only events of 16 ms or more are reported, rounded to 8 ms. Keyed by the event's timeStamp.
    const ev: Record<string, number> = {};
    (w as unknown as { __eventTiming: Record<string, number> }).__eventTiming = ev;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) if (e.name === 'keydown') ev[e.startTime.toFixed(3)] = e.duration;
    }).observe({ type: 'event', durationThreshold: 16, buffered: true } as PerformanceObserverInit);
    const ww = w as unknown as { __preview?: { at?: number; id: string }; __readyTask?: string };
    // The held task from the tab's hint, on screen before the project is open (commands off).
    document.addEventListener('label-task-preview', async (e) => {
      const preview: { at?: number; id: string } = { id: (e as CustomEvent<{ task: { items: { index: number }[] } }>).detail.task.items.map((i) => i.index).join() };
      ww.__preview = preview;
      const q = e.target as HTMLElement;
      // The element's own preview (shadow DOM), or the page's early paint (light DOM: boot.ts's paintFirstLook).
      const imgs = [...(q.shadowRoot?.querySelectorAll('img') ?? []), ...q.querySelectorAll(':scope > [data-first-look] img')] as HTMLImageElement[];
      await Promise.all(imgs.map((i) => i.decode().catch(() => undefined)));
      await new Promise((r) => requestAnimationFrame(r));
      preview.at = performance.now();
    });
    document.addEventListener('label-task-load', async (e) => {
      // The task is in the DOM now (rendered, not yet painted).
      w.__rendered.push(performance.now());
      ww.__readyTask ??= (e as CustomEvent<{ task: { items: { index: number }[] } }>).detail.task.items.map((i) => i.index).join();
      const q = e.target as HTMLElement;
      const imgs = [...(q.shadowRoot?.querySelectorAll('img') ?? [])] as HTMLImageElement[];
      // Images already loaded (the preloaded, decoded ones) paint in the next frame; others are
      // waited for. (Awaiting decode() on a decoded image can itself resolve a frame late.)
      if (!imgs.every((i) => i.complete && i.naturalWidth > 0)) await Promise.all(imgs.map((i) => i.decode().catch(() => undefined)));
      const frame = await new Promise<number>((r) => requestAnimationFrame(r));
      (w as unknown as { __shownFrame: number }).__shownFrame = frame;
      const t = performance.now();
      if (w.__firstTask === undefined) w.__firstTask = t;
      w.__loads.push(t);
    });
  });
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e));
  page.on('console', (m) => m.type() === 'error' && console.error('console:', m.text()));
  page.on('response', (r) => r.status() >= 400 && console.error(`HTTP ${r.status()}: ${r.url()}`));
  await page.goto(server.url);
  await page.waitForSelector('body[data-ready]', { state: 'attached' });

  // ── setup: a 100k project (and the naive document) ──
  let t = performance.now();
  const id = await page.evaluate(
    (n) =>
      (window as unknown as { labelkitDemo: { createProject(s: object): Promise<string> } }).labelkitDemo.createProject({
        name: `Bench ${n} ${Date.now()}`,
        kind: 'image-classification-multiclass',
        labels: ['1', '2', '3', '4', '5', '6', '7', '8', '9', '0'],
        count: n,
      }),
    N,
  );
  const createMs = performance.now() - t;
  await page.goto(`${server.url}naive.html`);
  await page.waitForSelector('body[data-ready]', { state: 'attached' });
  t = performance.now();
  await page.evaluate((n) => (window as unknown as { naive: { create(n: number): Promise<void> } }).naive.create(n), N);
  const naiveCreateMs = performance.now() - t;

  // ── 1. page load → first task ──
  const lk: Load[] = [];
  const nv: number[] = [];
  const noHint: number[] = [];
  /** A new tab (empty sessionStorage: a new client id, no task of its own): the project's first look. */
  const firstVisit: Load[] = [];
  const split: { boot: number; painted: number; script: number; open: number; task: number }[] = [];
  for (let i = 0; i < LOADS; i++) {
    lk.push(await firstTaskLabelkit(page, `${server.url}?r=${i}#/p/${id}/label`));
    split.push(await phases(page));
    nv.push((await firstTaskLabelkit(page, `${server.url}naive.html?r=${i}`)).ready);
    // The same reload without the tab's task hint (as before it existed): the task waits for the project.
    await page.evaluate(() => {
      Object.keys(sessionStorage).forEach((k) => k.startsWith('labelkit:task-hint:') && sessionStorage.removeItem(k));
      Object.keys(localStorage).forEach((k) => k.startsWith('labelkit:first-look:') && localStorage.removeItem(k));
    });
    noHint.push((await firstTaskLabelkit(page, `${server.url}?nohint=${i}#/p/${id}/label`)).ready);
    // A first visit: a new tab of the same browser (sessionStorage empty, localStorage shared).
    await page.evaluate(() => sessionStorage.clear());
    firstVisit.push(await firstTaskLabelkit(page, `${server.url}?first=${i}#/p/${id}/label`));
  }

  // ── 2. per-submit latency ──
  // A labeler tags the four images (keys 1–4) and presses Enter. Run twice: at a fast labeler's pace
  // (PACE_MS between keystrokes), and back to back (each key as soon as the last frame is seen).
  await page.goto(`${server.url}#/p/${id}/label`);
  await page.waitForFunction(() => (window as unknown as { __firstTask?: number }).__firstTask !== undefined);
  const paced = await submitRun(page, SUBMITS, PACE_MS);
  const burst = await submitRun(page, SUBMITS, 0);
  const lkSubmit = paced.shown;
  const lkRendered = paced.dom;
  await page.goto(`${server.url}naive.html`);
  await page.waitForSelector('body[data-ready]', { state: 'attached' });
  const nvSubmit: number[] = await page.evaluate(async (k) => {
    const out: number[] = [];
    for (let i = 0; i < k; i++) {
      const t0 = performance.now();
      await (window as unknown as { naive: { submit(l: string): Promise<void> } }).naive.submit('1');
      await new Promise((r) => requestAnimationFrame(r));
      out.push(performance.now() - t0);
    }
    return out;
  }, SUBMITS);

  // ── 2b. reopen in the state real work leaves: 1,000 more submits (through the API), then reloads ──
  await page.goto(`${server.url}#/p/${id}/manage`);
  await page.waitForSelector('label-dashboard');
  const driveMs = (await page.evaluate(`(async (k) => {
    const project = window.labelkitDemo.project;
    const t0 = performance.now();
    for (let i = 0; i < k; i++) {
      const t = await project.nextTask({ size: 1 });
      if (!t) break;
      await project.submit(t.id, [{ item: t.items[0].index, annotations: [{ kind: 'class', label: '1' }] }]);
    }
    return performance.now() - t0;
  })(${REOPEN_SUBMITS})`)) as number;
  const lkReopen: Load[] = [];
  const splitReopen: { boot: number; painted: number; script: number; open: number; task: number }[] = [];
  // The naive page again, load for load between these: its figure from the same minutes (the machine's
  // load may have changed since section 1).
  const nvLate: number[] = [];
  for (let i = 0; i < LOADS; i++) {
    lkReopen.push(await firstTaskLabelkit(page, `${server.url}?reopen=${i}#/p/${id}/label`));
    splitReopen.push(await phases(page));
    nvLate.push((await firstTaskLabelkit(page, `${server.url}naive.html?late=${i}`)).ready);
  }

  const probe = await hintReadProbe(page, `${server.url}naive.html`, LOADS);

  // ── 3. dashboard render at 100k ──
  await page.goto(`${server.url}#/p/${id}/manage`);
  await page.waitForSelector('body[data-ready]', { state: 'attached' });
  await page.waitForSelector('label-dashboard');
  // A string, not a function: tsx's keepNames helpers do not exist in the page.
  const dash = (await page.evaluate(`(async (reps) => {
    const project = window.labelkitDemo.project;
    const host = document.querySelector('label-dashboard');
    const out = { dashboard: [], data: [] };
    for (const tab of ['dashboard', 'data']) {
      for (let i = 0; i < reps; i++) {
        const el = document.createElement('label-dashboard');
        const t0 = performance.now();
        el.project = project;
        el.source = host.source;
        el.tab = tab;
        document.body.append(el);
        await el.updateComplete;
        el.getBoundingClientRect();
        await new Promise((r) => requestAnimationFrame(r));
        out[tab].push(performance.now() - t0);
        el.remove();
      }
    }
    return out;
  })(${LOADS})`)) as { dashboard: number[]; data: number[] };
  await page.goto(`${server.url}naive.html`);
  await page.waitForSelector('body[data-ready]', { state: 'attached' });
  const nvDash: number[] = await page.evaluate(async (reps) => {
    const out: number[] = [];
    for (let i = 0; i < reps; i++) {
      const t0 = performance.now();
      (window as unknown as { naive: { stats(): void } }).naive.stats();
      await new Promise((r) => requestAnimationFrame(r));
      out.push(performance.now() - t0);
    }
    return out;
  }, LOADS);

  await browser.close();
  await server.close();

  const rows: [string, number, number][] = [
    ['page load → first task shown (median ms)', median(lk.map((l) => l.shown)), median(nv)],
    ['page load → first task ready, commands on (median ms)', median(lk.map((l) => l.ready)), median(nv)],
    ['page load → first task, no task hint (as before; median ms)', median(noHint), median(nv)],
    ['page load → first task shown, a new tab (first look; median ms)', median(firstVisit.map((l) => l.shown)), median(nv)],
    ['page load → first task ready, a new tab (median ms)', median(firstVisit.map((l) => l.ready)), median(nv)],
    [
      `page load → first task shown, ${REOPEN_SUBMITS.toLocaleString('en')} submits later (median ms; naive: its loads in between)`,
      median(lkReopen.map((l) => l.shown)),
      median(nvLate),
    ],
    [
      `page load → first task ready, ${REOPEN_SUBMITS.toLocaleString('en')} submits later (median ms; naive: its loads in between)`,
      median(lkReopen.map((l) => l.ready)),
      median(nvLate),
    ],
    [`per-submit, Enter → next task's frame, ${PACE_MS} ms between keys (median ms)`, median(lkSubmit), median(nvSubmit)],
    [`per-submit, Enter → next task's frame, ${PACE_MS} ms between keys (p95 ms)`, p95(lkSubmit), p95(nvSubmit)],
    [`per-submit, Enter → next task in the DOM, ${PACE_MS} ms between keys (median ms)`, median(lkRendered), median(nvSubmit)],
    [`per-submit, Enter → next task in the DOM, ${PACE_MS} ms between keys (p95 ms)`, p95(lkRendered), p95(nvSubmit)],
    [`per-submit, Enter → next paint (Event Timing, 0 = under 16), ${PACE_MS} ms between keys (p95 ms)`, p95(paced.eventTiming), p95(nvSubmit)],
    [`per-submit, next task in the first frame after Enter, ${PACE_MS} ms between keys (% of submits)`, share(paced.firstFrame), NaN],
    ['per-submit, next task in the first frame after Enter, keys back to back (% of submits)', share(burst.firstFrame), NaN],
    ["per-submit, Enter → next task's frame, keys back to back (median ms)", median(burst.shown), median(nvSubmit)],
    ["per-submit, Enter → next task's frame, keys back to back (p95 ms)", p95(burst.shown), p95(nvSubmit)],
    ['per-submit, Enter → next paint (Event Timing, 0 = under 16), keys back to back (p95 ms)', p95(burst.eventTiming), p95(nvSubmit)],
    ['dashboard render, Dashboard tab (median ms)', median(dash.dashboard), median(nvDash)],
    ['dashboard render, Data tab first page (median ms)', median(dash.data), median(nvDash)],
  ];
  console.log(`\nUI benchmark — ${N.toLocaleString()} items, headless Chromium, IndexedDB (create: Labelkit ${createMs.toFixed(0)} ms, naive ${naiveCreateMs.toFixed(0)} ms)\n`);
  console.log('| measure | Labelkit | naive JSON document | naive / Labelkit |');
  console.log('|---|---:|---:|---:|');
  for (const [name, a, b] of rows) console.log(`| ${name} | ${a.toFixed(1)} | ${Number.isNaN(b) ? '—' : b.toFixed(1)} | ${Number.isNaN(b) ? '—' : `${(b / a).toFixed(2)}×`} |`);
  const fmt = (ls: Load[]) => ls.map((l) => `${l.shown.toFixed(0)}/${l.ready.toFixed(0)}${l.hinted ? ' (hint)' : l.stale ? ' (stale hint)' : ''}`).join(', ');
  console.log(`${REOPEN_SUBMITS} submits through the API took ${driveMs.toFixed(0)} ms; loads after them (shown/ready): ${fmt(lkReopen)} ms`);
  console.log(
    `\nLabelkit first-task loads (shown/ready): ${fmt(lk)} ms; without the hint: ${noHint.map((x) => x.toFixed(0)).join(', ')} ms; new tabs: ${fmt(firstVisit)} ms; naive: ${nv.map((x) => x.toFixed(0)).join(', ')} ms`,
  );
  console.log(
    `Reading a small record at page load, median: sessionStorage ${median(probe.sessionStorage).toFixed(2)} ms · IndexedDB open + get ${median(probe.indexedDB).toFixed(2)} ms`,
  );
  // The spread of each page-load series: p50 [p10–p90] over the loads.
  const q = (xs: number[], f: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * f))];
  const spread = (xs: number[]) => `${median(xs).toFixed(0)} [${q(xs, 0.1).toFixed(0)}–${q(xs, 0.9).toFixed(0)}]`;
  console.log(
    `Page loads, p50 [p10–p90] ms over ${LOADS}: reload shown ${spread(lk.map((l) => l.shown))}, ready ${spread(lk.map((l) => l.ready))} · new tab shown ${spread(firstVisit.map((l) => l.shown))}, ready ${spread(firstVisit.map((l) => l.ready))} · after submits shown ${spread(lkReopen.map((l) => l.shown))}, ready ${spread(lkReopen.map((l) => l.ready))} · no hint ${spread(noHint)} · naive ${spread(nv)}, between the loads after submits ${spread(nvLate)}`,
  );
  for (const [what, xs] of [
    ['reload', split],
    [`reload after ${REOPEN_SUBMITS} submits`, splitReopen],
  ] as const) {
    const m = (k: 'boot' | 'painted' | 'script' | 'open' | 'task') => median(xs.map((x) => x[k])).toFixed(0);
    console.log(
      `Labelkit ${what}, median split: boot.js runs at ${m('boot')} ms · held task painted at ${m('painted')} ms · main bundle evaluated at ${m('script')} ms · project opened (snapshot + journal) ${m('open')} ms · lease, render, images ${m('task')} ms`,
    );
  }
  mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
  writeFileSync(
    new URL('./results/ui.json', import.meta.url),
    JSON.stringify(
      {
        items: N,
        quick,
        createMs,
        naiveCreateMs,
        firstTask: {
          labelkit: lk,
          naive: nv,
          labelkitNoHint: noHint,
          labelkitFirstVisit: firstVisit,
          labelkitSplit: split,
          afterSubmits: { submits: REOPEN_SUBMITS, labelkit: lkReopen, labelkitSplit: splitReopen, naive: nvLate },
        },
        hintRead: probe,
        submit: { paceMs: PACE_MS, labelkit: paced, labelkitBackToBack: burst, naive: nvSubmit },
        dashboard: { labelkit: dash, naive: nvDash },
        rows,
      },
      null,
      2,
    ),
  );
}

await main();
