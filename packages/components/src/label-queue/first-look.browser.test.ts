// The early paint (`paintFirstLook`, @labelkit/components/first-look), in real Chromium on a real
// IndexedDB store: the held task is drawn into a <label-queue> whose code has not loaded yet; the
// element, once its module loads, adopts that drawing (the same nodes stay on screen, no second
// `label-task-preview`), keeps every command off, and replaces it with the real task once the project
// is open. This file must not import the element statically: its code is what loads "late".
import { expect } from '@esm-bundle/chai';
import { sendKeys } from '@web/test-runner-commands';
import { IndexedDBStore, ProjectRegistry, taskHintScope, writeTaskHint, type Project, type Task, type TaskHint } from '@labelkit/core';
import { digitPng, demoProject, type Demo } from '../../test/demo-project.js';
import { firstLookPainted, paintFirstLook } from '../first-look.js';
import type { LabelQueue } from './label-queue.component.js';

const opened: Project[] = [];
const owner = { id: 'ana', role: 'owner' } as const;

async function open(demo: Demo): Promise<Project> {
  const p = await new ProjectRegistry(demo.store).open(demo.project.id, { actor: owner });
  opened.push(p);
  return p;
}

/** A tab that held a task: the project leased one to this tab's client id, and the tab wrote its hint. */
async function heldTask(): Promise<{ demo: Demo; task: Task; scope: string }> {
  const store = new IndexedDBStore(`labelkit-first-look-${Math.random().toString(36).slice(2)}`);
  const demo = await demoProject({ store, items: 16 });
  await demo.project.close();
  const tab = await open(demo);
  const task = (await tab.nextTask({ size: 4 }))!;
  const urls: Record<string, string> = {};
  for (const it of task.items) urls[it.path] = URL.createObjectURL(new Blob([new Uint8Array(await digitPng(it.index % 10))], { type: 'image/png' }));
  const scope = taskHintScope(store);
  const hint: TaskHint = {
    v: 1,
    projectId: tab.id,
    clientId: tab.clientId,
    name: tab.name,
    kind: tab.kind,
    labels: tab.labels,
    task,
    taskSize: 4,
    urls,
    instructions: true,
    done: 0,
    left: 16,
    savedAt: Date.now(),
  };
  writeTaskHint(hint, scope);
  await tab.close();
  return { demo, task, scope };
}

const painted = (q: HTMLElement) => q.querySelector<HTMLElement>(':scope > [data-first-look]');
const shownItems = (root: ParentNode) => [...root.querySelectorAll<HTMLElement>('[data-item]')].map((t) => Number(t.dataset.item));

describe('paintFirstLook: the held task before the element code loads', () => {
  afterEach(async () => {
    document.querySelectorAll('label-queue').forEach((e) => e.remove());
    await Promise.all(opened.splice(0).map((p) => p.close()));
  });

  it('is drawn before the bundle, adopted without a second draw, inert, then replaced by the real task', async () => {
    const { demo, task, scope } = await heldTask();
    expect(customElements.get('label-queue'), 'the element code is not loaded yet').to.equal(undefined);
    const q = document.createElement('label-queue');
    q.style.cssText = 'display:block;width:900px';
    document.body.append(q);
    const previews: Task[] = [];
    q.addEventListener('label-task-preview', (e) => previews.push((e as CustomEvent<{ task: Task }>).detail.task));

    const hint = paintFirstLook(q, demo.project.id, { scope });
    expect(hint?.task.id).to.equal(task.id);
    expect(
      previews.map((t) => t.id),
      'announced once, at the paint',
    ).to.deep.equal([task.id]);
    const paint = painted(q)!;
    expect(shownItems(paint)).to.deep.equal(task.items.map((it) => it.index));
    expect(paint.inert, 'inert: nothing in it can be focused or clicked').to.equal(true);
    expect(paint.querySelector('details.instructions'), "the instructions' box, so the task does not move").to.not.equal(null);
    await firstLookPainted(q);
    const images = [...paint.querySelectorAll('img')];
    expect(images.length).to.equal(4);
    expect(images.every((i) => i.complete && i.naturalWidth > 0)).to.equal(true);
    expect(paint.getBoundingClientRect().height, 'on screen').to.be.greaterThan(100);
    expect(customElements.get('label-queue'), 'still before the element code').to.equal(undefined);

    // The element's code loads: it upgrades the element and shows the paint as its preview (same nodes).
    await import('./label-queue.js');
    const el = q as LabelQueue;
    await el.updateComplete;
    expect(el.hint?.task.id, 'the hint the paint handed over').to.equal(task.id);
    const slot = el.shadowRoot!.querySelector<HTMLSlotElement>('[data-preview] slot[name="first-look"]')!;
    expect(slot.assignedElements()).to.deep.equal([paint]);
    expect(painted(q), 'the very nodes drawn before').to.equal(paint);
    expect(paint.getBoundingClientRect().height, 'still on screen after the upgrade').to.be.greaterThan(100);
    expect(previews.length, 'not announced twice').to.equal(1);

    // Commands off until the project is open.
    for (const key of ['1', '2', 'Enter', 's']) await sendKeys({ press: key });
    await el.updateComplete;
    expect(el.currentTask).to.equal(undefined);
    expect([...paint.querySelectorAll('button')].every((b) => b.disabled)).to.equal(true);

    const loaded = new Promise<Task>((r) => el.addEventListener('label-task-load', (e) => r((e as CustomEvent<{ task: Task }>).detail.task), { once: true }));
    el.source = demo.source;
    el.project = await open(demo);
    expect((await loaded).id, 'the lease stands: the same task').to.equal(task.id);
    await el.updateComplete;
    expect(painted(q), 'the paint is gone once the real task shows').to.equal(null);
    expect(el.shadowRoot!.querySelector('[data-preview]')).to.equal(null);
    expect(shownItems(el.shadowRoot!)).to.deep.equal(task.items.map((it) => it.index));
    expect(el.hint).to.equal(undefined);
  });

  it('draws nothing without a hint (or for a region project)', async () => {
    const q = document.createElement('label-queue');
    document.body.append(q);
    let fired = false;
    q.addEventListener('label-task-preview', () => (fired = true));
    expect(paintFirstLook(q, 'p-none', { scope: 'nowhere' })).to.equal(undefined);
    const store = new IndexedDBStore(`labelkit-first-look-${Math.random().toString(36).slice(2)}`);
    const demo = await demoProject({ store, items: 4, kind: 'image-object-detection' });
    opened.push(demo.project);
    const hint: TaskHint = {
      v: 1,
      projectId: demo.project.id,
      clientId: demo.project.clientId,
      name: demo.project.name,
      kind: demo.project.kind,
      labels: demo.project.labels,
      task: (await demo.project.nextTask({ size: 1 }))!,
      taskSize: 1,
      urls: {},
      done: 0,
      left: 4,
      savedAt: Date.now(),
    };
    writeTaskHint(hint, taskHintScope(store));
    expect(paintFirstLook(q, demo.project.id, { scope: taskHintScope(store) })).to.equal(undefined);
    expect(painted(q)).to.equal(null);
    expect(fired).to.equal(false);
  });
});
