// <label-queue> when an image cannot be fetched, in real Chromium: a fetch that fails for a moment is
// retried and the image shows; one that keeps failing (a real HTTP 404 from the test server, or a
// storage outage) is reported as E_FETCH_FAILED and the item is skipped — never marked unreadable;
// only bytes that arrive and do not decode make an item unreadable.
import { expect } from '@esm-bundle/chai';
import { LabelkitError, MemoryStore, ProjectRegistry, UrlListSource, type DataSource, type Project } from '@labelkit/core';
import { demoProject } from '../../test/demo-project.js';
import './label-queue.js';
import type { LabelQueue } from './label-queue.component.js';
import { LabelQueueHarness } from './label-queue.harness.js';

/** Waits (frame by frame, at most `ms`) until `cond` holds. */
async function until(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => requestAnimationFrame(r));
  }
}

/** A source that fails `read` of chosen paths (as a storage outage does) `times` times, counting every call. */
function failing(inner: DataSource, paths: Set<string>, times: number): DataSource & { calls: Map<string, number> } {
  const calls = new Map<string, number>();
  return {
    description: `failing ${inner.description}`,
    calls,
    list: (o) => inner.list(o),
    read: async (path, o) => {
      const n = (calls.get(path) ?? 0) + 1;
      calls.set(path, n);
      if (paths.has(path) && n <= times) throw new LabelkitError('E_STORE_READ', `Reading ${path} answered HTTP 503.`, { path, status: 503 });
      return inner.read(path, o);
    },
  };
}

function mount(project: Project, source: DataSource, errors: unknown[]): { el: LabelQueue; h: LabelQueueHarness } {
  const el = document.createElement('label-queue');
  el.style.cssText = 'display:block;width:900px';
  el.fetchRetry = { retries: 3, baseMs: 20 };
  el.project = project;
  el.source = source;
  el.addEventListener('label-error', (e) => errors.push((e as CustomEvent).detail));
  document.body.append(el);
  return { el, h: new LabelQueueHarness(el, { press: async () => undefined }) };
}

const shown = (h: LabelQueueHarness) => h.tiles().filter((t) => (t.querySelector('img') as HTMLImageElement | null)?.naturalWidth).length;

describe('<label-queue> image fetch failures', () => {
  afterEach(() => document.querySelectorAll('label-queue').forEach((e) => e.remove()));

  it('retries a fetch that fails twice, then shows the image; nothing is skipped or unreadable', async () => {
    const demo = await demoProject({ items: 8 });
    const task = (await demo.project.nextTask({ size: 4 }))!;
    const path = task.items[1].path;
    const source = failing(demo.source, new Set([path]), 2);
    const errors: unknown[] = [];
    const { h } = mount(demo.project, source, errors);
    await h.ready();
    await until(() => shown(h) === 4, 'four images shown');
    expect(source.calls.get(path)).to.equal(3);
    expect(errors).to.deep.equal([]);
    const counts = demo.project.stats().counts;
    expect([counts.skipped, counts.unreadable]).to.deep.equal([0, 0]);
  });

  it('a storage outage that outlasts the retries: E_FETCH_FAILED, the item skipped, not unreadable, the rest of the task stays', async () => {
    const demo = await demoProject({ items: 8 });
    const task = (await demo.project.nextTask({ size: 4 }))!;
    const bad = task.items[2];
    const source = failing(demo.source, new Set([bad.path]), Infinity);
    const errors: { error: LabelkitError; during: string }[] = [];
    const { h, el } = mount(demo.project, source, errors as unknown[]);
    await h.ready();
    await until(() => errors.length > 0, 'a label-error');
    const { error, during } = errors[0];
    expect(error.code).to.equal('E_FETCH_FAILED');
    expect(during).to.equal('image-load');
    expect(error.details.attempts).to.equal(4);
    expect(source.calls.get(bad.path)).to.equal(4);
    await until(() => demo.project.item(bad.index).state === 'skipped', 'the item skipped');
    expect(demo.project.item(bad.index).unreadable).to.equal(undefined);
    expect(demo.project.stats().counts.unreadable).to.equal(0);
    // The labeler keeps the other three images of the task.
    await until(() => h.tiles().length === 3 && shown(h) === 3, 'three images left');
    expect(el.currentTask?.id).to.equal(task.id);
    // An owner can put it back.
    expect(await demo.project.requeueSkipped([bad.index])).to.equal(1);
  });

  it('a real HTTP 404 from the server (a URL source): E_FETCH_FAILED and skipped; the image that exists shows', async () => {
    const ok = new URL('/test/fixtures/media/gen/rgba.png', location.href).href;
    const missing = new URL('/test/fixtures/media/gen/no-such-image-404.png', location.href).href;
    const project = await new ProjectRegistry(new MemoryStore()).create(
      { name: `urls ${Math.random()}`, kind: 'image-classification-multilabel', labels: ['a', 'b'], seed: 1 },
      { actor: { id: 'ana', role: 'owner' } },
    );
    const source = new UrlListSource([ok, missing]);
    await project.refresh(source);
    expect(project.itemCount).to.equal(2);
    const errors: { error: LabelkitError }[] = [];
    const { h } = mount(project, source, errors as unknown[]);
    await h.ready();
    await until(() => errors.length > 0, 'a label-error');
    expect(errors[0].error.code).to.equal('E_FETCH_FAILED');
    expect((errors[0].error.cause as LabelkitError).code).to.equal('E_NOT_FOUND');
    expect(errors[0].error.details.status).to.equal(404);
    const byPath = new Map([...project.items()].map((i) => [i.path, i]));
    await until(() => byPath.size === 2 && project.item(byPath.get(missing)!.index).state === 'skipped', 'the missing item skipped');
    expect(project.stats().counts.unreadable).to.equal(0);
    await until(() => shown(h) === 1, 'the existing image shown');
  });

  it('bytes that arrive but do not decode still make the item unreadable (no retries, no E_FETCH_FAILED)', async () => {
    const demo = await demoProject({ items: 8 });
    const task = (await demo.project.nextTask({ size: 4 }))!;
    const broken = task.items[0];
    const garbage = new TextEncoder().encode('\x89PNG\r\n\x1a\n this is not image data at all');
    const source: DataSource & { calls: number } = {
      description: 'one broken file',
      calls: 0,
      list: (o) => demo.source.list(o),
      read(path, o) {
        if (path !== broken.path) return demo.source.read(path, o);
        this.calls++;
        return Promise.resolve(garbage);
      },
    };
    const errors: unknown[] = [];
    const { h } = mount(demo.project, source, errors);
    await h.ready();
    await until(() => demo.project.item(broken.index).state === 'unreadable', 'the broken item unreadable');
    expect(demo.project.item(broken.index).unreadable!.code).to.equal('E_CORRUPT_IMAGE');
    expect(source.calls).to.equal(1);
    expect(errors.some((e) => LabelkitError.is((e as { error: unknown }).error, 'E_FETCH_FAILED'))).to.equal(false);
    expect(demo.project.stats().counts.skipped).to.equal(0);
  });
});
