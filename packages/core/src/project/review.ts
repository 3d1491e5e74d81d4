import { LabelkitError } from '../errors.js';
import { consensusUnit, type ProjectCore } from './core.js';

// The review commands: approving and rejecting labels, and putting skipped or unreadable items
// back in the queue. The doc comments are on `Project`'s methods.

export function approve(core: ProjectCore, items: readonly number[]): Promise<void> {
  return core.run('reviewer', async () => {
    const s = core.state;
    const ok = items.filter((i) => core.checkItem(i) && s.is(i, 'needs-review', 'labeled') && !s.team.isReviewed(i));
    // A consensus disagreement has no labels to approve: a reviewer picks or gives them (resolveConsensus).
    // An agreed label a late answer disputed has: approving keeps it.
    const open = ok.filter((i) => {
      const v = s.team.consensusOf(i, 0);
      return v?.status === 'disagreed' && !v.final;
    });
    if (open.length) {
      throw new LabelkitError('E_INVALID_ARGUMENT', `${s.pathOf(open[0]!)} has answers that disagree: choose its final labels with resolveConsensus instead of approving.`, {
        items: open,
      });
    }
    if (ok.length) await core.commit([{ type: 'items.reviewed', items: ok }]);
  });
}

export function reject(core: ProjectCore, items: readonly number[], reason?: string): Promise<void> {
  return core.run('reviewer', async () => {
    const ok = items.filter((i) => core.checkItem(i) && core.state.is(i, 'labeled', 'needs-review'));
    if (!ok.length) throw new LabelkitError('E_INVALID_ARGUMENT', 'Only labeled items (or items marked for review) can be rejected.');
    // Consensus: the round's labelers each held a unit of their own; all of them reopen.
    const units = ok.flatMap((i) => core.state.team.answeredBy(i).map((by) => consensusUnit(i, by)));
    await core.commit([{ type: 'items.rejected', items: ok, ...(reason ? { reason } : {}) }]);
    await core.reopenShared(ok, units);
  });
}

export function requeue(core: ProjectCore, from: 'skipped' | 'unreadable', items?: readonly number[]): Promise<number> {
  return core.run('reviewer', async () => {
    const s = core.state;
    const chosen = items ?? s.itemsIn(from);
    const ok = chosen.filter((i) => core.checkItem(i) && s.is(i, from));
    if (ok.length) {
      const units = ok.flatMap((i) => s.team.answeredBy(i).map((by) => consensusUnit(i, by)));
      await core.commit([{ type: 'items.requeued', items: ok, ...(from === 'unreadable' ? { from } : {}) }]);
      await core.reopenShared(ok, units);
    }
    return ok.length;
  });
}
