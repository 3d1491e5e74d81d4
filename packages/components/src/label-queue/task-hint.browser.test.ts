// First task first, in real Chromium on a real IndexedDB store: a reload shows the task the tab held
// (its sessionStorage hint) before the project is open, with every command off; once the project is
// open, the task the core says this tab holds replaces it (the same one, or — when the lease was lost
// and its items submitted by another tab — the next one), and the commands work.
import { expect } from '@esm-bundle/chai';
import { sendKeys } from '@web/test-runner-commands';
import { IndexedDBStore, ProjectRegistry, readTaskHint, taskHintScope, type Project, type Task, type TaskHint } from '@labelkit/core';
import { demoProject, type Demo } from '../../test/demo-project.js';
import './label-queue.js';
import type { LabelQueue } from './label-queue.component.js';
import { LabelQueueHarness } from './label-queue.harness.js';

const opened: Project[] = [];
const owner = { id: 'ana', role: 'owner' } as const;

function queue(): { el: LabelQueue; h: LabelQueueHarness } {
  const el = document.createElement('label-queue');
  el.style.cssText = 'display:block;width:900px';
  el.autosaveDelay = 20;
  document.body.append(el);
  return { el, h: new LabelQueueHarness(el, { press: (key) => sendKeys({ press: key }) }) };
}

/** A tab that labels: the project opened with this tab's client id, its first task on screen. */
async function firstVisit(): Promise<{ demo: Demo; task: Task; hint: TaskHint }> {
  const store = new IndexedDBStore(`labelkit-hint-${Math.random().toString(36).slice(2)}`);
  const demo = await demoProject({ store, items: 24 });
  opened.push(demo.project);
  const { el, h } = queue();
  el.source = demo.source;
  el.project = demo.project;
  await h.ready();
  const task = el.currentTask!;
  el.remove();
  await demo.project.close();
  const hint = readTaskHint(demo.project.id, taskHintScope(store));
  expect(hint, 'the task shown is the tab hint').to.not.equal(undefined);
  expect(hint!.instructions, 'it says the project has instructions (the early paint draws their box)').to.equal(true);
  return { demo, task, hint: hint! };
}

/**
 * The page after a reload: the queue gets the hint at once and previews the hinted task, inert; then the
 * project opens. Resolves with the task the queue loads from it.
 */
async function reload(demo: Demo, hint: TaskHint, task: Task) {
  const { el, h } = queue();
  const previewed = new Promise<Task>((r) => el.addEventListener('label-task-preview', (e) => r(e.detail.task), { once: true }));
  el.hint = hint;
  expect((await previewed).id).to.equal(task.id);
  await expectInert(el, h, task);
  const loaded = h.next('label-task-load');
  el.source = demo.source;
  el.project = await open(demo);
  return { el, h, loaded: (await loaded).task };
}

async function open(demo: Demo, clientId?: string): Promise<Project> {
  const p = await new ProjectRegistry(demo.store).open(demo.project.id, { actor: owner, clientId });
  opened.push(p);
  return p;
}

/** The preview can be seen but not worked: no command reaches the project. */
async function expectInert(el: LabelQueue, h: LabelQueueHarness, task: Task) {
  expect(h.root.querySelector('[data-preview]')).to.not.equal(null);
  expect(h.tiles().map((t) => Number(t.dataset.item))).to.deep.equal(task.items.map((it) => it.index));
  expect(h.button('submit').disabled).to.equal(true);
  expect(h.button('skip').disabled).to.equal(true);
  expect(el.currentTask).to.equal(undefined);
  h.tiles()[0].focus();
  await h.press('1', '2', '3', '4', 'Enter', 's');
  expect(h.tags().flat()).to.deep.equal([]);
  expect(el.currentTask).to.equal(undefined);
}

describe('<label-queue> task hint (first task first)', () => {
  afterEach(async () => {
    document.querySelectorAll('label-queue').forEach((e) => e.remove());
    await Promise.all(opened.splice(0).map((p) => p.close()));
  });

  it('a reload shows the held task before the project opens, then the same task works', async () => {
    const { demo, task, hint } = await firstVisit();
    const { el, h, loaded } = await reload(demo, hint, task);
    expect(loaded.id, 'the lease still stands: the same task').to.equal(task.id);
    await h.ready();
    expect(h.root.querySelector('[data-preview]')).to.equal(null);
    expect(el.hint, 'the element drops the hint once the real task shows').to.equal(undefined);
    await h.focus();
    await h.press('1', '2', '3', '4');
    const submitted = h.next('label-task-submit');
    await h.press('Enter');
    expect((await submitted).taskId).to.equal(task.id);
    await h.ready();
    expect(el.currentTask!.id).to.not.equal(task.id);
    expect(readTaskHint(demo.project.id, taskHintScope(demo.store))!.task.id, 'the hint follows the task on screen').to.equal(el.currentTask!.id);
  });

  it('a stale hint (lease lost, items submitted in another tab) is replaced by the real task and never submittable', async () => {
    const { demo, task, hint } = await firstVisit();
    // The lease is lost (given back) and another tab leases and submits those items.
    const tab = await open(demo);
    await tab.release(task.id);
    await tab.close();
    const other = await open(demo, 'other-tab');
    const theirs = (await other.nextTask({ size: 4 }))!;
    expect(theirs.items.map((it) => it.index).sort()).to.deep.equal(task.items.map((it) => it.index).sort());
    await other.submit(
      theirs.id,
      theirs.items.map((it) => ({ item: it.index, annotations: [{ kind: 'class', label: other.labels[0].id }] })),
    );
    await other.close();

    const { h, loaded: real } = await reload(demo, hint, task);
    expect(real.id).to.not.equal(task.id);
    const stale = new Set(task.items.map((it) => it.index));
    expect(
      real.items.some((it) => stale.has(it.index)),
      'none of the submitted items',
    ).to.equal(false);
    await h.ready();
    expect(h.tiles().map((t) => Number(t.dataset.item))).to.deep.equal(real.items.map((it) => it.index));
    await h.focus();
    await h.press('1', '2', '3', '4');
    const submitted = h.next('label-task-submit');
    await h.press('Enter');
    expect((await submitted).taskId).to.equal(real.id);
  });

  it('gives another tab (client id), or this one once the lease ran out, only the first look', async () => {
    const { demo, task, hint } = await firstVisit();
    const scope = taskHintScope(demo.store);
    const expired = readTaskHint(demo.project.id, scope, hint.task.expiresAt + 1)!;
    expect(expired.firstLook, 'no task hint after the lease ran out').to.equal(true);
    expect(expired.task.id).to.equal('');
    expect(
      expired.task.items.map((it) => it.index),
      'its items go back to the front: they come first',
    ).to.deep.equal(task.items.map((it) => it.index));
    const key = `labelkit:client:${scope}:${demo.project.id}`;
    const mine = sessionStorage.getItem(key)!;
    sessionStorage.setItem(key, 'c-someone-else');
    try {
      const other = readTaskHint(demo.project.id, scope)!;
      expect(other.firstLook).to.equal(true);
      const held = new Set(task.items.map((it) => it.index));
      expect(other.task.items.length).to.equal(4);
      expect(
        other.task.items.some((it) => held.has(it.index)),
        'not the items this tab holds',
      ).to.equal(false);
    } finally {
      sessionStorage.setItem(key, mine);
    }
    expect(readTaskHint(demo.project.id, scope)!.task.id).to.equal(hint.task.id);
  });

  it('a new tab previews the first look, and is then handed those very items', async () => {
    const { demo, task } = await firstVisit();
    const scope = taskHintScope(demo.store);
    const tabHint = `labelkit:task-hint:${scope}:${demo.project.id}`;
    const saved = sessionStorage.getItem(tabHint)!;
    sessionStorage.removeItem(tabHint); // a new tab: no task of its own
    try {
      const look = readTaskHint(demo.project.id, scope)!;
      expect(look.firstLook).to.equal(true);
      const { el, h } = queue();
      const previewed = new Promise<Task>((r) => el.addEventListener('label-task-preview', (e) => r(e.detail.task), { once: true }));
      el.hint = look;
      const shown = await previewed;
      await expectInert(el, h, shown);
      const loaded = h.next('label-task-load');
      el.source = demo.source;
      el.project = await open(demo, 'new-tab');
      const real = (await loaded).task;
      expect(
        real.items.map((it) => it.index),
        'the items previewed',
      ).to.deep.equal(shown.items.map((it) => it.index));
      expect(real.id).to.not.equal(task.id);
      await h.ready();
      expect(h.root.querySelector('[data-preview]')).to.equal(null);
    } finally {
      sessionStorage.setItem(tabHint, saved);
    }
  });
});
