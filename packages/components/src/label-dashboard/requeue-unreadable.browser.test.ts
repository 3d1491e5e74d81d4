// <label-dashboard>'s Data tab in real Chromium: Requeue puts unreadable items (and skipped ones)
// back in the queue through Project.requeueUnreadable / requeueSkipped.
import { expect } from '@esm-bundle/chai';
import { demoProject } from '../../test/demo-project.js';
import './label-dashboard.js';

async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => requestAnimationFrame(r));
  }
}

describe('<label-dashboard> Data: requeue unreadable items', () => {
  afterEach(() => document.querySelectorAll('label-dashboard').forEach((e) => e.remove()));

  it('an owner picks an unreadable and a skipped item and requeues both', async () => {
    const demo = await demoProject({ items: 12, skipped: 1 });
    const project = demo.project;
    const t = (await project.nextTask({ size: 4 }))!;
    const bad = t.items[0].index;
    await project.markUnreadable(bad, 'E_STORE_READ', 'The storage answered 503.');
    await project.release(t.id);
    const skipped = [...project.items({ states: ['skipped'] })][0].index;
    const el = document.createElement('label-dashboard');
    el.style.cssText = 'display:block;width:1000px';
    el.project = project;
    el.source = demo.source;
    el.tab = 'data';
    document.body.append(el);
    await el.updateComplete;
    const root = el.shadowRoot!;
    const state = root.querySelector<HTMLSelectElement>('select[name=state]')!;
    const button = () => root.querySelector<HTMLButtonElement>('button.requeue')!;
    const pick = async (s: string, index: number) => {
      state.value = s;
      state.dispatchEvent(new Event('change'));
      await el.updateComplete;
      const row = [...root.querySelectorAll<HTMLElement>('[part~="item"]')].find((i) => Number(i.dataset.item) === index)!;
      expect(row, `${s} item ${index} listed`).to.not.equal(undefined);
      row.querySelector<HTMLInputElement>('input[type=checkbox]')!.click();
      await el.updateComplete;
    };
    await pick('unreadable', bad);
    expect(button().disabled).to.equal(false);
    const changed = new Promise<{ action: string; items: readonly number[] }>((r) =>
      el.addEventListener('label-items-change', (e) => r((e as CustomEvent).detail), { once: true }),
    );
    button().click();
    expect(await changed).to.deep.equal({ action: 'requeue', items: [bad] });
    expect(project.item(bad).state).to.equal('todo');
    expect(project.item(bad).unreadable).to.equal(undefined);
    await pick('skipped', skipped);
    const again = new Promise<{ items: readonly number[] }>((r) => el.addEventListener('label-items-change', (e) => r((e as CustomEvent).detail), { once: true }));
    button().click();
    expect((await again).items).to.deep.equal([skipped]);
    await until(() => project.item(skipped).state === 'todo', 'the skipped item back');
    expect(project.stats().counts.unreadable).to.equal(0);
  });
});
