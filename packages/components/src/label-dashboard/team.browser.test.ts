// <label-dashboard>'s team parts in Chromium, on a real shared project (MemoryStore, three clients):
// the consensus card and agreement rate, review by labeler, the Data tab's labeler filter, every
// labeler's answer on a disagreement with "Use", Approve marking labels reviewed, and Stop / Start.
import { expect } from '@esm-bundle/chai';
import { Project, type MemorySource } from '@labelkit/core';
import { consensusDigits, teamDemo } from '../../test/team-demo.js';
import './label-dashboard.js';
import '../label-queue/label-queue.js';

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A consensus-2 project of 6 digits: lee and kai agree on 0–3 and disagree on 4–5. */
async function teamProject() {
  const { store, owner, source, even, odd } = await consensusDigits();
  for (const user of ['lee', 'kai']) {
    const p = await Project.load(store, owner.id, { actor: { id: user, role: 'labeler' }, clientId: user, shared: true });
    await p.sync();
    for (let t = await p.nextTask(); t; t = await p.nextTask()) {
      const n = Number(t.items[0].path.match(/(\d+)\.png/)![1]);
      const label = n >= 4 && user === 'kai' ? (n % 2 ? even : odd) : n % 2 ? odd : even;
      await p.submit(t.id, [{ item: t.items[0].index, annotations: [{ kind: 'class', label }] }]);
    }
  }
  await owner.sync();
  return { owner, source, even, odd };
}

async function mount(project: Project, source: MemorySource, tab: 'dashboard' | 'data' | 'details') {
  const el = document.createElement('label-dashboard');
  el.style.cssText = 'display:block;width:1000px';
  el.project = project;
  el.source = source;
  el.tab = tab;
  el.rejectUndoMs = 0;
  document.body.append(el);
  await el.updateComplete;
  const root = el.shadowRoot!;
  return { el, $: <T extends Element = HTMLElement>(s: string) => root.querySelector<T>(s), $$: <T extends Element = HTMLElement>(s: string) => [...root.querySelectorAll<T>(s)] };
}

describe('<label-dashboard> for a team', () => {
  afterEach(() => document.querySelectorAll('label-dashboard').forEach((e) => e.remove()));

  it('Dashboard: the consensus lane, the agreement rate and review by labeler', async () => {
    const { owner, source } = await teamProject();
    const { $, $$ } = await mount(owner, source, 'dashboard');
    const bars = Object.fromEntries($$('[part~="consensus-card"] .bar-row').map((r) => [r.dataset.key, r.querySelector('.bar-value')!.textContent]));
    expect(bars).to.deep.equal({ collecting: '0', agreed: '4', disagreed: '2', resolved: '0' });
    expect($('.agreement-rate')!.textContent).to.contain('66.7 %');
    const rows = $$('table.labelers tbody tr').map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent!.trim()));
    expect(rows.map((r) => [r[0], r[1], r[4]])).to.deep.equal([
      ['kai', '6', '100 %'],
      ['lee', '6', '100 %'],
    ]);
  });

  it('Data: filter by labeler, every answer on a disagreement, Use one, Approve marks reviewed', async () => {
    const { owner, source } = await teamProject();
    const { el, $, $$ } = await mount(owner, source, 'data');
    await until(() => !!$('select[name=labeler]'), 'the Data tab');
    const state = $<HTMLSelectElement>('select[name=state]')!;
    state.value = 'needs-review';
    state.dispatchEvent(new Event('change'));
    await el.updateComplete;
    const items = $$('[part~="item"]');
    expect(items.map((i) => i.dataset.path)).to.deep.equal(['d/4.png', 'd/5.png']);
    const answers = (i: HTMLElement) =>
      [...i.querySelectorAll('[part~="consensus-answers"] li')].map((li) => [li.getAttribute('data-labeler'), li.querySelector('.chip')!.textContent]);
    expect(answers(items[0])).to.have.deep.members([
      ['lee', 'even'],
      ['kai', 'odd'],
    ]);
    // 4 is even: lee's answer is the right one.
    const lee = [...items[0].querySelectorAll<HTMLButtonElement>('[data-labeler=lee] button.use-answer')][0];
    lee.click();
    await until(() => owner.disagreements().length === 1, 'the resolution');
    expect(owner.item(owner.indexOf('d/4.png'))).to.include({ state: 'labeled', reviewed: true });
    // Filter by labeler: lee's items, then Approve the labeled ones.
    state.value = 'labeled';
    state.dispatchEvent(new Event('change'));
    const who = $<HTMLSelectElement>('select[name=labeler]')!;
    expect([...who.options].map((o) => o.value)).to.deep.equal(['', 'kai', 'lee']);
    who.value = 'lee';
    who.dispatchEvent(new Event('change'));
    await el.updateComplete;
    expect($$('[part~="item"]').length).to.equal(5);
    const box = $<HTMLInputElement>('[data-path="d/0.png"] input[type=checkbox]')!;
    box.checked = true;
    box.dispatchEvent(new Event('change'));
    await el.updateComplete;
    $<HTMLButtonElement>('button.approve')!.click();
    await until(() => !!owner.item(owner.indexOf('d/0.png')).reviewed, 'the approval');
    expect(owner.labelerStats().find((s) => s.labeler === 'lee')!.approved + owner.labelerStats().find((s) => s.labeler === 'kai')!.approved).to.equal(1);
    expect(owner.item(owner.indexOf('d/5.png')).annotations).to.deep.equal([]);
  });

  it('Data: a late dissent is among the answers, marked late; Approve keeps the agreed label', async () => {
    const { project: owner, source } = await teamDemo();
    const { el, $, $$ } = await mount(owner, source, 'data');
    await until(() => !!$('select[name=state]'), 'the Data tab');
    const state = $<HTMLSelectElement>('select[name=state]')!;
    state.value = 'needs-review';
    state.dispatchEvent(new Event('change'));
    await el.updateComplete;
    const item = $$('[part~="item"]').find((i) => i.dataset.path === 'd/0.png')!;
    const rows = [...item.querySelectorAll('[part~="consensus-answers"] li')].map((li) => [li.getAttribute('data-labeler'), li.hasAttribute('data-late')]);
    expect(rows).to.have.deep.members([
      ['lee', false],
      ['kai', false],
      ['max', true],
    ]);
    expect(rows[2]).to.deep.equal(['max', true]); // after the two that decided it
    expect(item.querySelector('[data-labeler=max] [part~="late-answer"]')!.textContent).to.equal('late');
    const box = item.querySelector<HTMLInputElement>('input[type=checkbox]')!;
    expect(box, 'a disputed agreed label can be selected for Approve').to.exist;
    box.checked = true;
    box.dispatchEvent(new Event('change'));
    await el.updateComplete;
    $<HTMLButtonElement>('button.approve')!.click();
    await until(() => owner.item(owner.indexOf('d/0.png')).state === 'labeled', 'the approval');
    expect(owner.item(owner.indexOf('d/0.png')).annotations.map((a) => owner.labels.find((l) => l.id === a.label)?.name)).to.deep.equal(['even']);
    expect(owner.labelerStats().find((x) => x.labeler === 'max')).to.include({ items: 4, decided: 4, agreed: 3 });
    // A late answer that agreed is shown on its labeled item too.
    state.value = 'labeled';
    state.dispatchEvent(new Event('change'));
    await el.updateComplete;
    const one = $$('[part~="item"]').find((i) => i.dataset.path === 'd/1.png')!;
    expect(one.querySelector('[data-labeler=max][data-late]'), 'the late answer on d/1.png').to.exist;
  });

  it('Details: an owner stops the project with a reason and starts it again', async () => {
    const { owner, source } = await teamProject();
    const { el, $ } = await mount(owner, source, 'details');
    await until(() => !!$('button.stop-project'), 'the Details tab');
    const reason = $<HTMLInputElement>('input[name=stop-reason]')!;
    reason.value = 'new guidelines';
    reason.dispatchEvent(new Event('input'));
    $<HTMLButtonElement>('button.stop-project')!.click();
    await until(() => owner.status.state === 'stopped', 'the stop');
    await el.updateComplete;
    expect($('.project-status')!.textContent).to.contain('stopped: new guidelines');
    expect($('.status-text')!.textContent).to.contain('stopped');
    $<HTMLButtonElement>('button.start-project')!.click();
    await until(() => owner.status.state === 'active', 'the start');
    await el.updateComplete;
    expect($('.project-status')).to.equal(null);
  });

  it('<label-queue> of a stopped project says so, and gets tasks again once it is started', async () => {
    const { owner, source } = await teamProject();
    await owner.updateQueue({ consensus: null as never });
    await owner.reject([owner.indexOf('d/0.png')]);
    await owner.stop('pause for review');
    const q = document.createElement('label-queue');
    q.project = owner;
    q.source = source;
    document.body.append(q);
    try {
      await until(() => !!q.shadowRoot?.querySelector('.message.empty'), 'the empty view');
      const msg = q.shadowRoot!.querySelector('.message.empty')!;
      expect(msg.getAttribute('data-status')).to.equal('stopped');
      expect(msg.textContent).to.contain('This project is stopped: pause for review.');
      await owner.start();
      (q.shadowRoot!.querySelector('.message.empty button:last-of-type') as HTMLButtonElement).click();
      await until(() => !!q.currentTask, 'a task after the start');
    } finally {
      q.remove();
    }
  });
});
