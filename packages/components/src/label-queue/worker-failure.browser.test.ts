// A media worker that cannot start is a failure of the page, not of the image: <label-queue> reports
// it (label-error) and leaves the item in the task, never marking it unreadable. Real Chromium.
import { expect } from '@esm-bundle/chai';
import { sendKeys } from '@web/test-runner-commands';
import { LabelkitError } from '@labelkit/core';
import { demoProject } from '../../test/demo-project.js';
import './label-queue.js';
import type { LabelQueue } from './label-queue.component.js';
import { LabelQueueHarness } from './label-queue.harness.js';

describe('<label-queue> and a media worker that failed', () => {
  it('reports E_WORKER_FAILED and keeps the item in the task (label-queue.browser.test.ts covers a real decode failure)', async () => {
    const demo = await demoProject({ kind: 'image-object-detection', items: 4 });
    const el = document.createElement('label-queue') as LabelQueue;
    el.style.cssText = 'display:block;width:900px';
    el.project = demo.project;
    el.source = demo.source as LabelQueue['source'];
    document.body.append(el);
    const h = new LabelQueueHarness(el, { press: (key) => sendKeys({ press: key }) });
    await h.ready();
    const item = el.currentTask!.items[0]!.index;
    const canvas = el.shadowRoot!.querySelector('label-canvas')!;
    const failed = h.next('label-error');
    canvas.dispatchEvent(
      new CustomEvent('label-error', {
        detail: { error: new LabelkitError('E_WORKER_FAILED', 'The media worker did not start.'), during: 'image-load' },
        bubbles: true,
        composed: true,
      }),
    );
    const detail = (await failed) as { error: unknown };
    expect(LabelkitError.is(detail.error, 'E_WORKER_FAILED')).to.equal(true);
    await el.updateComplete;
    expect(demo.project.item(item).state).to.equal('assigned');
    expect(el.currentTask!.items.map((i) => i.index)).to.include(item);
    el.remove();
  });
});
