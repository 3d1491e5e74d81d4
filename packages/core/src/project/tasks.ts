import { validateAnnotations } from '../annotations.js';
import { LabelkitError } from '../errors.js';
import type { ProjectEvent } from '../journal/events.js';
import { cleanAnnotation } from '../settings.js';
import { isClassificationKind, TASK_SIZES, type ItemView, type TaskSize } from '../types.js';
import { randomId } from '../util/prng.js';
import { forbidden, type ProjectCore } from './core.js';
import type { ItemLabels, Task } from './types.js';

// The queue's commands: tasks handed out, submitted, skipped, renewed and released. Each runs
// inside `ProjectCore.run`; the doc comments are on `Project`'s methods of the same names.

export function nextTask(core: ProjectCore, options: { size?: TaskSize; signal?: AbortSignal }): Promise<Task | undefined> {
  return core.run('labeler', async () => {
    const size = checkSize(options.size ?? 1);
    if (size !== 1 && !isClassificationKind(core.state.meta.kind)) {
      throw new LabelkitError('E_INVALID_ARGUMENT', 'Box and polygon projects show one image per task; ask for size 1.', { size });
    }
    const held = core.state.taskOf(core.actor.id, core.now(), core.clientId);
    if (held && core.state.openItemsOf(held).length) return taskView(core, held.id);
    const status = core.state.team.status;
    if (status.state !== 'active') {
      throw new LabelkitError(
        status.state === 'archived' ? 'E_PROJECT_ARCHIVED' : 'E_PROJECT_STOPPED',
        `The project is ${status.state}${status.reason ? ` (${status.reason})` : ''}: no new tasks are handed out until an owner starts it again.`,
        { ...status },
      );
    }
    return assignNext(core, size, options.signal);
  });
}

export function peekNext(core: ProjectCore, size: TaskSize): readonly ItemView[] {
  const now = core.now();
  const s = core.state;
  if (s.team.status.state !== 'active') return [];
  const pick = s.pick(size, s.meta.queue.laneOrder, now);
  if (!pick) return [];
  s.requeueFront([...pick.items].reverse());
  return pick.items.map((i) => s.view(i, now));
}

/** Leases a new task of up to `size` items (inside a command). */
async function assignNext(core: ProjectCore, size: TaskSize, signal?: AbortSignal): Promise<Task | undefined> {
  // A stopped or archived project hands out nothing new (a submission's `next` is then undefined).
  if (core.state.team.status.state !== 'active') return undefined;
  const now = core.now();
  const queueSettings = core.state.meta.queue;
  const id = randomId('t');
  // On a shared store, items are won on the lease board before they are handed out.
  const queue = await core.sharedQueue(signal);
  queue?.unpark(now);
  const pick = queue ? await queue.claim(id, size, signal) : core.state.pick(size, queueSettings.laneOrder, now);
  if (!pick) return undefined;
  await core.commit([{ type: 'task.assigned', task: id, items: pick.items, lane: pick.lane, expiresAt: now + queueSettings.leaseMs, client: core.clientId }], signal);
  return taskView(core, id);
}

export function submitAndNext(
  core: ProjectCore,
  taskId: string,
  results: readonly ItemLabels[],
  options: { size?: TaskSize; needsReview?: boolean; signal?: AbortSignal },
): Promise<{ next: Task | undefined; confirmed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    let handed = false;
    const hand = (next: Task | undefined, confirmed: Promise<void>) => {
      handed = true;
      resolve({ next, confirmed });
    };
    const confirmed: Promise<void> = core.run('labeler', async () => {
      const size = checkSize(options.size ?? 1);
      const { items, event } = submission(core, taskId, results, options.needsReview);
      if (await core.sharedReady(options.signal)) {
        await writeSubmission(core, taskId, items, event, options.signal);
        hand(await assignNext(core, size, options.signal), Promise.resolve());
        return;
      }
      const s = core.state;
      const now = core.now();
      const pick = s.team.status.state === 'active' ? s.pick(size, s.meta.queue.laneOrder, now) : undefined;
      const nextId = randomId('t');
      const expiresAt = now + s.meta.queue.leaseMs;
      const events: ProjectEvent[] = [event];
      if (pick) events.push({ type: 'task.assigned', task: nextId, items: pick.items, lane: pick.lane, expiresAt, client: core.clientId });
      hand(pick && { id: nextId, lane: pick.lane, user: core.actor.id, expiresAt, items: pick.items.map((i) => s.view(i, now)) }, confirmed);
      try {
        // The caller shows the next task first: the write's own work (encoding, the store's request)
        // starts in a later task, so it never delays that frame. Nothing is confirmed before it lands.
        await laterTask();
        await core.commit(events, options.signal);
      } catch (err) {
        if (pick) s.requeueFront([...pick.items].reverse());
        throw err;
      }
      await clearDraftIfDone(core, taskId);
    });
    confirmed.catch((err: unknown) => {
      if (!handed) reject(err);
    });
  });
}

export function submit(core: ProjectCore, taskId: string, results: readonly ItemLabels[], options: { needsReview?: boolean; signal?: AbortSignal }): Promise<void> {
  return core.run('labeler', async () => {
    const { items, event } = submission(core, taskId, results, options.needsReview);
    await writeSubmission(core, taskId, items, event, options.signal);
  });
}

export function renewLease(core: ProjectCore, taskId: string): Promise<Task> {
  return core.run('labeler', async () => {
    const t = ownTask(core, taskId);
    const expiresAt = core.now() + core.state.meta.queue.leaseMs;
    const shared = await core.sharedReady();
    if (shared) await (await core.sharedQueue())!.holdingLease(t.id, () => shared.renew(t.id, expiresAt, core.state.openItemsOf(t)));
    await core.commit([{ type: 'task.renewed', task: t.id, expiresAt }]);
    return taskView(core, t.id)!;
  });
}

export function release(core: ProjectCore, taskId: string): Promise<void> {
  return core.run('labeler', async () => {
    const t = core.state.taskById(taskId);
    if (!t) return;
    if (t.user !== core.actor.id && !core.can('reviewer')) throw forbidden('release another person’s task');
    const open = core.state.openItemsOf(t);
    await core.commit([{ type: 'task.released', task: taskId }]);
    await (await core.sharedReady())?.release(taskId, open);
    await core.drafts.clearIfAny(taskId);
  });
}

export function skip(core: ProjectCore, taskId: string, items?: readonly number[]): Promise<void> {
  return core.run('labeler', async () => {
    const t = core.state.taskById(taskId);
    const chosen = items ?? (t ? core.state.openItemsOf(t) : []);
    if (!chosen.length) throw new LabelkitError('E_INVALID_ARGUMENT', 'Nothing to skip.');
    const ok = checkWorkable(core, taskId, chosen);
    const shared = await core.sharedReady();
    if (shared) await (await core.sharedQueue())!.holdingLease(taskId, () => shared.ensureLive(taskId, ok));
    await core.commit([{ type: 'items.skipped', task: taskId, items: ok }]);
    if (shared) await (await core.sharedQueue())!.markDone(taskId, ok);
    await clearDraftIfDone(core, taskId);
  });
}

/** The task the actor holds, if its lease is live (e.g. after a reload). */
export function currentTask(core: ProjectCore): Task | undefined {
  const t = core.state.taskOf(core.actor.id, core.now(), core.clientId);
  return t && taskView(core, t.id);
}

function checkSize(size: TaskSize): TaskSize {
  if (!TASK_SIZES.includes(size)) throw new LabelkitError('E_INVALID_ARGUMENT', `A task holds 1, 4, 6 or 9 items, not ${size}.`, { size });
  return size;
}

/** Validates a submission; the items it covers and its event. */
function submission(core: ProjectCore, taskId: string, results: readonly ItemLabels[], needsReview?: boolean): { items: number[]; event: ProjectEvent } {
  if (!results.length) throw new LabelkitError('E_INVALID_ARGUMENT', 'Nothing to submit: give labels for at least one item.');
  const items = checkWorkable(
    core,
    taskId,
    results.map((r) => r.item),
    true,
  );
  const s = core.state;
  for (const r of results) validateAnnotations(s.meta.kind, s.meta.labels, r.annotations, s.dimensionsOf(r.item), s.pathOf(r.item));
  return {
    items,
    event: { type: 'labels.submitted', task: taskId, items, annotations: results.map((r) => r.annotations.map(cleanAnnotation)), ...(needsReview ? { needsReview: true } : {}) },
  };
}

/**
 * Writes a validated submission. On a shared store the lease must still be ours (renewed when
 * close to expiry) before the write, and the items are marked done on the board after it.
 */
async function writeSubmission(core: ProjectCore, taskId: string, items: number[], event: ProjectEvent, signal?: AbortSignal): Promise<void> {
  const shared = await core.sharedReady(signal);
  const queue = await core.sharedQueue(signal);
  if (shared && queue) await queue.holdingLease(taskId, () => shared.ensureLive(taskId, items, signal));
  await core.commit([event], signal);
  if (queue) await queue.markDone(taskId, items);
  await clearDraftIfDone(core, taskId);
}

/** A task with nothing left open has no use for its draft. */
async function clearDraftIfDone(core: ProjectCore, taskId: string): Promise<void> {
  if (!core.state.taskById(taskId)) await core.drafts.clearIfAny(taskId);
}

function ownTask(core: ProjectCore, taskId: string) {
  const t = core.state.taskById(taskId);
  if (!t) throw new LabelkitError('E_NOT_FOUND', `Task ${taskId} is no longer open; ask for the next task.`, { taskId });
  if (t.user !== core.actor.id) throw forbidden('work on another person’s task');
  return t;
}

/**
 * Items the actor may label now: todo, and not held by someone else's live lease. With `answers`
 * (a submission, not a skip), a consensus answer that lost the race to an item's decision is taken
 * too: the fold keeps it (`TeamState.late`), so no labeled work is dropped.
 */
function checkWorkable(core: ProjectCore, taskId: string, items: readonly number[], answers = false): number[] {
  const s = core.state;
  const now = core.now();
  const seen = new Set<number>();
  for (const i of items) {
    core.checkItem(i);
    if (seen.has(i)) throw new LabelkitError('E_INVALID_ARGUMENT', `Item ${i} is given twice.`, { item: i });
    seen.add(i);
    const late = answers && !!s.meta.queue.consensus && (s.team.takesLate(i, core.actor.id) || (s.is(i, 'skipped') && s.team.answeredBy(i).length > 0));
    if (!s.is(i, 'todo') && !late) {
      throw new LabelkitError('E_CONFLICT', `${s.pathOf(i)} is already ${s.itemState(i, now)}; it was not changed.`, { item: i, state: s.itemState(i, now) });
    }
    if (s.meta.queue.consensus && s.team.hasAnswered(i, core.actor.id)) {
      throw new LabelkitError('E_CONFLICT', `You already answered ${s.pathOf(i)}; in consensus each labeler answers an item once.`, { item: i });
    }
    const lease = s.leaseCheck(taskId, i, now);
    // In consensus two labelers may hold one item at once (a lease per item and labeler on a shared store).
    if (lease === 'held-by-other' && !s.meta.queue.consensus) {
      throw new LabelkitError(
        'E_LEASE_EXPIRED',
        `Your lease on ${s.pathOf(i)} ran out and it was given to someone else. Your labels for it were not saved; ask for the next task.`,
        { item: i },
      );
    }
    // Not in this task: accepted only if it was this task's (lease ran out, nobody took it).
    if (lease === 'not-in-task') throw new LabelkitError('E_INVALID_ARGUMENT', `Item ${i} is not part of task ${taskId}.`, { item: i, taskId });
  }
  return [...items];
}

function taskView(core: ProjectCore, id: string): Task | undefined {
  const s = core.state;
  const t = s.taskById(id);
  if (!t) return undefined;
  const now = core.now();
  return { id: t.id, lane: t.lane, user: t.user, expiresAt: t.expiresAt, items: s.openItemsOf(t).map((i) => s.view(i, now)) };
}

/**
 * Resolves once the next task handed out can be on screen: in a visible page, in the task after the
 * next frame (a message posted from `requestAnimationFrame`, so encoding the write never delays that
 * frame); elsewhere (Node, a hidden tab, which runs no frames) in a later task. MessageChannel
 * messages, unlike timers, are not throttled in hidden tabs.
 */
function laterTask(): Promise<void> {
  return new Promise((resolve) => {
    const { port1, port2 } = new MessageChannel();
    const doc = (globalThis as { document?: Pick<Document, 'visibilityState' | 'addEventListener' | 'removeEventListener'> }).document;
    const raf = (globalThis as { requestAnimationFrame?: (cb: () => void) => number }).requestAnimationFrame;
    const post = () => port2.postMessage(undefined);
    const wait: { timer?: ReturnType<typeof setTimeout> } = {};
    port1.onmessage = () => {
      port1.close();
      clearTimeout(wait.timer);
      doc?.removeEventListener('visibilitychange', post);
      resolve();
    };
    if (!raf || !doc || doc.visibilityState !== 'visible') return post();
    raf(post);
    // A page that turns hidden (or runs no frames) before its next frame: the write does not wait for one.
    doc.addEventListener('visibilitychange', post);
    wait.timer = setTimeout(post, 100);
  });
}
