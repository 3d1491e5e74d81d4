import { LabelkitError } from './errors.js';
import type { ProjectEvent } from './journal/events.js';
import { Journal } from './journal/journal.js';
import { loadSharedModule, Project, type ProjectOptions } from './project.js';
import { checkAssist, checkQueue } from './settings.js';
import { defaultClientId } from './tabs.js';
import { makeLabelClasses } from './labels.js';
import { projectKey } from './registry-status.js';
import { ProjectState } from './state/project-state.js';
import { getJson, listAll, putJson, type Store } from './store/store.js';
import { DEFAULT_ASSIST, DEFAULT_QUEUE, PROJECT_KINDS, type AssistSettings, type ProjectKind, type QueueSettings } from './types.js';
import { randomId, randomSeed } from './util/prng.js';

export interface NewProject {
  readonly name: string;
  readonly kind: ProjectKind;
  /** Label names, or `{ name, color }`. The first ten get keys 1–9, then 0. */
  readonly labels: readonly (string | { name: string; color?: string })[];
  /** Markdown shown to labelers. */
  readonly instructions?: string;
  readonly assist?: Partial<AssistSettings>;
  readonly queue?: Partial<QueueSettings>;
  /** Queue shuffle seed (random by default); recorded in the journal so the order is reproducible. */
  readonly seed?: number;
}

export interface ProjectSummary {
  readonly id: string;
  readonly name: string;
  readonly kind: ProjectKind;
  readonly createdAt: number;
  readonly createdBy: string;
  readonly deletedAt?: number;
  /** Set while the project is stopped or archived (its reason too); absent while active. A copy of `Project.status`. */
  readonly status?: { readonly state: 'stopped' | 'archived'; readonly reason?: string };
}

/** Names compare without case and surrounding space, in Unicode NFC. */
export function normalizeName(name: string): string {
  return name.normalize('NFC').trim().toLowerCase();
}

/**
 * The projects in a store. A name is unique, and a name once used — even by a deleted project —
 * is never given again (`E_NAME_TAKEN`): names are claimed with a create-only write that is
 * never removed, so this holds across clients of a shared store too.
 */
export class ProjectRegistry {
  constructor(readonly store: Store) {}

  async create(spec: NewProject, options: ProjectOptions): Promise<Project> {
    const name = typeof spec.name === 'string' ? spec.name.normalize('NFC').trim() : '';
    if (!name || name.length > 256 || /[\u0000-\u001f\u007f]/.test(name)) {
      throw new LabelkitError('E_INVALID_ARGUMENT', 'A project name is 1–256 characters, without control characters.', { name: spec.name });
    }
    if (!PROJECT_KINDS.includes(spec.kind)) {
      throw new LabelkitError('E_INVALID_ARGUMENT', `Unknown project kind "${spec.kind}". Use one of: ${PROJECT_KINDS.join(', ')}.`, { kind: spec.kind });
    }
    const labels = makeLabelClasses(spec.labels ?? []);
    if (options.shared) await loadSharedModule(); // before anything is written
    if (labels.length < (spec.kind === 'image-classification-multiclass' ? 2 : 1)) {
      throw new LabelkitError(
        'E_INVALID_ARGUMENT',
        spec.kind === 'image-classification-multiclass' ? 'A multi-class project needs at least two labels.' : 'A project needs at least one label.',
      );
    }
    const assist = checkAssist({ ...DEFAULT_ASSIST, ...spec.assist });
    const queue = checkQueue({ ...DEFAULT_QUEUE, ...spec.queue });
    const id = randomId('p');
    const createdAt = (options.now ?? Date.now)();
    try {
      await putJson(this.store, nameKey(name), { id, name, createdAt }, { ifNoneMatch: '*' });
    } catch (err) {
      if (LabelkitError.is(err, 'E_CONFLICT')) {
        throw new LabelkitError('E_NAME_TAKEN', `The name "${name}" is taken (names of deleted projects are never reused). Choose another name.`, { name });
      }
      throw err;
    }
    const summary: ProjectSummary = { id, name, kind: spec.kind, createdAt, createdBy: options.actor.id };
    await putJson(this.store, projectKey(id), summary);
    const journal = new Journal(this.store, id, await defaultClientId(this.store, id, options));
    const created: ProjectEvent = {
      type: 'project.created',
      id,
      name,
      kind: spec.kind,
      labels,
      instructions: spec.instructions ?? '',
      assist,
      queue,
      seed: spec.seed ?? randomSeed(),
    };
    const event = journal.stamp([created], options.actor.id, createdAt)[0]!; // one event in, one out
    const { seq } = await journal.append([event]);
    const state = new ProjectState();
    state.apply(event);
    return new Project(
      this.store,
      state,
      journal,
      { [journal.clientId]: seq },
      { ...options, clientId: journal.clientId },
      {
        journalDamage: [],
        snapshotDamage: [],
        fromSnapshot: false,
        eventsReplayed: 0,
      },
    );
  }

  /** Opens a project by id or by name. */
  async open(idOrName: string, options: ProjectOptions): Promise<Project> {
    const summary = await this.find(idOrName);
    if (!summary || summary.deletedAt) {
      throw new LabelkitError('E_NOT_FOUND', `No project "${idOrName}" in ${this.store.description}.`, { project: idOrName });
    }
    return Project.load(this.store, summary.id, options);
  }

  async find(idOrName: string): Promise<ProjectSummary | undefined> {
    const byId = await getJson<ProjectSummary>(this.store, projectKey(idOrName)).catch(() => undefined);
    if (byId) return byId.value;
    const claim = await getJson<{ id: string }>(this.store, nameKey(idOrName));
    if (!claim) return undefined;
    return (await getJson<ProjectSummary>(this.store, projectKey(claim.value.id)))?.value;
  }

  /** Live projects, oldest first. */
  async list(options: { includeDeleted?: boolean } = {}): Promise<ProjectSummary[]> {
    const out: ProjectSummary[] = [];
    for (const e of await listAll(this.store, 'registry/projects/')) {
      const got = await getJson<ProjectSummary>(this.store, e.key);
      if (got && (options.includeDeleted || !got.value.deletedAt)) out.push(got.value);
    }
    return out.sort((a, b) => a.createdAt - b.createdAt);
  }

  /**
   * Deletes a project's data (journal, snapshots, drafts). Only its owner may. The name stays
   * claimed forever.
   */
  async delete(id: string, options: ProjectOptions): Promise<void> {
    const project = await this.open(id, options);
    if (project.role !== 'owner') throw new LabelkitError('E_FORBIDDEN', 'Only a project owner may delete it.');
    const current = await getJson<ProjectSummary>(this.store, projectKey(project.id));
    if (!current) return;
    await putJson(this.store, projectKey(project.id), { ...current.value, deletedAt: (options.now ?? Date.now)() }, { ifMatch: current.etag });
    project.close();
    for (const e of await listAll(this.store, `projects/${project.id}/`)) await this.store.delete(e.key);
  }
}

function nameKey(name: string): string {
  return `registry/names/${encodeURIComponent(normalizeName(name))}`;
}
