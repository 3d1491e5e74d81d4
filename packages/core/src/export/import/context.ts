// What the importers share: matching the file's images to the project's items and its names to
// labels, making each region submittable (clipped to its image, held to the submit rule), and
// collecting the result. Expected failures are data; only programming errors throw. Not part of the
// public API.
import { LabelkitError } from '../../errors.js';
import { clipBox, clipPolygon, regionProblem } from '../../geometry.js';
import { isClassificationKind, type Annotation, type BoxAnnotation, type ItemView, type LabelClass, type PolygonAnnotation, type ProjectKind } from '../../types.js';
import type { ImportedItem, ImportFailure, ImportFailureCode, ImportOptions, ImportResult } from '../types.js';

/** The item an image of the file goes to, and the size its coordinates refer to (when known). */
export interface Target {
  readonly path: string;
  readonly index?: number;
  readonly width?: number;
  readonly height?: number;
}

/** Matching images to items and names to labels; collects the result. */
export class ImportContext {
  readonly kind: ProjectKind;
  readonly kindIsClassification: boolean;
  readonly failed: ImportFailure[] = [];
  readonly warnings: string[] = [];
  readonly #parsed: ImportedItem[] = [];
  readonly #format: 'coco' | 'jsonl';
  readonly #options: ImportOptions;
  readonly #labelIds = new Map<string, string | undefined>();
  #byPath: Map<string, ItemView> | undefined;
  #byBase: Map<string, ItemView | null> | undefined;
  /** Item indices (or paths) already imported, to catch an image listed twice. */
  readonly #seen = new Map<string, string>();
  /** Regions clipped to their image: how many, and where the first few were. */
  #clipped = 0;
  readonly #clippedAt: string[] = [];

  constructor(format: 'coco' | 'jsonl', options: ImportOptions) {
    const kind = options.reader?.kind ?? options.kind;
    if (!kind) throw new LabelkitError('E_INVALID_ARGUMENT', 'Pass the project (`reader`) or its `kind` to import into.');
    this.kind = kind;
    this.kindIsClassification = isClassificationKind(kind);
    this.#format = format;
    this.#options = options;
    const labels: readonly LabelClass[] = options.labels ?? options.reader?.labels ?? [];
    for (const l of labels) if (!this.#labelIds.has(l.name)) this.#labelIds.set(l.name, l.id);
  }

  fail(code: ImportFailureCode, source: string, reason: string, path?: string): void {
    this.failed.push(path === undefined ? { code, source, reason } : { code, source, reason, path });
  }

  labelFor(name: string, source: string, path: string): string | undefined {
    let id = this.#labelIds.get(name);
    if (id === undefined && !this.#labelIds.has(name)) {
      id = this.#options.labelId?.(name);
      this.#labelIds.set(name, id);
    }
    if (id === undefined) this.fail('unknown-label', source, `"${name}" is not a label of the project.`, path);
    return id;
  }

  /**
   * A box or polygon of the file, in image pixels, made submittable: clipped to the target's image
   * when its size is known (counted in a warning), then held to the same rule as `Project.submit`
   * (`regionProblem`: finite, 3 distinct points, `MIN_REGION_AREA`, inside the image). Returns the
   * shape to import, or undefined after recording an `invalid-shape` failure.
   */
  region(shape: BoxAnnotation | PolygonAnnotation, target: Target, source: string): BoxAnnotation | PolygonAnnotation | undefined {
    const { width, height } = target;
    let out = shape;
    if (shape.kind === 'box') {
      const b = clipBox(shape.x, shape.y, shape.w, shape.h, width, height);
      if (b?.clipped) out = { ...shape, x: b.x0, y: b.y0, w: b.x1 - b.x0, h: b.y1 - b.y0 };
    } else {
      const p = clipPolygon(shape.points, width, height);
      if (p?.clipped) out = { ...shape, points: p.points };
    }
    const clipped = out !== shape;
    const problem = regionProblem(out, target);
    if (problem) {
      const reason = clipped ? `The ${shape.kind} lies outside its ${width}×${height} image; clipped to it, ${problem}` : problem.charAt(0).toUpperCase() + problem.slice(1);
      this.fail('invalid-shape', source, reason, target.path);
      return undefined;
    }
    if (clipped && ++this.#clipped <= 3) this.#clippedAt.push(`${source} in ${target.path}`);
    return out;
  }

  asPrelabel(shape: Annotation, score: number | undefined): Annotation {
    return this.#options.as === 'prelabels' && score !== undefined ? { ...shape, confidence: score } : shape;
  }

  /** Finds the item an image reference belongs to (or, without a reader, takes the reference as the path). */
  match(refs: (string | undefined)[], source: string, width: number | undefined, height: number | undefined, annotations: number): Target | undefined {
    const pathOf = this.#options.pathOf ?? ((r: string) => r);
    const reader = this.#options.reader;
    const first = refs[0]!;
    const lost = annotations ? ` Its ${annotations} annotation(s) were not imported.` : '';
    let target: Target | undefined;
    if (!reader) {
      target = { path: pathOf(first), ...(width !== undefined ? { width, height } : {}) };
    } else {
      const item = this.#find(refs.filter((r): r is string => !!r).map(pathOf));
      if (!item) {
        this.fail('not-in-project', source, `"${first}" is not an item of the project.${lost}`, first);
        return undefined;
      }
      const known = item.width !== undefined && item.height !== undefined;
      if (known && width !== undefined && (item.width !== width || item.height !== height)) {
        this.fail(
          'size-mismatch',
          source,
          `The file says ${width}×${height} but the item's image is ${item.width}×${item.height}, so its coordinates would be misplaced.${lost}`,
          item.path,
        );
        return undefined;
      }
      target = {
        path: item.path,
        index: item.index,
        ...(width !== undefined ? { width, height } : known ? { width: item.width, height: item.height } : {}),
      };
    }
    const key = target.index !== undefined ? `#${target.index}` : target.path;
    const earlier = this.#seen.get(key);
    if (earlier !== undefined) {
      this.fail('duplicate-id', source, `The image "${target.path}" was already imported from ${earlier}; this entry was not imported.${lost}`, target.path);
      return undefined;
    }
    this.#seen.set(key, source);
    return target;
  }

  #find(paths: string[]): ItemView | undefined {
    const reader = this.#options.reader!;
    if (!this.#byPath) {
      this.#byPath = new Map();
      this.#byBase = new Map();
      for (const item of reader.items()) {
        this.#byPath.set(item.path, item);
        const base = basename(item.path);
        this.#byBase.set(base, this.#byBase.has(base) ? null : item);
      }
    }
    for (const p of paths) {
      const hit = this.#byPath.get(p);
      if (hit) return hit;
      const azure = /^azureml:\/\/.*?\/paths\/(.*)$/i.exec(p);
      if (azure?.[1]) {
        const inner = this.#byPath.get(azure[1]);
        if (inner) return inner;
      }
    }
    if (this.#options.matchBasename ?? true) {
      for (const p of paths) {
        const hit = this.#byBase!.get(basename(p));
        if (hit) return hit;
      }
    }
    return undefined;
  }

  add(target: Target, annotations: Annotation[], source: string, emptyInFile: boolean): void {
    if (annotations.length === 0 && !(emptyInFile && (this.#options.includeEmpty ?? true))) return;
    this.#parsed.push({
      path: target.path,
      ...(target.index !== undefined ? { index: target.index } : {}),
      ...(target.width !== undefined ? { width: target.width, height: target.height } : {}),
      annotations,
      source,
    });
  }

  result(): ImportResult {
    if (this.#clipped) {
      this.warnings.push(`${this.#clipped} region(s) reaching outside their image were clipped to it (${this.#clippedAt.join('; ')}${this.#clipped > 3 ? '; …' : ''}).`);
    }
    return { format: this.#format, as: this.#options.as ?? 'labels', parsed: this.#parsed, failed: this.failed, warnings: this.warnings };
  }
}

function basename(path: string): string {
  const clean = path.replace(/[?#].*$/, '');
  return clean.slice(Math.max(clean.lastIndexOf('/'), clean.lastIndexOf('\\')) + 1);
}

/** "640px", "640" or 640 → 640; anything else → undefined. */
export function pixels(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(/^\s*(\d+(?:\.\d+)?)\s*(px)?\s*$/i.exec(v)?.[1] ?? NaN) : NaN;
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
