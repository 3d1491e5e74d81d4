// <label-queue> submits write-behind: the next task is on screen before the journal write lands, and a
// write that fails brings the submitted task back with its tags and the error. Real Chromium, a real
// project whose store refuses journal writes on demand (a full disk, a lost connection).
import { expect } from '@esm-bundle/chai';
import { sendKeys } from '@web/test-runner-commands';
import { LabelkitError, MemoryStore, type PutOptions } from '@labelkit/core';
import { demoProject } from '../../test/demo-project.js';
import './label-queue.js';
import type { LabelQueue } from './label-queue.component.js';
import { LabelQueueHarness } from './label-queue.harness.js';

class FlakyStore extends MemoryStore {
  failJournal = false;
  /** Resolves the journal write in flight when `hold` is set (to see the next task shown before it lands). */
  hold: Promise<void> | undefined;
  override async put(key: string, bytes: Uint8Array, options?: PutOptions): Promise<{ etag: string }> {
    if (key.includes('/journal/')) {
      if (this.hold) await this.hold;
      if (this.failJournal) throw new LabelkitError('E_STORE_WRITE', 'injected: the disk is full');
    }
    return super.put(key, bytes, options);
  }
}

async function mount() {
  const store = new FlakyStore();
  const demo = await demoProject({ items: 12, store });
  const el = document.createElement('label-queue') as LabelQueue;
  el.style.cssText = 'display:block;width:900px';
  el.autosaveDelay = 20;
  el.project = demo.project;
  el.source = demo.source as LabelQueue['source'];
  document.body.append(el);
  const h = new LabelQueueHarness(el, { press: (key) => sendKeys({ press: key }) });
  await h.ready();
  return { h, el, store, project: demo.project };
}

describe('<label-queue> write-behind submit', () => {
  afterEach(() => document.querySelectorAll('label-queue').forEach((e) => e.remove()));

  it('shows the next task while the write is still in flight, then confirms it', async () => {
    const { h, el, store, project } = await mount();
    await h.focus();
    await h.press('2', '3', '4', '5');
    const first = el.currentTask!;
    let release!: () => void;
    store.hold = new Promise<void>((r) => (release = r));
    const shown = h.next('label-task-load');
    const submitted = h.next('label-task-submit');
    await h.press('Enter');
    await shown;
    // The next task is on screen and the submission is not durable yet.
    expect(el.currentTask!.id).to.not.equal(first.id);
    expect(project.item(first.items[0]!.index).state).to.not.equal('labeled');
    store.hold = undefined;
    release();
    const detail = await submitted;
    expect(detail.taskId).to.equal(first.id);
    expect(project.stats().counts.labeled).to.equal(4);
  });

  it('a failed write brings the task back with its tags and the error; nothing is lost', async () => {
    const { h, el, store, project } = await mount();
    await h.focus();
    await h.press('2', '3', '4', '5');
    const first = el.currentTask!;
    const tags = h.tags();
    store.failJournal = true;
    const failed = h.next('label-error');
    await h.press('Enter');
    const err = (await failed) as { error: unknown; during: string };
    expect(LabelkitError.is(err.error, 'E_STORE_WRITE')).to.equal(true);
    await h.ready();
    expect(el.currentTask!.id).to.equal(first.id);
    expect(h.tags()).to.deep.equal(tags);
    expect(project.stats().counts.labeled).to.equal(0);
    // The store recovers; the labeler presses Enter again and the work is saved.
    store.failJournal = false;
    const submitted = h.next('label-task-submit');
    await h.press('Enter');
    await submitted;
    expect(project.stats().counts.labeled).to.equal(4);
  });

  it('shows the next task with the images it preloaded, already decoded: nothing left to load', async () => {
    const { h, el } = await mount();
    await h.focus();
    // The images of the task that comes next, warmed while the labeler works (TaskImages.preloadNext).
    const warm = (el as unknown as { images: { preloaded: Map<string, HTMLImageElement> } }).images.preloaded;
    const preloaded = [...warm.values()];
    expect(preloaded.length).to.equal(4);
    await Promise.all(preloaded.map((i) => i.decode()));
    await h.press('2', '3', '4', '5');
    const shown = h.next('label-task-load');
    await h.press('Enter');
    await shown;
    const imgs = [...el.shadowRoot!.querySelectorAll<HTMLImageElement>('[part~="tile"] img')];
    // The very elements that were decoded, complete when the task is shown: no load event between
    // the task and its first frame.
    expect(imgs).to.have.members(preloaded);
    expect(imgs.every((i) => i.complete && i.naturalWidth > 0 && i.alt !== '')).to.equal(true);
  });
});
