import { LabelkitError } from '../errors.js';
import type { LabelAddMode } from '../journal/events.js';
import { nextLabelClass } from '../labels.js';
import { checkAssist, checkQueue } from '../settings.js';
import type { AssistSettings, LabelClass, QueueSettings, Role } from '../types.js';
import type { ProjectCore } from './core.js';

// The owner's commands: label classes, instructions, assist and queue settings, members. The doc
// comments are on `Project`'s methods.

const ADD_MODES: readonly LabelAddMode[] = ['continue', 'start-over-keep', 'start-over-remove'];

export function addLabelClass(core: ProjectCore, label: { name: string; color?: string }, mode: LabelAddMode): Promise<LabelClass> {
  return core.run('owner', async () => {
    if (!ADD_MODES.includes(mode)) {
      throw new LabelkitError('E_INVALID_ARGUMENT', `mode must be 'continue', 'start-over-keep' or 'start-over-remove', not '${mode}'.`);
    }
    const cls = nextLabelClass(core.state.meta.labels, label);
    const reopened = mode === 'continue' ? [] : core.state.itemsIn('labeled', 'needs-review');
    await core.commit([{ type: 'label.added', label: cls, mode }]);
    // On a shared store the lease board must learn that these items are back in the queue.
    await core.reopenShared(reopened);
    return cls;
  });
}

export function editInstructions(core: ProjectCore, markdown: string): Promise<void> {
  return core.run('owner', async () => {
    if (typeof markdown !== 'string') throw new LabelkitError('E_INVALID_ARGUMENT', 'Instructions are a markdown string.');
    await core.commit([{ type: 'instructions.edited', markdown }]);
  });
}

export function updateAssist(core: ProjectCore, patch: Partial<AssistSettings>): Promise<AssistSettings> {
  return core.run('owner', async () => {
    const assist = checkAssist({ ...core.state.meta.assist, ...patch });
    await core.commit([{ type: 'assist.updated', assist }]);
    return assist;
  });
}

export function updateQueue(core: ProjectCore, patch: Partial<QueueSettings>): Promise<QueueSettings> {
  return core.run('owner', async () => {
    const queue = checkQueue({ ...core.state.meta.queue, ...patch });
    await core.commit([{ type: 'queue.updated', queue }]);
    return queue;
  });
}

export function setMember(core: ProjectCore, user: string, role: Role | null): Promise<void> {
  return core.run('owner', async () => {
    if (!user) throw new LabelkitError('E_INVALID_ARGUMENT', 'A member needs a user id.');
    await core.commit([{ type: 'member.set', user, role }]);
  });
}
