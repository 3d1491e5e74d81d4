import { LabelkitError } from '../errors.js';
import type { ProjectCore } from './core.js';

// The review commands: approving and rejecting labels, and putting skipped or unreadable items
// back in the queue. The doc comments are on `Project`'s methods.

export function approve(core: ProjectCore, items: readonly number[]): Promise<void> {
  return core.run('reviewer', async () => {
    const ok = items.filter((i) => core.checkItem(i) && core.state.is(i, 'needs-review'));
    if (ok.length) await core.commit([{ type: 'items.reviewed', items: ok }]);
  });
}

export function reject(core: ProjectCore, items: readonly number[], reason?: string): Promise<void> {
  return core.run('reviewer', async () => {
    const ok = items.filter((i) => core.checkItem(i) && core.state.is(i, 'labeled', 'needs-review'));
    if (!ok.length) throw new LabelkitError('E_INVALID_ARGUMENT', 'Only labeled items (or items marked for review) can be rejected.');
    await core.commit([{ type: 'items.rejected', items: ok, ...(reason ? { reason } : {}) }]);
    await core.reopenShared(ok);
  });
}

export function requeue(core: ProjectCore, from: 'skipped' | 'unreadable', items?: readonly number[]): Promise<number> {
  return core.run('reviewer', async () => {
    const s = core.state;
    const chosen = items ?? s.itemsIn(from);
    const ok = chosen.filter((i) => core.checkItem(i) && s.is(i, from));
    if (ok.length) {
      await core.commit([{ type: 'items.requeued', items: ok, ...(from === 'unreadable' ? { from } : {}) }]);
      await core.reopenShared(ok);
    }
    return ok.length;
  });
}
