// In-memory ProjectReaders for the export tests (test support: not part of the published package).
import type { Annotation, ItemState, ItemView, LabelClass, ProjectKind, ProjectReader } from '../src/types.js';
import type { ImportResult } from '../src/export/types.js';

export interface PlainItem {
  readonly path: string;
  readonly state?: ItemState;
  readonly width?: number;
  readonly height?: number;
  readonly annotations?: readonly Annotation[];
  readonly prelabels?: readonly Annotation[];
}

export interface PlainProject {
  readonly id?: string;
  readonly name?: string;
  readonly kind: ProjectKind;
  readonly labels: readonly LabelClass[];
  readonly items: readonly PlainItem[];
}

/** A ProjectReader over plain data. Items default to state 'labeled'. */
export function memoryReader(project: PlainProject): ProjectReader & { iterations: number } {
  const views: ItemView[] = project.items.map((it, index) => ({
    index,
    path: it.path,
    state: it.state ?? 'labeled',
    lane: 'manual',
    ...(it.width !== undefined ? { width: it.width } : {}),
    ...(it.height !== undefined ? { height: it.height } : {}),
    annotations: it.annotations ?? [],
    ...(it.prelabels ? { prelabels: it.prelabels } : {}),
  }));
  const reader = {
    id: project.id ?? 'p1',
    name: project.name ?? 'Test project',
    kind: project.kind,
    labels: project.labels,
    itemCount: views.length,
    iterations: 0,
    *items(filter?: { readonly states?: readonly ItemState[] }) {
      reader.iterations++;
      for (const v of views) if (!filter?.states || filter.states.includes(v.state)) yield v;
    },
    item(index: number) {
      return views[index];
    },
  };
  return reader;
}

/** The project an import would make: its parsed items, labeled, with the given labels. */
export function readerFromImport(result: ImportResult, project: Omit<PlainProject, 'items'>): ProjectReader {
  return memoryReader({
    ...project,
    items: result.parsed.map((p) => ({
      path: p.path,
      width: p.width,
      height: p.height,
      ...(result.as === 'labels' ? { annotations: p.annotations } : { annotations: [], prelabels: p.annotations, state: 'todo' as const }),
    })),
  });
}

export const LABELS: readonly LabelClass[] = [
  { id: 'l-cat', name: 'cat', color: '#f00', key: '1' },
  { id: 'l-dog', name: 'dog', color: '#0f0', key: '2' },
  { id: 'l-odd', name: 'odd "name" <&> ü', color: '#00f', key: '3' },
];

export function text(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes);
}
