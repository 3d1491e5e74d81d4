// Runs inside a dedicated module worker: the core must work there (IndexedDB included).
import { IndexedDBStore, ProjectRegistry } from '@labelkit/core';

self.onmessage = async (e: MessageEvent<{ db: string }>) => {
  try {
    const reg = new ProjectRegistry(new IndexedDBStore(e.data.db));
    const p = await reg.create({ name: 'From a worker', kind: 'image-classification-multilabel', labels: ['a', 'b'] }, { actor: { id: 'w', role: 'owner' } });
    await p.addItems([{ path: '1.png' }, { path: '2.jpg' }, { path: 'skip.txt' }]);
    const t = await p.nextTask({ size: 4 });
    await p.submit(
      t!.id,
      t!.items.map((x) => ({ item: x.index, annotations: [{ kind: 'class' as const, label: 'a' }] })),
    );
    (self as unknown as Worker).postMessage({ ok: true, id: p.id, stats: p.stats() });
  } catch (err) {
    (self as unknown as Worker).postMessage({ ok: false, error: String(err) });
  }
};
