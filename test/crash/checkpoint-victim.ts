// A labeler process for checkpoint-crash.test.ts: labels a project on the file system and dies by
// SIGKILL inside the k-th checkpoint write (a tail or a snapshot), before or after it lands.
// Each confirmed submit is printed before the next begins.
import { Project, type Store } from '@labelkit/core';
import { FsStore } from '@labelkit/core/node';

const plan = JSON.parse(process.argv[2]!) as { dir: string; projectId: string; killAt: number; phase: 'before' | 'after'; tasks: number };
const inner = new FsStore(plan.dir);
let checkpoints = 0;
const store: Store = {
  description: inner.description,
  get: (k, o) => inner.get(k, o),
  delete: (k, o) => inner.delete(k, o),
  list: (p, o) => inner.list(p, o),
  async put(key, bytes, options) {
    if (!/\/snapshots\//.test(key)) return inner.put(key, bytes, options);
    checkpoints++;
    if (checkpoints === plan.killAt && plan.phase === 'before') process.kill(process.pid, 'SIGKILL');
    const r = await inner.put(key, bytes, options);
    if (checkpoints === plan.killAt && plan.phase === 'after') process.kill(process.pid, 'SIGKILL');
    return r;
  },
};
const p = await Project.load(store, plan.projectId, { actor: { id: 'victim', role: 'labeler' }, clientId: 'victim', checkpointEvery: 8 });
for (let k = 0; k < plan.tasks; k++) {
  const t = await p.nextTask({ size: 1 });
  if (!t) break;
  const label = k % 2 ? 'cat' : 'dog';
  await p.submit(t.id, [{ item: t.items[0]!.index, annotations: [{ kind: 'class', label }] }]);
  process.stdout.write(JSON.stringify({ item: t.items[0]!.index, label }) + '\n');
  // Yield a macrotask now and then, as a labeler's pause does: idle checkpoints run then.
  if (k % 4 === 3) await new Promise((r) => setTimeout(r, 1));
}
process.stdout.write(JSON.stringify({ finished: true }) + '\n');
process.exit(0);
