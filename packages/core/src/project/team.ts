import { validateAnnotations } from '../annotations.js';
import { LabelkitError } from '../errors.js';
import { recordStatus } from '../registry-status.js';
import { cleanAnnotation } from '../settings.js';
import type { Annotation } from '../types.js';
import type { ProjectCore } from './core.js';

// The team's commands: stopping, starting and archiving a project (owners), and settling consensus
// disagreements (reviewers). The doc comments are on `Project`'s methods.

export function stop(core: ProjectCore, reason?: string): Promise<void> {
  return core.run('owner', async () => {
    if (core.state.team.status.state === 'stopped') return;
    await core.commit([{ type: 'project.stopped', ...(reason ? { reason: String(reason) } : {}) }]);
    await announced(core);
  });
}

export function start(core: ProjectCore): Promise<void> {
  return core.run(
    'owner',
    async () => {
      if (core.state.team.status.state === 'active') return;
      await core.commit([{ type: 'project.started' }]);
      await announced(core);
    },
    { whileArchived: true },
  );
}

export function archive(core: ProjectCore, reason?: string): Promise<void> {
  return core.run('owner', async () => {
    await core.commit([{ type: 'project.archived', ...(reason ? { reason: String(reason) } : {}) }]);
    await announced(core);
  });
}

/**
 * On a shared store a lifecycle change resolves once it is in the team's shared tail, so every
 * other client sees it on its next sync (a submission's record may trail; a stop may not). The
 * registry's entry gets a copy, for project lists.
 */
async function announced(core: ProjectCore): Promise<void> {
  await (await core.sharedReady())?.flush();
  await recordStatus(core.store, core.state.meta.id, core.state.team.status);
}

/** A reviewer's final labels for consensus items (one answer chosen, or their own). */
export function resolveConsensus(core: ProjectCore, results: readonly { item: number; annotations: readonly Annotation[] }[]): Promise<void> {
  return core.run('reviewer', async () => {
    const s = core.state;
    if (!results.length) throw new LabelkitError('E_INVALID_ARGUMENT', 'Nothing to resolve: give final labels for at least one item.');
    for (const r of results) {
      core.checkItem(r.item);
      if (!s.is(r.item, 'needs-review', 'labeled')) {
        throw new LabelkitError('E_CONFLICT', `${s.pathOf(r.item)} is ${s.itemState(r.item, core.now())}; only items in review or labeled can be resolved.`, { item: r.item });
      }
      validateAnnotations(s.meta.kind, s.meta.labels, r.annotations, s.dimensionsOf(r.item), s.pathOf(r.item));
    }
    await core.commit([{ type: 'consensus.resolved', items: results.map((r) => r.item), annotations: results.map((r) => r.annotations.map(cleanAnnotation)) }]);
  });
}
