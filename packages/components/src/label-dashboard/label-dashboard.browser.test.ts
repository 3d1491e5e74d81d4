// <label-dashboard> in real Chromium on real projects (MemoryStore, PNG images, the core's commands).
import { expect } from '@esm-bundle/chai';
import { demoProject, type DemoOptions } from '../../test/demo-project.js';
import { axeViolations } from '../../test/axe.js';
import './label-dashboard.js';
import type { LabelDashboard } from './label-dashboard.component.js';

/** Polls until `cond` holds (commands are async; they finish within a few ticks). */
async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function mount(o: DemoOptions = {}, tab: LabelDashboard['tab'] = 'dashboard') {
  const demo = await demoProject(o);
  const el = document.createElement('label-dashboard');
  el.style.cssText = 'display:block;width:1000px';
  el.project = demo.project;
  el.source = demo.source;
  el.tab = tab;
  document.body.append(el);
  await el.updateComplete;
  const root = el.shadowRoot!;
  const $ = <T extends Element = HTMLElement>(sel: string) => root.querySelector<T>(sel);
  const $$ = <T extends Element = HTMLElement>(sel: string) => [...root.querySelectorAll<T>(sel)];
  /** Waits for the project's change to reach the element (it re-renders once per frame). */
  const settle = async () => {
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    await el.updateComplete;
  };
  return { el, project: demo.project, demo, $, $$, settle };
}

describe('<label-dashboard>', () => {
  afterEach(() => document.querySelectorAll('label-dashboard').forEach((e) => e.remove()));

  it('Dashboard: progress by state with counts on hover, queue by lane, label distribution', async () => {
    const { $, $$ } = await mount({ items: 40, labeled: 12, skipped: 4, review: 4 });
    const titles = Object.fromEntries($$<SVGRectElement>('[part~="progress-chart"] rect.seg').map((r) => [r.dataset.key, r.querySelector('title')!.textContent]));
    expect(titles.labeled).to.equal('Labeled: 12 (30.0 %)');
    expect(titles['needs-review']).to.equal('Needs review: 4 (10.0 %)');
    expect(titles.skipped).to.equal('Skipped: 4 (10.0 %)');
    expect(titles.todo).to.equal('Not yet done: 20 (50.0 %)');
    const widths = $$<SVGRectElement>('rect.seg').map((r) => Number(r.getAttribute('width')));
    expect(widths.reduce((a, b) => a + b, 0)).to.be.closeTo(100, 1e-9);
    const lanes = Object.fromEntries(
      $$('.bar-row')
        .filter((r) => ['manual', 'clustered', 'prelabeled'].includes(r.dataset.key!))
        .map((r) => [r.dataset.key, r.querySelector('.bar-value')!.textContent]),
    );
    expect(lanes).to.deep.equal({ manual: '20', clustered: '0', prelabeled: '0' });
    const dist = $$('.card.wide .bar-row').map((r) => Number(r.querySelector('.bar-value')!.textContent));
    expect(dist.reduce((a, b) => a + b, 0)).to.equal(16); // labeled + needs review, one tag each
    expect($('.card:nth-child(3)')!.textContent).to.contain('ML assist is off');
  });

  it('Dashboard: runs with status and metrics, and the bar to the next training run', async () => {
    const { $, $$ } = await mount({ items: 40, labeled: 8, runs: true, prelabeled: 4, assist: true });
    const rows = $$('table.runs tbody tr').map((r) => r.querySelector('td')!.textContent);
    expect(rows).to.deep.equal(['inference', 'training', 'featurization']);
    expect($('table.runs')!.textContent).to.contain('accuracy: 0.930');
    const bar = $('[role=progressbar]')!;
    expect(bar.getAttribute('aria-valuemax')).to.equal('20'); // retrain every 20 after a completed training
    expect(bar.getAttribute('aria-valuenow')).to.equal(String(20 - Number(bar.nextElementSibling!.textContent!.match(/^(\d+)/)![1])));
    const lanes = Object.fromEntries(
      $$('.bar-row')
        .filter((r) => r.dataset.key === 'prelabeled')
        .map((r) => [r.dataset.key, r.querySelector('.bar-value')!.textContent]),
    );
    expect(lanes.prelabeled).to.equal('4');
  });

  it('Data: filters by label and state; Reject removes the labels and puts the item back in the queue', async () => {
    const { el, project, $, $$, settle } = await mount({ items: 40, labeled: 16 }, 'data');
    expect($$('[part~="item"]').length).to.equal(16);
    const label = project.labels[3].id;
    const select = $<HTMLSelectElement>('select[name=label]')!;
    select.value = label;
    select.dispatchEvent(new Event('change'));
    await el.updateComplete;
    const shown = $$('[part~="item"]');
    expect(shown.length).to.be.greaterThan(0);
    expect(shown.every((i) => project.item(Number(i.dataset.item)).annotations.some((a) => a.label === label))).to.equal(true);
    const target = Number(shown[0].dataset.item);
    const box = shown[0].querySelector<HTMLInputElement>('input[type=checkbox]')!;
    box.click();
    await el.updateComplete;
    el.rejectUndoMs = 0; // at once (Undo has its own test)
    const changed = new Promise<{ action: string; items: readonly number[] }>((r) => el.addEventListener('label-items-change', (e) => r(e.detail), { once: true }));
    $<HTMLButtonElement>('button.reject')!.click();
    expect(await changed).to.deep.equal({ action: 'reject', items: [target] });
    await settle();
    expect(project.item(target).state).to.equal('todo');
    expect(project.item(target).annotations).to.deep.equal([]);
    expect($$('[part~="item"]').some((i) => Number(i.dataset.item) === target)).to.equal(false);
    // Back at the front of the queue: the next task holds it.
    const t = await project.nextTask({ size: 4 });
    expect(t!.items.map((i) => i.index)).to.include(target);
    const state = $<HTMLSelectElement>('select[name=state]')!;
    state.value = 'assigned';
    state.dispatchEvent(new Event('change'));
    select.value = '';
    select.dispatchEvent(new Event('change'));
    await settle();
    expect($$('[part~="item"]').map((i) => Number(i.dataset.item))).to.include(target);
  });

  it('Details: add a label (continue), edit instructions, turn ML assist on', async () => {
    const { el, project, $, settle } = await mount({ items: 8 }, 'details');
    expect($('.store')!.textContent).to.contain(`projects/${project.id}/`);
    expect($('.source')!.textContent).to.contain('generated digits (8)');
    const name = $<HTMLInputElement>('input[name=label-name]')!;
    name.value = 'smudge';
    name.dispatchEvent(new Event('input'));
    await el.updateComplete;
    $<HTMLFormElement>('form.add-label')!.requestSubmit();
    await until(() => project.labels.some((l) => l.name === 'smudge'), 'the new label');
    await settle();
    expect($('.label-list')!.textContent).to.contain('smudge');
    const ta = $<HTMLTextAreaElement>('textarea[name=instructions]')!;
    ta.value = '## New rules\n\nZeros *with* a slash count.';
    ta.dispatchEvent(new Event('input'));
    await el.updateComplete;
    expect($('.md h2')!.textContent).to.equal('New rules'); // live preview
    $<HTMLButtonElement>('button.save-instructions')!.click();
    await until(() => project.instructions.startsWith('## New'), 'the instructions');
    expect(project.instructions).to.equal('## New rules\n\nZeros *with* a slash count.');
    $<HTMLInputElement>('input[name=assist]')!.click();
    await until(() => project.assist.enabled, 'assist on');
    await settle();
    el.tab = 'dashboard';
    await el.updateComplete;
    expect($('[role=progressbar]')).to.not.equal(null);
  });

  it('Details: Refresh now adds new files from the source', async () => {
    const { demo, project, $ } = await mount({ items: 8 }, 'details');
    demo.source.set('digits/new-1.png', await demo.source.read('digits/00000.png'));
    $<HTMLButtonElement>('button.refresh')!.click();
    await until(() => project.itemCount === 9, 'the new item');
    await until(() => !!$('[part~="message"]'), 'the refresh notice');
    expect($('[part~="message"]')!.textContent).to.contain('1 new');
  });

  it('exports COCO: the file has the labeled images and their categories', async () => {
    const { el, project } = await mount({ kind: 'image-object-detection', items: 10, labeled: 5 });
    const blob = (await el.exportCoco())!;
    const coco = JSON.parse(await blob.text());
    expect(coco.images.length).to.equal(5);
    expect(coco.annotations.length).to.equal(5);
    expect(coco.categories.map((c: { name: string }) => c.name)).to.deep.equal(project.labels.map((l) => l.name));
    expect(coco.annotations[0].bbox).to.deep.equal([8 + (coco.images[0].file_name.match(/(\d+)\.png/)[1] % 8), 6, 40, 50]);
  });

  it('Data: region items show their shapes over the thumbnail', async () => {
    const { project, $$ } = await mount({ kind: 'image-object-detection', items: 10, labeled: 3 }, 'data');
    const items = $$('[part~="item"]');
    expect(items.length).to.equal(3);
    for (const el of items) {
      const it = project.item(Number(el.dataset.item));
      const rect = el.querySelector('svg.shapes rect')!;
      expect(el.querySelector('svg.shapes')!.getAttribute('viewBox')).to.equal('0 0 64 64');
      const box = it.annotations[0] as { x: number; w: number };
      expect(Number(rect.getAttribute('x'))).to.equal(box.x);
      expect(Number(rect.getAttribute('width'))).to.equal(box.w);
    }
  });

  it('while hidden it skips re-renders, and catches up when shown', async () => {
    const { el, project, $, settle } = await mount({ items: 12 });
    const labeled = () => $('.legend [data-key=labeled] b')!.textContent;
    expect(labeled()).to.equal('0');
    let renders = 0;
    const orig = el.requestUpdate.bind(el);
    el.requestUpdate = (...a: Parameters<typeof orig>) => (renders++, orig(...a));
    el.style.display = 'none'; // an inactive tab
    await settle();
    renders = 0;
    const t = (await project.nextTask({ size: 4 }))!;
    await project.submit(
      t.id,
      t.items.map((i) => ({ item: i.index, annotations: [{ kind: 'class', label: project.labels[0].id }] })),
    );
    await settle();
    expect(renders, 'no re-render while hidden').to.equal(0);
    expect(labeled()).to.equal('0');
    el.style.display = 'block';
    await until(() => labeled() === '4', 'the catch-up render');
  });

  it('role-aware: a labeler sees progress but is offered no reject, export, label or instruction edits', async () => {
    const { el, $, $$ } = await mount({ items: 12, labeled: 4, role: 'labeler' }, 'data');
    expect($$('[part~="item"]').length).to.equal(4);
    expect($('button.reject')).to.equal(null);
    expect($('input[type=checkbox]')).to.equal(null);
    expect($('button.export')).to.equal(null);
    el.tab = 'details';
    await el.updateComplete;
    expect($('form.add-label')).to.equal(null);
    expect($('textarea')).to.equal(null);
    expect($('button.refresh')).to.equal(null);
    expect($<HTMLInputElement>('input[name=assist]')!.disabled).to.equal(true);
    expect($('dd')!.parentElement!.textContent).to.contain('labeler');
  });

  it('Reject shows a toast with Undo: Undo keeps the labels; otherwise they are rejected when its time is up', async () => {
    const { el, project, $, $$, settle } = await mount({ items: 12, labeled: 6 }, 'data');
    el.rejectUndoMs = 400;
    const [a, b] = $$('[part~="item"]').map((i) => Number(i.dataset.item));
    const pick = async (item: number) => {
      $$('[part~="item"]')
        .find((i) => Number(i.dataset.item) === item)!
        .querySelector<HTMLInputElement>('input[type=checkbox]')!
        .click();
      await el.updateComplete;
    };
    await pick(a);
    $<HTMLButtonElement>('button.reject')!.click();
    await el.updateComplete;
    expect($('[part~="toast"]')!.textContent).to.contain('1 item will be rejected');
    $<HTMLButtonElement>('[part~="toast"] button.undo')!.click();
    await el.updateComplete;
    expect($('[part~="toast"]')).to.equal(null);
    await pick(a); // Undo gave the selection back: this unpicks a
    await pick(b);
    $<HTMLButtonElement>('button.reject')!.click();
    await el.updateComplete;
    expect(project.item(b).state).to.equal('labeled');
    await until(() => project.item(b).state === 'todo', 'the reject once its undo time is up');
    // b's undo time started after a's would have: had Undo not cancelled it, a would be rejected by now.
    expect(project.item(a).state, 'the undone reject never lands').to.equal('labeled');
    await settle();
    expect($('[part~="toast"]')).to.equal(null);
  });

  it('the pager shows the page count and the number of items; a notice does not outlive its tab', async () => {
    const { el, $, settle } = await mount({ items: 60, labeled: 30 }, 'data');
    expect($('.pager')!.textContent!.replace(/\s+/g, ' ')).to.contain('Page 1 of 2 · 30 items');
    const state = $<HTMLSelectElement>('select[name=state]')!;
    state.value = 'all';
    state.dispatchEvent(new Event('change'));
    await settle();
    expect($('.pager')!.textContent!.replace(/\s+/g, ' ')).to.contain('Page 1 of 3 · 60 items');
    el.tab = 'details';
    await settle();
    const ta = $<HTMLTextAreaElement>('textarea[name=instructions]')!;
    ta.value = 'new';
    ta.dispatchEvent(new Event('input'));
    await el.updateComplete;
    [...el.shadowRoot!.querySelectorAll<HTMLButtonElement>('button')].find((x) => x.textContent!.includes('Save instructions'))!.click();
    await until(() => !!$('.notice'), 'the saved notice');
    el.tab = 'dashboard';
    await settle();
    expect($('.notice')).to.equal(null);
  });

  it('axe-core: no serious or critical violations on any tab, for an owner and a labeler', async () => {
    for (const role of ['owner', 'labeler'] as const) {
      for (const tab of ['dashboard', 'data', 'details'] as const) {
        const { el, settle } = await mount({ items: 20, labeled: 6, skipped: 2, review: 2, runs: true, instructions: '# Rules\n\nDraw tight boxes.', role }, tab);
        await settle();
        await until(() => !el.shadowRoot!.querySelector('.noimg'), 'the thumbnails');
        await settle();
        expect(await axeViolations(el), `${role}, ${tab} tab`).to.deep.equal([]);
        el.remove();
      }
    }
  });
});
