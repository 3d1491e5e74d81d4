import { expect } from '@esm-bundle/chai';
import { isAcceptedImagePath } from '@labelkit/core';

describe('browser harness', () => {
  it('runs in a secure context with WebGPU and resolves workspace packages from source', async () => {
    expect(window.isSecureContext).to.equal(true);
    expect(crossOriginIsolated).to.equal(true);
    expect(isAcceptedImagePath('a/B.JPG')).to.equal(true);
    const adapter = await (navigator as any).gpu?.requestAdapter();
    expect(adapter, 'a WebGPU adapter (SwiftShader)').to.not.equal(null);
  });
});

describe('core in a dedicated worker', () => {
  it('creates and labels a project on IndexedDB inside a worker; the page then opens it', async () => {
    const db = `labelkit-worker-${Math.random()}`;
    const worker = new Worker(new URL('./core-worker.fixture.ts', import.meta.url), { type: 'module' });
    const reply = await new Promise<any>((resolve) => {
      worker.onmessage = (e) => resolve(e.data);
      worker.onerror = (e) => resolve({ ok: false, error: e.message });
      worker.postMessage({ db });
    });
    worker.terminate();
    expect(reply.ok, reply.error).to.equal(true);
    expect(reply.stats.counts.labeled).to.equal(2);
    const { IndexedDBStore, ProjectRegistry } = await import('@labelkit/core');
    const p = await new ProjectRegistry(new IndexedDBStore(db)).open(reply.id, { actor: { id: 'page', role: 'owner' } });
    expect(p.stats().counts.labeled).to.equal(2);
    expect(p.itemCount).to.equal(2);
  });
});
