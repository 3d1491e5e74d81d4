// Builds real projects in the browser for the stories and browser tests of <label-queue> and
// <label-dashboard>: a MemoryStore (or any store), digit images drawn on a canvas and encoded as
// PNG, and optional progress (labels, skips, review, prelabels, ML runs) made through the core's
// own commands.
import { MemorySource, MemoryStore, ProjectRegistry, isClassificationKind, type Annotation, type Project, type ProjectKind, type Role, type Store } from '@labelkit/core';

const pngCache = new Map<number, Uint8Array>();

/** A 64 × 64 PNG showing digit `d` (white on dark, like MNIST). */
export async function digitPng(d: number): Promise<Uint8Array> {
  const hit = pngCache.get(d);
  if (hit) return hit;
  const c = new OffscreenCanvas(64, 64);
  const g = c.getContext('2d')!;
  g.fillStyle = '#101418';
  g.fillRect(0, 0, 64, 64);
  g.fillStyle = '#f5f5f5';
  g.font = 'bold 48px sans-serif';
  g.textAlign = 'center';
  g.textBaseline = 'middle';
  g.fillText(String(d), 32, 35);
  const bytes = new Uint8Array(await (await c.convertToBlob({ type: 'image/png' })).arrayBuffer());
  pngCache.set(d, bytes);
  return bytes;
}

export const DIGIT_LABELS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'].map((n) => `digit ${n}`);

export interface DemoOptions {
  kind?: ProjectKind;
  items?: number;
  labels?: string[];
  /** Items labeled (by 'ana') before the element sees the project. */
  labeled?: number;
  skipped?: number;
  review?: number;
  /** Items given prelabels by a finished inference run. */
  prelabeled?: number;
  /** Record featurization/training/inference runs with metrics. */
  runs?: boolean;
  assist?: boolean;
  instructions?: string;
  /** Who opens the project for the element (default the owner 'ana'). */
  role?: Role;
  store?: Store;
  name?: string;
}

export interface Demo {
  project: Project;
  source: MemorySource;
  store: Store;
  /** Opens the same project as someone else. */
  openAs(id: string, role: Role): Promise<Project>;
}

function labelFor(kind: ProjectKind, label: string, i: number): Annotation[] {
  if (isClassificationKind(kind)) return [{ kind: 'class', label }];
  if (kind === 'image-object-detection') return [{ kind: 'box', label, x: 8 + (i % 8), y: 6, w: 40, h: 50 }];
  return [{ kind: 'polygon', label, points: [10, 8, 54, 10, 50, 56, 12, 52] }];
}

export async function demoProject(o: DemoOptions = {}): Promise<Demo> {
  const kind = o.kind ?? 'image-classification-multiclass';
  const store = o.store ?? new MemoryStore();
  const registry = new ProjectRegistry(store);
  const n = o.items ?? 40;
  const files: [string, Uint8Array][] = [];
  for (let i = 0; i < n; i++) files.push([`digits/${String(i).padStart(5, '0')}.png`, await digitPng(i % 10)]);
  const source = new MemorySource(files, `generated digits (${n})`);
  const labels = o.labels ?? (isClassificationKind(kind) ? DIGIT_LABELS : ['digit', 'smudge']);
  const owner = await registry.create(
    {
      name: o.name ?? `Digits ${Math.random().toString(36).slice(2, 8)}`,
      kind,
      labels,
      instructions: o.instructions ?? 'Tag each image with the **digit** it shows. Unsure? Mark it for review.',
      assist: { enabled: !!o.assist, firstTrainingAt: 20, retrainEvery: 20 },
      seed: 7,
    },
    { actor: { id: 'ana', role: 'owner' } },
  );
  await owner.refresh(source);
  const ids = owner.labels.map((l) => l.id);
  const sized = [...owner.items()].map((it) => ({ item: it.index, width: 64, height: 64 }));
  if (sized.length) await owner.setItemSizes(sized);
  const work = async (count: number, how: 'label' | 'skip' | 'review') => {
    let left = count;
    while (left > 0) {
      const t = await owner.nextTask({ size: isClassificationKind(kind) ? 4 : 1 });
      if (!t) break;
      const items = t.items.slice(0, left);
      if (how === 'skip')
        await owner.skip(
          t.id,
          items.map((i) => i.index),
        );
      else
        await owner.submit(
          t.id,
          items.map((it) => ({ item: it.index, annotations: labelFor(kind, ids[(it.index % 10) % ids.length], it.index) })),
          { needsReview: how === 'review' },
        );
      if (owner.currentTask()) await owner.release(t.id);
      left -= items.length;
    }
  };
  await work(o.labeled ?? 0, 'label');
  await work(o.skipped ?? 0, 'skip');
  await work(o.review ?? 0, 'review');
  if (o.runs || o.prelabeled) {
    const f = await owner.startRun('featurization', { device: 'wasm' });
    await owner.finishRun(f, 'completed', { metrics: { images: owner.itemCount, msPerImage: 3.2 } });
    const tr = await owner.startRun('training', { device: 'wasm' });
    await owner.finishRun(tr, 'completed', { metrics: { accuracy: 0.93, threshold: 0.82, precision: 0.96 } });
  }
  if (o.prelabeled) {
    const run = await owner.startRun('inference', { device: 'wasm' });
    const todo = [...owner.items({ states: ['todo'] })].slice(0, o.prelabeled);
    await owner.proposePrelabels(
      run,
      todo.map((it) => ({ item: it.index, annotations: labelFor(kind, ids[(it.index % 10) % ids.length], it.index).map((a) => ({ ...a, confidence: 0.9 })) })),
    );
    await owner.finishRun(run, 'completed', { metrics: { prelabeled: todo.length } });
  }
  const openAs = (id: string, role: Role) => registry.open(id, { actor: { id: role === 'owner' ? 'ana' : role === 'labeler' ? 'lee' : 'rey', role } });
  const project = !o.role || o.role === 'owner' ? owner : await openAs(owner.id, o.role);
  return { project, source, store, openAs };
}
