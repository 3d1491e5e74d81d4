// A labeler process for the crash harness (crash.ts): opens a shared project on Azurite and labels,
// and at a chosen point dies by SIGKILL *inside* a call — just before or just after the k-th store
// write of a chosen operation (nextTask, submit, skip, renewLease) — so the crash falls between two
// writes of one command. Each confirmed command (its promise resolved) is printed as a JSON line
// before the next begins, so the parent knows exactly what was acknowledged.
import { AzureBlobStore } from '@labelkit/core/azure';
import { Project, type Store } from '@labelkit/core';

export interface VictimPlan {
  readonly containerUrl: string;
  readonly sasToken: string;
  readonly projectId: string;
  readonly clientId: string;
  readonly user: string;
  /** The operation that dies, on the `armedTask`-th task (0-based). */
  readonly killOp: 'nextTask' | 'submit' | 'skip' | 'renewLease' | 'none';
  readonly armedTask: number;
  /** Dies at the k-th write (1-based) of that operation, before it is sent or after it is answered. */
  readonly killAt: number;
  readonly killPhase: 'before' | 'after';
  /** Tasks to do before stopping (when not killed first). */
  readonly tasks: number;
}

const plan = JSON.parse(process.argv[2]!) as VictimPlan;
const out = (o: unknown) => process.stdout.write(JSON.stringify(o) + '\n');
const die = (): never => {
  process.kill(process.pid, 'SIGKILL');
  throw new Error('unreachable');
};

let armed = false;
let writes = 0;
const inner = new AzureBlobStore({ containerUrl: plan.containerUrl, sasToken: plan.sasToken, retry: { baseDelayMs: 5, maxDelayMs: 50, tryTimeoutMs: 2_000, maxAttempts: 6 } });
const store: Store = {
  description: inner.description,
  get: (k, o) => inner.get(k, o),
  delete: (k, o) => inner.delete(k, o),
  list: (p, o) => inner.list(p, o),
  // The shared tail goes through uncounted: a kill after a segment or a done mark can land before or
  // after its tail record, so the survivor must also find segments whose record never came.
  append: (k, b, o) => inner.append(k, b, o),
  readFrom: (k, off, o) => inner.readFrom(k, off, o),
  seal: (k, o) => inner.seal(k, o),
  async put(key, bytes, options) {
    if (!armed) return inner.put(key, bytes, options);
    writes++;
    if (writes === plan.killAt && plan.killPhase === 'before') die();
    const r = await inner.put(key, bytes, options);
    if (writes === plan.killAt && plan.killPhase === 'after') die();
    return r;
  },
};

async function step<T>(op: VictimPlan['killOp'], task: number, fn: () => Promise<T>): Promise<T> {
  out({ start: op, task }); // the parent may kill from outside a few ms into this call
  armed = op === plan.killOp && task === plan.armedTask;
  writes = 0;
  try {
    return await fn();
  } finally {
    armed = false;
  }
}

const p = await Project.load(store, plan.projectId, { actor: { id: plan.user, role: 'labeler' }, clientId: plan.clientId, shared: true, snapshotEvery: 0 });
out({ ready: true });
for (let k = 0; k < plan.tasks; k++) {
  const task = await step('nextTask', k, () => p.nextTask({ size: 1 }));
  if (!task) break;
  const items = task.items.map((i) => i.index);
  out({ assigned: items, task: task.id });
  await step('renewLease', k, () => p.renewLease(task.id));
  if (k % 3 === 2) {
    await step('skip', k, () => p.skip(task.id));
    out({ ack: 'skip', items });
  } else {
    await step('submit', k, () =>
      p.submit(
        task.id,
        items.map((item) => ({ item, annotations: [{ kind: 'class' as const, label: 'cat' }] })),
      ),
    );
    out({ ack: 'submit', items, label: 'cat' });
  }
}
out({ finished: true });
process.exit(0);
