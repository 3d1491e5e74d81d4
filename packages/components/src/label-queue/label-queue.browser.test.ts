// <label-queue> in real Chromium on real projects (MemoryStore, PNG images), driven by real
// keyboard input (Playwright through @web/test-runner-commands).
import { expect } from '@esm-bundle/chai';
import { sendKeys } from '@web/test-runner-commands';
import type { Project } from '@labelkit/core';
import { DIGIT_LABELS, demoProject, type DemoOptions } from '../../test/demo-project.js';
import './label-queue.js';
import type { LabelQueue } from './label-queue.component.js';
import type { LabelCanvas } from '../label-canvas/label-canvas.component.js';
import { LabelQueueHarness } from './label-queue.harness.js';

async function mount(o: DemoOptions & { grid?: 1 | 4 | 6 | 9 } = {}, existing?: { project: Project; source?: unknown }) {
  const demo = existing ? undefined : await demoProject(o);
  const el = document.createElement('label-queue');
  el.style.cssText = 'display:block;width:900px';
  el.autosaveDelay = 20;
  if (o.grid) el.gridSize = o.grid;
  el.project = existing?.project ?? demo!.project;
  el.source = (existing?.source ?? demo!.source) as LabelQueue['source'];
  document.body.append(el);
  const h = new LabelQueueHarness(el, { press: (key) => sendKeys({ press: key }) });
  await h.ready();
  return { h, el, project: el.project!, demo };
}

/** Resolves once the canvas shows its image (at once when it already does). */
function imageShown(canvas: LabelCanvas): Promise<unknown> {
  return canvas.imageSize ? Promise.resolve() : new Promise((r) => canvas.addEventListener('label-image-load', r, { once: true }));
}

describe('<label-queue>', () => {
  afterEach(() => document.querySelectorAll('label-queue').forEach((e) => e.remove()));

  it('shows sanitized markdown instructions, the palette with keys, the lane and a grid of 4', async () => {
    const { h } = await mount({ instructions: '# Digits\n\nTag **each** image.<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>' });
    const md = h.part('instructions')!;
    expect(md.querySelector('h1')!.textContent).to.equal('Digits');
    expect(md.querySelector('strong')!.textContent).to.equal('each');
    expect(md.querySelector('script')).to.equal(null);
    expect(md.querySelector('img')!.hasAttribute('onerror')).to.equal(false);
    expect((window as { __pwned?: number }).__pwned).to.equal(undefined);
    const labels = [...h.root.querySelectorAll('[part~="label"]')];
    expect(labels.length).to.equal(10);
    expect(labels[0].querySelector('kbd')!.textContent).to.equal('1');
    expect(labels[9].querySelector('kbd')!.textContent).to.equal('0'); // the tenth label has key 0
    expect(labels[0].getAttribute('aria-keyshortcuts')).to.equal('1');
    expect(labels[0].querySelector('.label-name')!.textContent).to.equal('digit 0');
    expect(h.part('lane')!.textContent).to.equal('manual');
    expect(h.tiles().length).to.equal(4);
    expect(h.button('submit').disabled).to.equal(true);
  });

  it('asks for one task once when mounted', async () => {
    const demo = await demoProject({ items: 8 });
    let leases = 0;
    const next = demo.project.nextTask.bind(demo.project);
    demo.project.nextTask = (o) => (leases++, next(o));
    let loads = 0;
    const count = () => loads++;
    document.addEventListener('label-task-load', count);
    try {
      const { el } = await mount({}, demo);
      // A second load would start from the element's update or the project's change (one frame).
      await el.updateComplete;
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      expect(loads).to.equal(1);
      expect(leases, 'one nextTask call').to.equal(1);
      expect(demo.project.stats().counts.assigned).to.equal(4);
      expect(el.user).to.deep.equal({ id: 'ana', role: 'owner' });
    } finally {
      document.removeEventListener('label-task-load', count);
    }
  });

  it('labels a classification task from the keyboard alone: 1–9 tag and move on, Enter submits', async () => {
    const { h, el, project } = await mount();
    await h.focus();
    const submitted = h.next('label-task-submit');
    await h.press('2', '3', '4');
    expect(h.tags()).to.deep.equal([['digit 1'], ['digit 2'], ['digit 3'], []]);
    expect(h.button('submit').disabled).to.equal(true);
    await h.press('5');
    expect(h.button('submit').disabled).to.equal(false);
    const task = el.currentTask!;
    await h.press('Enter');
    const detail = await submitted;
    expect(detail.taskId).to.equal(task.id);
    expect(detail.items).to.deep.equal(task.items.map((i) => i.index));
    await h.ready();
    expect(project.stats().counts.labeled).to.equal(4);
    expect(project.item(task.items[3].index).annotations).to.deep.equal([{ kind: 'class', label: project.labels[4].id }]);
    expect(el.currentTask!.id).to.not.equal(task.id);
  });

  it('selects with Space and arrows, tags the selection, and skips only the selected images', async () => {
    const { h, el, project } = await mount();
    await h.focus();
    await h.press('Space', 'ArrowRight', 'Space');
    expect(h.tiles().map((t) => t.getAttribute('aria-selected'))).to.deep.equal(['true', 'true', 'false', 'false']);
    await h.press('7');
    expect(h.tags().slice(0, 2)).to.deep.equal([['digit 6'], ['digit 6']]);
    const task = el.currentTask!;
    const skipped = h.next('label-task-skip');
    await h.press('s');
    expect((await skipped).items).to.deep.equal(task.items.slice(0, 2).map((i) => i.index));
    await el.updateComplete;
    expect(project.stats().counts.skipped).to.equal(2);
    expect(el.currentTask!.id).to.equal(task.id);
    expect(h.tiles().length).to.equal(2);
  });

  it('multi-label: A selects all, each key toggles its tag on the selection', async () => {
    const { h, project } = await mount({ kind: 'image-classification-multilabel', labels: ['round', 'straight', 'curly'] });
    await h.focus();
    await h.press('a', '1', '3');
    expect(h.tags()).to.deep.equal(Array(4).fill(['round', 'curly']));
    await h.press('3');
    expect(h.tags()).to.deep.equal(Array(4).fill(['round']));
    const submitted = h.next('label-task-submit');
    await h.press('Escape', 'ArrowRight', 'Space', '2', 'Enter');
    await submitted;
    const done = [...project.items({ states: ['labeled'] })];
    expect(done.length).to.equal(4);
    expect(done.map((d) => d.annotations.length).sort()).to.deep.equal([1, 1, 1, 2]);
  });

  it('autosaves a draft; a new element on the same project restores the task and its tags', async () => {
    const { h, el, project, demo } = await mount({ items: 12 });
    await h.focus();
    const saved = h.next('label-draft-save');
    await h.press('1', '2');
    await saved;
    const taskId = el.currentTask!.id;
    el.remove();
    // A "reload": the project reopened from the same store, a fresh element.
    const again = await demo!.openAs(project.id, 'owner');
    const loaded = new Promise<{ restored: boolean }>((r) =>
      document.addEventListener('label-task-load', (e) => r((e as CustomEvent<{ restored: boolean }>).detail), { once: true }),
    );
    const { h: h2, el: el2 } = await mount({}, { project: again, source: demo!.source });
    expect((await loaded).restored).to.equal(true);
    expect(el2.currentTask!.id).to.equal(taskId);
    expect(h2.tags()).to.deep.equal([['digit 0'], ['digit 1'], [], []]);
    expect(h2.part('draft-status')!.textContent).to.equal('Draft saved');
  });

  it('changing the grid keeps the tags given; the next task has the new size', async () => {
    const { h, el } = await mount();
    await h.focus();
    await h.press('1');
    await h.press('g'); // 4 → 6
    expect(el.gridSize).to.equal(6);
    expect(h.tags()[0]).to.deep.equal(['digit 0']);
    await h.press('2', '3', '4');
    const loaded = h.next('label-task-load');
    await h.press('Enter');
    await loaded;
    await h.ready();
    expect(el.currentTask!.items.length).to.equal(6);
    expect(h.tiles().length).to.equal(6);
  });

  it('prelabeled tasks come first, pre-filled as suggestions; Enter confirms them', async () => {
    const { h, el, project } = await mount({ prelabeled: 4 });
    expect(h.part('lane')!.textContent).to.equal('prelabeled');
    expect(h.root.querySelectorAll('.tag.suggested').length).to.equal(4);
    const items = el.currentTask!.items;
    await h.focus();
    const submitted = h.next('label-task-submit'); // the write is confirmed after the next task shows
    await h.press('Enter');
    await submitted;
    await h.ready();
    for (const it of items) expect(project.item(it.index).annotations.map((a) => a.label)).to.deep.equal(it.prelabels!.map((a) => a.label));
  });

  it('V marks the task for review', async () => {
    const { h, project } = await mount();
    await h.focus();
    const submitted = h.next('label-task-submit');
    await h.press('v', '1', '1', '1', '1', 'Enter');
    expect((await submitted).needsReview).to.equal(true);
    expect(project.stats().counts['needs-review']).to.equal(4);
  });

  it('box projects: one image on a <label-canvas>; T drops a box, Enter submits it, the image size is recorded', async () => {
    const { h, el, project } = await mount({ kind: 'image-object-detection', items: 5 });
    const canvas = h.canvas()!;
    for (let i = 0; i < 200 && !canvas.imageSize; i++) await new Promise((r) => setTimeout(r, 10));
    expect(canvas.imageSize!.width).to.equal(64);
    canvas.focus();
    const item = el.currentTask!.items[0].index;
    await h.press('t');
    expect(el.annotationsOf(item).length).to.equal(1);
    const submitted = h.next('label-task-submit');
    await h.press('Enter');
    await submitted;
    const saved = project.item(item);
    expect(saved.state).to.equal('labeled');
    expect(saved.annotations[0].kind).to.equal('box');
    expect(saved.width).to.equal(64);
  });

  it('box prelabels: drawing a box leaves the proposals; Submit sends the box and the proposals as accepted; a draft keeps what was rejected', async () => {
    const { h, el, project, demo } = await mount({ kind: 'image-object-detection', items: 4, prelabeled: 4 });
    const canvas = h.canvas()!;
    await imageShown(canvas);
    const item = el.currentTask!.items[0].index;
    const proposed = canvas.prelabels.length;
    expect(proposed).to.be.greaterThan(0);
    canvas.focus();
    await h.press('t');
    expect(canvas.prelabels.length, 'the proposals stay on screen').to.equal(proposed);
    expect(el.annotationsOf(item).length).to.equal(1);
    // A draft: a new element on the same project shows the box and the proposals still undecided.
    const saved = h.next('label-draft-save');
    canvas.rejectPrelabels([canvas.prelabels[0].id!]);
    await saved;
    const again = await demo!.openAs(project.id, 'owner');
    el.remove();
    const { h: h2, el: el2 } = await mount({}, { project: again, source: demo!.source });
    const canvas2 = h2.canvas()!;
    await imageShown(canvas2);
    expect(canvas2.annotations.length).to.equal(1);
    expect(canvas2.prelabels.length, 'the rejected proposal stays rejected').to.equal(proposed - 1);
    canvas2.focus();
    const submitted = h2.next('label-task-submit');
    await h2.press('Enter');
    await submitted;
    const anns = again.item(item).annotations;
    expect(anns.length).to.equal(proposed);
    expect(anns.every((a) => a.confidence === undefined)).to.equal(true);
    expect(el2.currentTask?.items[0].index).to.not.equal(item);
  });

  it('an image the browser cannot decode is set aside as unreadable; the task goes on without it', async () => {
    const demo = await demoProject({ items: 8 });
    const first = (await demo.project.nextTask({ size: 4 }))!;
    await demo.project.release(first.id);
    const bad = first.items[1];
    demo.source.set(bad.path, new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3])); // a PNG signature, then garbage
    const { h, el, project } = await mount({}, demo);
    for (let i = 0; i < 300 && project.item(bad.index).state !== 'unreadable'; i++) await new Promise((r) => setTimeout(r, 10));
    expect(project.item(bad.index).state).to.equal('unreadable');
    expect(project.item(bad.index).unreadable!.code).to.equal('E_CORRUPT_IMAGE');
    await el.updateComplete;
    expect(el.currentTask!.items.map((i) => i.index)).to.not.include(bad.index);
    expect(h.tiles().length).to.equal(3);
  });

  it('key 0 tags with the tenth label', async () => {
    const { h } = await mount();
    await h.focus();
    await h.press('0');
    expect(h.tags()[0]).to.deep.equal(['digit 9']);
  });

  it('the grid picker says a new size applies from the next task; skipping 2 of 6 keeps 3 columns', async () => {
    const { h, el } = await mount({ grid: 6, items: 12 });
    expect(h.part('grid')!.className).to.contain('cols-3');
    const nine = [...h.root.querySelectorAll<HTMLButtonElement>('.grid-pick .size')].find((b) => b.textContent === '9')!;
    nine.click();
    await el.updateComplete;
    expect(h.tiles().length).to.equal(6);
    expect(h.part('grid-hint')!.textContent).to.equal('9 per task from the next task');
    const six = [...h.root.querySelectorAll<HTMLButtonElement>('.grid-pick .size')].find((b) => b.textContent === '6')!;
    expect(six.classList.contains('current')).to.equal(true);
    six.click();
    await el.updateComplete;
    expect(h.part('grid-hint')).to.equal(null);
    await h.focus();
    await h.press('Space', 'ArrowRight', 'Space', 's');
    await el.updateComplete;
    expect(h.tiles().length).to.equal(4);
    expect(h.part('grid')!.className, 'no reflow to 2 columns').to.contain('cols-3');
  });

  it("region projects: only the kind's tools (no P in a box project); the palette shows the active label and the selection's apart", async () => {
    const { h, el } = await mount({ kind: 'image-object-detection', items: 3, labels: DIGIT_LABELS });
    const canvas = h.canvas()!;
    for (let i = 0; i < 200 && !canvas.imageSize; i++) await new Promise((r) => setTimeout(r, 10));
    expect(canvas.shapes).to.deep.equal(['box']);
    canvas.focus();
    await h.press('p');
    expect(canvas.mode).to.equal('box');
    const pressed = () =>
      [...h.root.querySelectorAll('[part~="label"]')].filter((b) => b.getAttribute('aria-pressed') === 'true').map((b) => b.querySelector('.label-name')!.textContent);
    expect(pressed()).to.deep.equal(['digit 0']);
    // 2 with nothing selected: label 2 is active AND highlighted.
    await h.press('2');
    await el.updateComplete;
    expect(canvas.activeLabel).to.equal(el.project!.labels[1].id);
    expect(pressed()).to.deep.equal(['digit 1']);
    expect(h.part('palette-state')!.textContent!.replace(/\s+/g, ' ').trim()).to.equal('New shapes: digit 1');
    // Right after drawing (T), 3 picks the next shape's label; the new box keeps label 2 and is shown as selected.
    await h.press('t');
    await h.press('3');
    await el.updateComplete;
    expect(canvas.annotations[0].label).to.equal(el.project!.labels[1].id);
    expect(pressed()).to.deep.equal(['digit 2']);
    const marked = [...h.root.querySelectorAll('[part~="in-selection"]')].map((b) => b.querySelector('.label-name')!.textContent);
    expect(marked).to.deep.equal(['digit 1']);
    expect(h.part('palette-state')!.textContent!.replace(/\s+/g, ' ').trim()).to.equal('New shapes: digit 2 · Selected: digit 1');
  });

  it('role-aware: a labeler is not offered to requeue skipped items; an owner is', async () => {
    const opts = { items: 4, skipped: 4 } as const;
    const { h } = await mount({ ...opts, role: 'labeler' });
    expect(h.root.querySelector('.empty')).to.not.equal(null);
    expect(h.root.querySelector('.empty')!.textContent).to.not.contain('Requeue');
    const { h: h2 } = await mount(opts);
    const requeue = [...h2.root.querySelectorAll('.empty button')].find((b) => b.textContent!.includes('Requeue'));
    expect(requeue, 'requeue offered to the owner').to.not.equal(undefined);
  });
});
