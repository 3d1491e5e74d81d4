// The Data tab's ML flags (what `assist.flags` reports after a training round): a filter for
// near-duplicate groups and likely-mislabeled items, and a line on each flagged item saying why.
import { html, nothing } from 'lit';
import type { AssistFlags, ItemView } from '@labelkit/core';

export type FlagFilter = '' | 'duplicates' | 'suspects';

/** Item → what is flagged about it, built once per flags object. */
interface FlagIndex {
  readonly duplicateOf: Map<number, readonly number[]>;
  readonly suspect: Map<number, AssistFlags['suspects'][number]>;
}
const indexes = new WeakMap<AssistFlags, FlagIndex>();

function indexOf(flags: AssistFlags): FlagIndex {
  let ix = indexes.get(flags);
  if (!ix) {
    const duplicateOf = new Map<number, readonly number[]>();
    for (const g of flags.duplicates) for (const i of g) duplicateOf.set(i, g);
    ix = { duplicateOf, suspect: new Map(flags.suspects.map((s) => [s.item, s])) };
    indexes.set(flags, ix);
  }
  return ix;
}

/** Whether an item passes the filter ('' passes all). */
export function flagMatches(flags: AssistFlags | undefined, filter: FlagFilter, it: ItemView): boolean {
  if (!filter) return true;
  if (!flags) return false;
  const ix = indexOf(flags);
  return filter === 'duplicates' ? ix.duplicateOf.has(it.index) : ix.suspect.has(it.index);
}

/** The "ML flags" select of the toolbar (only when assist has flags). */
export function flagSelect(flags: AssistFlags | undefined, value: FlagFilter, onChange: (v: FlagFilter) => void) {
  if (!flags) return nothing;
  const dupItems = flags.duplicates.reduce((n, g) => n + g.length, 0);
  return html`<label>ML flags
    <select name="flags" @change=${(e: Event) => onChange((e.target as HTMLSelectElement).value as FlagFilter)}>
      <option value="" ?selected=${!value}>Any</option>
      <option value="duplicates" ?selected=${value === 'duplicates'}>Near-duplicates (${dupItems} in ${flags.duplicates.length} groups)</option>
      <option value="suspects" ?selected=${value === 'suspects'}>Likely mislabeled (${flags.suspects.length})</option>
    </select>
  </label>`;
}

/** Why an item is flagged, in words (nothing when it is not). */
export function flagNote(flags: AssistFlags | undefined, it: ItemView, byId: ReadonlyMap<string, { name: string }>) {
  if (!flags) return nothing;
  const ix = indexOf(flags);
  const group = ix.duplicateOf.get(it.index);
  const s = ix.suspect.get(it.index);
  if (!group && !s) return nothing;
  const name = (id: string) => byId.get(id)?.name ?? id;
  return html`<div class="flags" part="flags">
    ${group ? html`<span class="flag duplicate" title="Items ${group.join(', ')}">Near-duplicate of ${group.length - 1} other${group.length > 2 ? 's' : ''}</span>` : nothing}
    ${
      s
        ? html`<span class="flag suspect">Labeled ${name(s.label)}; model (${Math.round(s.confidence * 100)} %) and ${Math.round(s.agreement * 100)} % of similar items say ${name(s.suggested)}</span>`
        : nothing
    }
  </div>`;
}
