import { LabelkitError } from './errors.js';
import { getJson, putJson, type Store } from './store/store.js';
import type { ProjectStatus } from './team/team-state.js';

// The registry's copy of a project's lifecycle status, so a project list (`ProjectRegistry.list`)
// shows which projects are stopped or archived without opening each one. The journal stays the
// truth (`Project.status`); this copy is written after each stop, start and archive.

/** The registry document of a project. */
export function projectKey(id: string): string {
  return `registry/projects/${encodeURIComponent(id)}.json`;
}

/**
 * Writes `status` into the project's registry entry (conditional, retried when another client
 * wrote it meanwhile). A project the registry does not list (opened from a bare journal) is left alone.
 */
export async function recordStatus(store: Store, id: string, status: ProjectStatus): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const current = await getJson<Record<string, unknown>>(store, projectKey(id));
    if (!current) return;
    const { status: _old, ...rest } = current.value;
    const next = status.state === 'active' ? rest : { ...rest, status: { state: status.state, ...(status.reason ? { reason: status.reason } : {}) } };
    try {
      await putJson(store, projectKey(id), next, { ifMatch: current.etag });
      return;
    } catch (err) {
      if (!LabelkitError.is(err, 'E_CONFLICT')) throw err;
    }
  }
}
