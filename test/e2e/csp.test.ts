// Strict CSP: the demo served with `style-src 'self'` (no 'unsafe-inline') and no inline script,
// all three elements mounted with real data (IndexedDB, the bundled digits, ML assist on WASM in its
// worker), and not one `securitypolicyviolation`. It also checks that the styles the elements set
// from data (label colours, bar widths, the position of the canvas's prelabel actions) did apply:
// a blocked `style="…"` attribute fails silently, so "no violation" alone is not enough, and the
// checks below fail on templates that bind `style="--c:${…}"` (see docs/components.md, "Strict CSP").
import { mkdirSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright';
import { buildDemoApart, demoDir, launch, watchErrors } from './harness.js';

const SHOTS = new URL('../../test-results/e2e/', import.meta.url).pathname;
let browser: Browser;
let server: { url: string; close: () => Promise<void> };
let policy: string;
let dist: string;

beforeAll(async () => {
  // Its own build folder: demo.test.ts rebuilds examples/vanilla/dist and may run at the same time.
  dist = buildDemoApart('csp');
  mkdirSync(SHOTS, { recursive: true });
  const mod = (await import(`${demoDir}scripts/serve.mjs`)) as { STRICT_CSP: string; serve: (o: { port: number; dir: string; csp: string }) => Promise<typeof server> };
  policy = mod.STRICT_CSP;
  server = await mod.serve({ port: 0, dir: dist, csp: policy });
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (dist) rmSync(dist, { recursive: true, force: true });
});

interface Violation {
  directive: string;
  blocked: string;
  sample: string;
  source: string;
}

/** `rgb(r, g, b)` → `#rrggbb` (what getComputedStyle gives back → how labels store colours). */
function hex(rgb: string): string {
  const m = /^rgba?\((\d+), (\d+), (\d+)(?:, ([\d.]+))?\)$/.exec(rgb);
  if (!m) return rgb;
  if (m[4] !== undefined && Number(m[4]) === 0) return 'transparent';
  return `#${[m[1], m[2], m[3]].map((v) => Number(v).toString(16).padStart(2, '0')).join('')}`;
}

type Demo = { labelkitDemo: { createProject(s: unknown): Promise<string>; registry: { open(id: string, o: unknown): Promise<import('@labelkit/core').Project> } } };

/** A page of its own that records every CSP violation (page and shadow roots) and console error. */
async function strictPage() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  // Before any of the page's own code runs (the event is composed and bubbles to window).
  await context.addInitScript(() => {
    const seen: unknown[] = ((window as unknown as { __csp: unknown[] }).__csp = []);
    window.addEventListener(
      'securitypolicyviolation',
      (e) => seen.push({ directive: e.effectiveDirective, blocked: e.blockedURI, sample: e.sample, source: `${e.sourceFile}:${e.lineNumber}` }),
      true,
    );
  });
  const page = await context.newPage();
  const errors = watchErrors(page);
  // Errors the ML worker logs count too (a violation inside the worker is not an event of this page:
  // what the worker needs is checked by its runs completing).
  page.on('worker', (w) => w.on('console', (m) => m.type() === 'error' && errors.push(`worker: ${m.text()}`)));
  const violations = (): Promise<Violation[]> => page.evaluate(() => (window as unknown as { __csp: Violation[] }).__csp);
  return { context, page, errors, violations };
}

it('mounts <label-queue>, <label-canvas> and <label-dashboard> under a strict CSP with zero violations, styles applied', { timeout: 240_000 }, async () => {
  const { context, page, errors, violations } = await strictPage();
  const base = `${server.url}?device=wasm&debounce=200`;
  let errorsSeen: string[] = ['the test did not get to its end'];
  try {
    const res = await page.goto(base);
    expect(res!.headers()['content-security-policy']).toBe("default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; worker-src 'self'");
    await page.waitForSelector('body[data-ready]');

    // ── a classification project with ML assist on, and a box project with a prelabel on every item ──
    const ids = await page.evaluate(async () => {
      const demo = (window as unknown as Demo).labelkitDemo;
      const classes = await demo.createProject({
        name: 'CSP digits',
        kind: 'image-classification-multiclass',
        labels: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
        count: 24,
        assist: { firstTrainingAt: 10, retrainEvery: 10, clustering: true },
        seed: 3,
        // Markdown with a table and raw HTML the sanitizer keeps (no styles: see the next test).
        instructions: 'Label **each image** with the digit it shows.\n\n| key | label |\n|:-:|---|\n| 1 | 0 |\n\n<p align="center"><em>Raw HTML</em> paragraph.</p>\n\nThe end.',
      });
      const boxes = await demo.createProject({ name: 'CSP boxes', kind: 'image-object-detection', labels: ['digit', 'smudge'], count: 4 });
      const p = await demo.registry.open(boxes, { actor: { id: 'ana', role: 'owner' } });
      const run = await p.startRun('detection');
      await p.proposePrelabels(
        run,
        [0, 1, 2, 3].map((item) => ({ item, annotations: [{ kind: 'box' as const, label: p.labels[0].id, x: 30, y: 30, w: 50, h: 50 }] })),
      );
      await p.finishRun(run, 'completed');
      p.close();
      return { classes, boxes };
    });

    // ── the queue: palette, label four digits (keys 1–4, Enter), tag one image of the next task ──
    await page.goto(`${base}#/p/${ids.classes}/label`);
    await page.waitForSelector('body[data-ready]');
    await page.waitForFunction(() => document.querySelector('label-queue')?.shadowRoot?.querySelector('[part~="tile"] img') !== null);
    // ML assist ran in its worker under this policy (onnxruntime-web: 'wasm-unsafe-eval', worker-src 'self').
    await page.waitForFunction(
      () => {
        const runs = document.querySelector('label-queue')!.project!.runs;
        return runs.some((r) => r.kind === 'featurization' && r.status !== 'running') && runs.some((r) => r.kind === 'clustering' && r.status !== 'running');
      },
      undefined,
      { timeout: 120_000 },
    );
    // The instructions, opened.
    await page.evaluate(() => (document.querySelector('label-queue')!.shadowRoot!.querySelector<HTMLDetailsElement>('details.instructions')!.open = true));
    const md = await page.evaluate(() => document.querySelector('label-queue')!.shadowRoot!.querySelector('.md')!.innerHTML);
    expect(md).toContain('<strong>each image</strong>');
    expect(md).toContain('<em>Raw HTML</em> paragraph.');
    expect(md).toContain('The end.');
    const first = await page.evaluate(() => document.querySelector('label-queue')!.currentTask!.id);
    for (const k of ['1', '2', '3', '4']) await page.keyboard.press(k);
    await page.keyboard.press('Enter');
    await page.waitForFunction((prev) => {
      const q = document.querySelector('label-queue')!;
      return q.project!.stats().counts.labeled === 4 && !!q.currentTask && q.currentTask.id !== prev && !!q.shadowRoot!.querySelector('[part~="tile"] img');
    }, first);
    await page.keyboard.press('5');
    await page.waitForFunction(() => document.querySelector('label-queue')!.shadowRoot!.querySelector('[part~="tile"] .tag') !== null);
    const queue = await page.evaluate(() => {
      const q = document.querySelector('label-queue')!;
      const root = q.shadowRoot!;
      const color = (name: string) => q.project!.labels.find((l) => l.name === name)!.color;
      return {
        // Palette buttons are in the project's label order (a pressed one is outlined in the accent colour).
        palette: [...root.querySelectorAll<HTMLElement>('[part~="palette"] .label')].map((b, n) => ({
          want: q.project!.labels[n].color,
          got: getComputedStyle(b).borderLeftColor,
          pressed: b.ariaPressed === 'true',
        })),
        tags: [...root.querySelectorAll<HTMLElement>('[part~="tile"] .tag')].map((t) => ({ want: color(t.textContent!.trim()), got: getComputedStyle(t).backgroundColor })),
      };
    });
    expect(queue.palette.length).toBe(10);
    expect(queue.palette.filter((p) => !p.pressed).length).toBeGreaterThanOrEqual(9);
    for (const p of queue.palette.filter((p) => !p.pressed)) expect(hex(p.got)).toBe(p.want);
    expect(queue.tags.length).toBe(1);
    for (const t of queue.tags) expect(hex(t.got)).toBe(t.want);
    await page.screenshot({ path: `${SHOTS}csp-queue.png` });

    // ── a reload: the page's first script (boot.ts) draws the held task before the bundle, its styles
    // a constructed sheet (no <style> element, which this policy would block) ──
    const held = await page.evaluate(() => document.querySelector('label-queue')!.currentTask!.id);
    await page.addInitScript(() =>
      document.addEventListener('label-task-preview', (e) => {
        const q = e.target as HTMLElement;
        const tile = q.querySelector<HTMLElement>(':scope > [data-first-look] .tile');
        (window as unknown as { __early: unknown }).__early = {
          id: (e as CustomEvent<{ task: { id: string } }>).detail.task.id,
          upgraded: !!customElements.get('label-queue'),
          grid: tile && getComputedStyle(tile.parentElement!).display,
          radius: tile && getComputedStyle(tile).borderTopLeftRadius,
        };
      }),
    );
    await page.reload();
    await page.waitForFunction((id) => document.querySelector('label-queue')?.currentTask?.id === id, held);
    const early = await page.evaluate(() => (window as unknown as { __early: unknown }).__early);
    expect(early, 'drawn before the bundle ran, styled').toEqual({ id: held, upgraded: false, grid: 'grid', radius: '8px' });
    expect(await page.evaluate(() => document.querySelector('label-queue > [data-first-look]')), 'replaced by the real task').toBe(null);

    // ── the dashboard: stacked bar + legend, label distribution, the bar to the next training run ──
    await page.click('.tabs button[data-tab=manage]');
    // (A hidden dashboard skips re-renders and catches up when shown: wait for the 4 labels.)
    await page.waitForFunction(() => document.querySelector('label-dashboard')?.shadowRoot?.querySelector('[role=progressbar]')?.getAttribute('aria-valuenow') === '4');
    const dash = await page.evaluate(() => {
      const d = document.querySelector('label-dashboard')!;
      const root = d.shadowRoot!;
      const labels = d.project!.labels;
      const bar = root.querySelector<HTMLElement>('[role=progressbar]')!;
      return {
        legend: [...root.querySelectorAll<HTMLElement>('.legend .key')].map((k) => ({
          key: k.dataset.key,
          want: root.querySelector(`rect.seg[data-key="${k.dataset.key}"]`)!.getAttribute('fill'),
          got: getComputedStyle(k.querySelector('i')!).backgroundColor,
          width: k.querySelector('i')!.getBoundingClientRect().width,
        })),
        // Each bar list (queue by lane, label distribution) is scaled to its own largest value.
        bars: [...root.querySelectorAll<HTMLElement>('.bars')].map((list) =>
          [...list.querySelectorAll<HTMLElement>('.bar-row')].map((r) => ({
            key: r.dataset.key!,
            label: labels.find((l) => l.id === r.dataset.key)?.color,
            got: getComputedStyle(r.querySelector('.bar-fill')!).backgroundColor,
            value: Number(r.querySelector('.bar-value')!.textContent!.replace(/\D/g, '')),
            share: r.querySelector('.bar-fill')!.getBoundingClientRect().width / r.querySelector('.bar-track')!.getBoundingClientRect().width,
          })),
        ),
        training: {
          value: Number(bar.getAttribute('aria-valuenow')),
          max: Number(bar.getAttribute('aria-valuemax')),
          share: bar.querySelector('span')!.getBoundingClientRect().width / bar.getBoundingClientRect().width,
        },
      };
    });
    expect(dash.legend.map((l) => l.key)).toContain('labeled');
    for (const l of dash.legend) {
      expect(hex(l.got), `legend swatch ${l.key}`).toBe(l.want);
      expect(l.width).toBeGreaterThan(0);
    }
    // The label distribution: every label in its colour; labels 0–3 have one image each.
    const byLabel = dash.bars.flat().filter((b) => b.label);
    expect(byLabel.length).toBe(10);
    for (const b of byLabel) expect(hex(b.got), `bar ${b.key}`).toBe(b.label);
    expect(byLabel.filter((b) => b.value > 0).map((b) => b.value)).toEqual([1, 1, 1, 1]);
    for (const list of dash.bars) {
      const max = Math.max(1, ...list.map((b) => b.value));
      for (const b of list) {
        expect(hex(b.got), `bar ${b.key}`).toMatch(/^#[0-9a-f]{6}$/);
        expect(b.share, `bar ${b.key}`).toBeCloseTo(b.value / max, 2);
      }
    }
    // 4 labels of the 10 before the first training run: the bar is 40 % wide, not 100 %.
    expect(dash.training).toMatchObject({ value: 4, max: 10 });
    expect(dash.training.share).toBeCloseTo(0.4, 2);
    await page.screenshot({ path: `${SHOTS}csp-dashboard.png`, fullPage: true });

    // Data tab: state badges and label chips.
    await page.evaluate(() => (document.querySelector('label-dashboard')!.tab = 'data'));
    await page.waitForFunction(() => document.querySelector('label-dashboard')!.shadowRoot!.querySelectorAll('.chip').length >= 4);
    const data = await page.evaluate(() => {
      const d = document.querySelector('label-dashboard')!;
      const root = d.shadowRoot!;
      return {
        chips: [...root.querySelectorAll<HTMLElement>('.chip')].map((c) => ({
          want: d.project!.labels.find((l) => l.name === c.textContent!.trim())!.color,
          got: getComputedStyle(c).borderLeftColor,
        })),
        states: [...root.querySelectorAll<HTMLElement>('.state')].map((s) => ({ state: s.textContent!.trim(), got: getComputedStyle(s).borderLeftColor })),
      };
    });
    expect(data.chips.length).toBe(4);
    for (const c of data.chips) expect(hex(c.got)).toBe(c.want);
    const labeledColor = dash.legend.find((l) => l.key === 'labeled')!.want;
    expect(data.states.filter((s) => s.state === 'labeled').map((s) => hex(s.got))).toEqual([labeledColor, labeledColor, labeledColor, labeledColor]);
    await page.screenshot({ path: `${SHOTS}csp-data.png`, fullPage: true });

    // Details tab: label swatches and the instructions (markdown, sanitized) preview.
    await page.evaluate(() => (document.querySelector('label-dashboard')!.tab = 'details'));
    await page.waitForFunction(() => document.querySelector('label-dashboard')!.shadowRoot!.querySelector('.label-list li i') !== null);
    const details = await page.evaluate(() => {
      const d = document.querySelector('label-dashboard')!;
      const root = d.shadowRoot!;
      return {
        swatches: [...root.querySelectorAll<HTMLElement>('.label-list li')].map((li, n) => ({
          want: d.project!.labels[n].color,
          got: getComputedStyle(li.querySelector('i')!).backgroundColor,
        })),
        instructions: root.querySelector('.md')?.innerHTML ?? '',
      };
    });
    expect(details.swatches.length).toBe(10);
    for (const s of details.swatches) expect(hex(s.got)).toBe(s.want);
    expect(details.instructions).toContain('<strong>each image</strong>');
    await page.screenshot({ path: `${SHOTS}csp-details.png`, fullPage: true });

    // ML assist did its work under the policy (a blocked worker or WASM compile fails the run).
    const runs = await page.evaluate(() => document.querySelector('label-queue')!.project!.runs.map((r) => ({ kind: r.kind, status: r.status, device: r.device, error: r.error })));
    expect(runs.filter((r) => r.status !== 'completed' && r.status !== 'running')).toEqual([]);
    expect(runs.find((r) => r.kind === 'featurization')).toMatchObject({ status: 'completed', device: 'wasm' });
    // …on WASM threads: onnxruntime-web starts them as workers from its own script (worker-src 'self').
    const engine = await page.evaluate(() =>
      (
        window as unknown as { labelkitDemo: { assist: { loop: { assistant: { info(): Promise<{ device: string; threads: number; crossOriginIsolated: boolean }> } } } } }
      ).labelkitDemo.assist.loop.assistant.info(),
    );
    expect(engine).toMatchObject({ device: 'wasm', crossOriginIsolated: true });
    expect(engine.threads).toBeGreaterThanOrEqual(2);

    // ── the canvas: a box project, a prelabel selected, its Accept/Reject bar placed at the box ──
    await page.goto(`${base}#/p/${ids.boxes}/label`);
    await page.waitForSelector('body[data-ready]');
    const at = await canvasPoint(page, 55, 55);
    await page.mouse.click(...at);
    await page.waitForFunction(() => !!document.querySelector('label-queue')!.shadowRoot!.querySelector('label-canvas')!.shadowRoot!.querySelector('[part~="prelabel-actions"]'));
    const actions = await page.evaluate(() => {
      const c = document.querySelector('label-queue')!.shadowRoot!.querySelector('label-canvas')!;
      const el = c.shadowRoot!.querySelector<HTMLElement>('[part~="prelabel-actions"]')!;
      const base = c.shadowRoot!.querySelector<HTMLElement>('[part~="base"]')!.getBoundingClientRect();
      const r = el.getBoundingClientRect();
      const [, boxTop] = c.imageToClient(30, 30);
      return { left: el.style.left, top: el.style.top, dx: r.left - base.left, bottom: r.bottom, boxTop };
    });
    expect(actions.left).toMatch(/px$/);
    expect(actions.dx).toBeCloseTo(parseFloat(actions.left), 0);
    // The bar sits just above the box's top edge (translateY(-100%)), not at the canvas's corner.
    expect(Math.abs(actions.bottom - actions.boxTop)).toBeLessThan(2);
    const palette = await page.evaluate(() => {
      const q = document.querySelector('label-queue')!;
      return [...q.shadowRoot!.querySelectorAll<HTMLElement>('[part~="palette"] .label')].map((b, n) => ({
        want: q.project!.labels[n].color,
        got: getComputedStyle(b).borderLeftColor,
        pressed: b.ariaPressed === 'true',
      }));
    });
    expect(palette.filter((p) => !p.pressed).length).toBe(1);
    for (const p of palette.filter((p) => !p.pressed)) expect(hex(p.got)).toBe(p.want);
    await page.screenshot({ path: `${SHOTS}csp-canvas.png` });

    // ── none of the above violated the policy ──
    expect(await violations()).toEqual([]);

    errorsSeen = errors.filter((e) => !/favicon|Failed to load resource/.test(e));

    // The control: the policy is live and the listener hears it — a style attribute is refused.
    const refused = await page.evaluate(() => {
      const probe = document.createElement('b');
      probe.setAttribute('style', 'color: rgb(1, 2, 3)');
      document.body.append(probe);
      return getComputedStyle(probe).color;
    });
    expect(refused).not.toBe('rgb(1, 2, 3)');
    await expect.poll(async () => (await violations()).map((v) => v.directive)).toEqual(['style-src-attr']);
  } finally {
    await page.screenshot({ path: `${SHOTS}csp-last.png`, fullPage: true }).catch(() => undefined);
    await context.close();
  }
  // Console errors before the control: none.
  expect(errorsSeen).toEqual([]);
});

/** Page coordinates of an image point on the queue's canvas (waits for the image and the layout). */
async function canvasPoint(page: Page, x: number, y: number): Promise<[number, number]> {
  await page.waitForFunction(() => {
    const c = document.querySelector('label-queue')?.shadowRoot?.querySelector('label-canvas');
    const r = c?.getBoundingClientRect();
    return !!c?.imageSize && !!r && r.width > 0 && r.height > 0;
  });
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  return page.evaluate(
    ([x, y]) => {
      const [cx, cy] = document.querySelector('label-queue')!.shadowRoot!.querySelector('label-canvas')!.imageToClient(x, y);
      return [Math.round(cx), Math.round(cy)] as [number, number];
    },
    [x, y],
  );
}

it('instructions with inline styles: sanitized, nothing applied, nothing reported', { timeout: 120_000 }, async () => {
  const { context, page, errors, violations } = await strictPage();
  try {
    await page.goto(server.url);
    await page.waitForSelector('body[data-ready]');
    const id: string = await page.evaluate(() =>
      (window as unknown as Demo).labelkitDemo.createProject({
        name: 'CSP instructions',
        kind: 'image-classification-multiclass',
        labels: ['a', 'b'],
        count: 4,
        instructions: 'Read **this**.\n\n<p style="color: rgb(1, 2, 3)">A styled paragraph.</p>\n\n<style>label-queue { display: none }</style>\n\nThe end.',
      }),
    );
    await page.goto(`${server.url}#/p/${id}/label`);
    await page.waitForSelector('body[data-ready]');
    await page.waitForFunction(() => document.querySelector('label-queue')?.shadowRoot?.querySelector('.md p') != null);
    const shown = await page.evaluate(() => {
      const q = document.querySelector('label-queue')!;
      q.shadowRoot!.querySelector<HTMLDetailsElement>('details.instructions')!.open = true;
      const md = q.shadowRoot!.querySelector('.md')!;
      const p = [...md.querySelectorAll('p')].find((x) => x.textContent === 'A styled paragraph.')!;
      return { html: md.innerHTML, color: getComputedStyle(p).color, queue: getComputedStyle(q).display };
    });
    // The allow-list (controllers/markdown.ts) drops the style attribute and the <style> element.
    expect(shown.html).toContain('<strong>this</strong>');
    expect(shown.html).toContain('The end.');
    expect(shown.html).not.toMatch(/<style\b|\sstyle=/i);
    expect(shown.color).not.toBe('rgb(1, 2, 3)');
    expect(shown.queue).not.toBe('none');
    // Chromium checks the policy while DOMPurify parses the author's raw HTML, even in an inert
    // document: the style markup is taken out before that parse, so no refusal is reported. Reports
    // come as events: a refusal made now (an inline script) arrives after any made before it.
    await page.evaluate(() => {
      const s = document.createElement('script');
      s.textContent = '0';
      document.body.append(s);
    });
    await page.waitForFunction(() => (window as unknown as { __csp: Violation[] }).__csp.some((v) => v.directive.startsWith('script-src')));
    expect((await violations()).map((v) => v.directive)).toEqual(['script-src-elem']);
    // The console's copy of the script refusal above is the only error.
    expect(errors.filter((e) => !/favicon|Failed to load resource|^Executing inline script violates/.test(e))).toEqual([]);
  } finally {
    await context.close();
  }
});
