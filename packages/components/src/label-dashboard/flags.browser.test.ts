// The Data tab's ML flags: with a host's assist reporting near-duplicates and likely-mislabeled
// items (attachAssist's `flags`), the filter shows just those, and each says why it is flagged.
import { expect } from '@esm-bundle/chai';
import type { AssistActivity, AssistFlags, AssistMonitor } from '@labelkit/core';
import { demoProject } from '../../test/demo-project.js';
import './label-dashboard.js';

/** A monitor whose flags the test sets. */
function monitor(flags: AssistFlags | undefined): AssistMonitor & { set(f: AssistFlags): void } {
  const listeners = new Set<(a: AssistActivity) => void>();
  const activity: AssistActivity = { state: 'idle' };
  return {
    activity,
    get flags() {
      return flags;
    },
    subscribe(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    set(f) {
      flags = f;
      for (const l of listeners) l({ ...activity });
    },
  };
}

describe('<label-dashboard> Data tab: ML flags', () => {
  afterEach(() => document.querySelectorAll('label-dashboard').forEach((e) => e.remove()));

  it('filters near-duplicates and likely-mislabeled items, and says why each is flagged', async () => {
    const { project, source } = await demoProject({ items: 30, labeled: 12, assist: true });
    const el = document.createElement('label-dashboard');
    el.project = project;
    el.source = source;
    el.tab = 'data';
    const m = monitor(undefined);
    el.assist = m;
    document.body.append(el);
    await el.updateComplete;
    const root = el.shadowRoot!;
    const $$ = (sel: string) => [...root.querySelectorAll<HTMLElement>(sel)];
    const until = async (cond: () => boolean) => {
      for (let i = 0; i < 300 && !cond(); i++) await new Promise((r) => requestAnimationFrame(r));
      expect(cond()).to.equal(true);
    };
    await until(() => $$('[part~="item"]').length > 0);
    // No flags yet: no filter.
    expect(root.querySelector('select[name=flags]')).to.equal(null);

    const labeled = [...project.items({ states: ['labeled'] })];
    const [a, b, c] = labeled;
    const suspect = labeled[5]!;
    const label = suspect.annotations[0]!.kind === 'class' ? suspect.annotations[0]!.label : '';
    const other = project.labels.find((l) => l.id !== label)!;
    m.set({
      at: 1,
      duplicates: [[a!.index, b!.index, c!.index]],
      suspects: [{ item: suspect.index, label, suggested: other.id, confidence: 0.97, agreement: 0.86 }],
    });
    await until(() => !!root.querySelector('select[name=flags]'));
    const select = root.querySelector<HTMLSelectElement>('select[name=flags]')!;
    expect(select.textContent).to.contain('Near-duplicates (3 in 1 groups)');
    expect(select.textContent).to.contain('Likely mislabeled (1)');

    select.value = 'duplicates';
    select.dispatchEvent(new Event('change'));
    await el.updateComplete;
    expect($$('[part~="item"]').map((i) => Number(i.dataset.item))).to.have.members([a!.index, b!.index, c!.index]);
    expect($$('[part~="item"]')[0]!.querySelector('.flag.duplicate')!.textContent).to.contain('Near-duplicate of 2 others');
    expect(root.querySelector('.pager')!.textContent).to.contain('3 items');

    select.value = 'suspects';
    select.dispatchEvent(new Event('change'));
    await el.updateComplete;
    const shown = $$('[part~="item"]');
    expect(shown.map((i) => Number(i.dataset.item))).to.deep.equal([suspect.index]);
    const note = shown[0]!.querySelector('.flag.suspect')!.textContent!;
    expect(note).to.contain(`say ${other.name}`);
    expect(note).to.contain('97 %');

    select.value = '';
    select.dispatchEvent(new Event('change'));
    await el.updateComplete;
    expect($$('[part~="item"]').length).to.equal(12);
  });
});
