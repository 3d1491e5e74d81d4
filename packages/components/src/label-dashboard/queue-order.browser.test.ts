// <label-dashboard>'s Details tab: an owner turns active ordering (queue.order 'informative') on
// and off with the ML assist settings.
import { expect } from '@esm-bundle/chai';
import type { Project } from '@labelkit/core';
import { demoProject } from '../../test/demo-project.js';
import './label-dashboard.js';

/** Resolves once the project's queue order is `order` (after the change event that makes it so). */
function orderBecomes(project: Project, order: string): Promise<void> {
  return new Promise((resolve) => {
    const off = project.subscribe(() => {
      if (project.queueSettings.order === order) {
        off();
        resolve();
      }
    });
  });
}

describe('<label-dashboard> Details: active ordering', () => {
  afterEach(() => document.querySelectorAll('label-dashboard').forEach((e) => e.remove()));

  it('an owner saves "least sure first" as queue.order, and can turn it off again', async () => {
    const { project } = await demoProject({ items: 20, assist: true });
    const el = document.createElement('label-dashboard');
    el.project = project;
    el.tab = 'details';
    document.body.append(el);
    await el.updateComplete;
    const root = el.shadowRoot!;
    const box = () => root.querySelector<HTMLInputElement>('form.assist-settings input[name=informative]')!;
    const button = () => root.querySelector<HTMLButtonElement>('form.assist-settings button[type=submit]')!;
    const save = () => button().click();
    // The button is disabled while a command runs: wait (frame by frame) until the last one ended.
    const idle = async () => {
      for (await el.updateComplete; button().disabled; await el.updateComplete) await new Promise((r) => requestAnimationFrame(r));
    };
    expect(box().checked).to.equal(false);
    box().checked = true;
    let changed = orderBecomes(project, 'informative');
    save();
    await changed;
    expect(project.queueSettings.order).to.equal('informative');
    await idle();
    expect(box().checked).to.equal(true);
    box().checked = false;
    changed = orderBecomes(project, 'shuffled');
    save();
    await changed;
    expect(project.queueSettings.order).to.equal('shuffled');
  });
});
