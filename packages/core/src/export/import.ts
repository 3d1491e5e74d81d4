// Importers: COCO and Azure ML JSONL into a project's labels or prelabels. Expected failures are data
// (`failed`, one reason each); only programming errors throw.
import { LabelkitError, throwIfAborted } from '../errors.js';
import { isClassificationKind, type Annotation, type ItemView, type LabelClass, type ProjectKind } from '../types.js';
import { allFinite, polygonBounds, polygonHasArea as hasArea } from '../geometry.js';
import type { ImportedItem, ImportFailure, ImportFailureCode, ImportInput, ImportOptions, ImportResult } from './types.js';
import { indexCoco, type CocoAnnotation } from './validate.js';

/**
 * Imports a COCO file (text, bytes, a stream, or the parsed object) as labels or prelabels.
 *
 * The file is checked as `validateCoco` does; whatever fails is listed in `failed` with a reason and
 * the rest is imported. Per project kind:
 * - detection: each annotation's `bbox` (or its polygon's bounds) becomes a box;
 * - instance segmentation: each polygon becomes a polygon annotation (an annotation made of several
 *   polygons becomes several, with a warning); RLE masks (`iscrowd` 1 regions) cannot become polygons
 *   and fail as `rle-mask`; a bbox without polygon fails as `unsupported-shape`;
 * - classification: each annotation's category becomes a tag of its image (bbox and segmentation are
 *   ignored; a multi-class image with several categories fails as `conflicting-labels`).
 * Crowd regions (`iscrowd` 1) fail as `crowd` in region projects: Labelkit has no crowd flag.
 * Images are matched to items by `file_name` (then `coco_url`, then a unique file name); categories to
 * labels by name. An image whose annotations partly failed is imported with the rest — look for its
 * `path` in `failed`. Keypoints are not kept (a warning says how many).
 */
export async function importCoco(input: ImportInput | object, options: ImportOptions = {}): Promise<ImportResult> {
  const ctx = new ImportContext('coco', options);
  let data: unknown;
  if (isParsed(input)) data = input;
  else {
    try {
      data = JSON.parse(stripBom(await readText(input)));
    } catch (err) {
      if (LabelkitError.is(err)) throw err;
      ctx.fail('unparsable', 'file', `The file is not valid JSON: ${(err as Error).message}`);
      return ctx.result();
    }
  }
  throwIfAborted(options.signal);
  const index = indexCoco(data, options.tolerance ?? 0.5);
  ctx.failed.push(...index.problems);
  let keypoints = 0;
  let split = 0;
  let visited = 0;
  for (const image of index.images) {
    if (++visited % 1000 === 0) throwIfAborted(options.signal);
    keypoints += image.annotations.filter((a) => a.keypoints).length;
    const target = ctx.match([image.fileName, image.cocoUrl], image.source, image.width, image.height, image.annotations.length + image.failedAnnotations);
    if (!target) continue;
    const annotations: Annotation[] = [];
    const tags = new Set<string>();
    for (const a of image.annotations) {
      const label = ctx.labelFor(a.category, a.source, target.path);
      if (label === undefined) continue;
      if (ctx.kindIsClassification) {
        if (!tags.has(label)) annotations.push(ctx.asPrelabel({ kind: 'class', label }, a.score));
        tags.add(label);
        continue;
      }
      const shapes = cocoShapes(a, label, ctx, target.path);
      if (shapes.length > 1) split++;
      for (const s of shapes) annotations.push(ctx.asPrelabel(s, a.score));
    }
    if (ctx.kind === 'image-classification-multiclass' && tags.size > 1) {
      ctx.fail('conflicting-labels', image.source, `A multi-class project takes one label per image; this image has ${tags.size}.`, target.path);
      continue;
    }
    ctx.add(target, annotations, image.source, image.annotations.length + image.failedAnnotations === 0);
  }
  if (keypoints) ctx.warnings.push(`${keypoints} annotation(s) had keypoints, which Labelkit does not hold; their boxes/polygons were imported without them.`);
  if (split) ctx.warnings.push(`${split} annotation(s) made of several polygons were split into one polygon annotation per part.`);
  return ctx.result();
}

function cocoShapes(a: CocoAnnotation, label: string, ctx: ImportContext, path: string): Annotation[] {
  if (a.crowd) {
    if (ctx.kind === 'image-instance-segmentation' && a.rle) {
      ctx.fail('rle-mask', a.source, 'This iscrowd region is an RLE mask, which cannot be imported into a polygon project (Labelkit holds polygons only).', path);
    } else {
      ctx.fail('crowd', a.source, 'This is an iscrowd region; Labelkit has no crowd flag, and importing it as an ordinary object would teach models the wrong thing.', path);
    }
    return [];
  }
  if (ctx.kind === 'image-object-detection') {
    let box = a.bbox;
    if (!box && a.polygons) {
      const all = a.polygons.flat();
      const b = polygonBounds(all);
      box = [b.x0, b.y0, b.x1 - b.x0, b.y1 - b.y0];
    }
    if (!box) {
      ctx.fail('unsupported-shape', a.source, 'The annotation has neither a bbox nor a polygon; a detection project needs a box.', path);
      return [];
    }
    if (!(box[2] > 0 && box[3] > 0)) {
      ctx.fail('invalid-shape', a.source, 'The box has no area.', path);
      return [];
    }
    return [{ kind: 'box', label, x: box[0], y: box[1], w: box[2], h: box[3] }];
  }
  // instance segmentation
  if (a.rle) {
    ctx.fail('rle-mask', a.source, 'The segmentation is an RLE mask, which cannot be imported into a polygon project (Labelkit holds polygons only).', path);
    return [];
  }
  if (!a.polygons) {
    ctx.fail('unsupported-shape', a.source, 'The annotation has a bbox but no polygon; a segmentation project needs polygons (import it into a detection project instead).', path);
    return [];
  }
  const out: Annotation[] = [];
  for (const p of a.polygons) {
    if (!hasArea(p)) {
      ctx.fail('invalid-shape', a.source, 'A polygon of the annotation has no area (its points are on a line).', path);
      return [];
    }
    out.push({ kind: 'polygon', label, points: [...p] });
  }
  return out;
}

/**
 * Imports an Azure ML JSONL dataset (text, bytes, or a byte stream, read line by line) as labels or
 * prelabels. Each line is `{image_url, image_details?, label}` in the shape of the project kind (see
 * `exportJsonl`); normalized coordinates are turned into pixels with the size from `image_details` or
 * the matched item (a line whose size is unknown fails as `size-unknown`). `isCrowd` regions fail as
 * `crowd`; a multi-part polygon becomes several polygons (with a warning). `image_url`s are matched to
 * item paths as given, then (for `azureml://…/paths/<path>`) by `<path>`, then by a unique file name;
 * `pathOf` maps them otherwise.
 */
export async function importJsonl(input: ImportInput, options: ImportOptions = {}): Promise<ImportResult> {
  const ctx = new ImportContext('jsonl', options);
  let split = 0;
  let lineNo = 0;
  const rows = lines(input);
  for (;;) {
    let next: IteratorResult<string>;
    try {
      next = await rows.next();
    } catch (err) {
      if (!(err instanceof TypeError)) throw err;
      ctx.fail('unparsable', `line ${lineNo + 1}`, `The file is not valid UTF-8 text from here on: ${err.message}`);
      break;
    }
    if (next.done) break;
    const line = next.value;
    lineNo++;
    if (lineNo % 1000 === 0) throwIfAborted(options.signal);
    if (line.trim() === '') continue;
    const source = `line ${lineNo}`;
    let row: unknown;
    try {
      row = JSON.parse(lineNo === 1 ? stripBom(line) : line);
    } catch (err) {
      ctx.fail('unparsable', source, `The line is not valid JSON: ${(err as Error).message}`);
      continue;
    }
    if (!isRecord(row) || typeof row.image_url !== 'string' || row.image_url === '' || !('label' in row)) {
      ctx.fail('invalid-structure', source, 'A line needs "image_url" (a string) and "label".');
      continue;
    }
    const details = isRecord(row.image_details) ? row.image_details : {};
    const width = pixels(details.width);
    const height = pixels(details.height);
    const target = ctx.match([row.image_url], source, width && height ? width : undefined, width && height ? height : undefined, 1);
    if (!target) continue;
    const annotations: Annotation[] = [];
    const label = row.label;
    if (ctx.kindIsClassification) {
      const names = typeof label === 'string' ? [label] : Array.isArray(label) && label.every((l) => typeof l === 'string') ? (label as string[]) : undefined;
      if (!names) {
        ctx.fail('invalid-structure', source, 'For classification, "label" is a class name or a list of class names.', target.path);
        continue;
      }
      if (ctx.kind === 'image-classification-multiclass' && new Set(names).size > 1) {
        ctx.fail('conflicting-labels', source, `A multi-class project takes one label per image; this line has ${names.length}.`, target.path);
        continue;
      }
      const seen = new Set<string>();
      let ok = true;
      for (const name of names) {
        const id = ctx.labelFor(name, source, target.path);
        if (id === undefined) ok = false;
        else if (!seen.has(id)) {
          seen.add(id);
          annotations.push({ kind: 'class', label: id });
        }
      }
      if (!ok && annotations.length === 0) continue;
      ctx.add(target, annotations, source, names.length === 0);
      continue;
    }
    if (!Array.isArray(label)) {
      ctx.fail('invalid-structure', source, '"label" must be a list of regions for detection and segmentation.', target.path);
      continue;
    }
    if (target.width === undefined || target.height === undefined) {
      ctx.fail('size-unknown', source, 'The image size is in neither image_details nor the project, so the normalized coordinates cannot be placed.', target.path);
      continue;
    }
    const W = target.width;
    const H = target.height;
    const tol = options.tolerance ?? 0.5;
    label.forEach((region, k) => {
      const at = `${source}, label[${k}]`;
      if (!isRecord(region) || typeof region.label !== 'string') {
        ctx.fail('invalid-structure', at, 'A region needs a "label" (the class name).', target.path);
        return;
      }
      if (region.isCrowd === 1 || region.isCrowd === true || region.isCrowd === '1') {
        ctx.fail('crowd', at, 'This is an isCrowd region; Labelkit has no crowd flag, and importing it as an ordinary object would teach models the wrong thing.', target.path);
        return;
      }
      const id = ctx.labelFor(region.label, at, target.path);
      if (id === undefined) return;
      const score = typeof region.score === 'number' ? region.score : typeof region.confidence === 'number' ? region.confidence : undefined;
      if (ctx.kind === 'image-object-detection') {
        const v = [region.topX, region.topY, region.bottomX, region.bottomY];
        if (!v.every((n) => typeof n === 'number' && Number.isFinite(n))) {
          ctx.fail('invalid-structure', at, 'A box needs numbers topX, topY, bottomX and bottomY.', target.path);
          return;
        }
        const [tx, ty, bx, by] = v as number[];
        const x0 = tx * W;
        const y0 = ty * H;
        const x1 = bx * W;
        const y1 = by * H;
        if (!(x1 > x0 && y1 > y0)) {
          ctx.fail('invalid-shape', at, 'The box has no area (bottom/right not beyond top/left).', target.path);
          return;
        }
        if (x0 < -tol || y0 < -tol || x1 > W + tol || y1 > H + tol) {
          ctx.fail('invalid-shape', at, 'The box reaches outside the image (normalized coordinates outside [0, 1]).', target.path);
          return;
        }
        annotations.push(ctx.asPrelabel({ kind: 'box', label: id, x: x0, y: y0, w: x1 - x0, h: y1 - y0 }, score));
        return;
      }
      const poly = region.polygon;
      const parts = Array.isArray(poly) && poly.length > 0 && Array.isArray(poly[0]) ? (poly as unknown[]) : Array.isArray(poly) && poly.length > 0 ? [poly] : undefined;
      if (!parts) {
        ctx.fail('invalid-structure', at, 'A segmentation region needs "polygon": [[x0, y0, x1, y1, …]].', target.path);
        return;
      }
      const shapes: Annotation[] = [];
      for (const part of parts) {
        if (!Array.isArray(part) || !allFinite(part as number[]) || !part.every((n) => typeof n === 'number')) {
          ctx.fail('invalid-structure', at, 'A polygon is a list of numbers.', target.path);
          return;
        }
        if (part.length % 2 !== 0 || part.length < 6) {
          ctx.fail('invalid-shape', at, 'A polygon needs an even number of coordinates and at least 3 points.', target.path);
          return;
        }
        const points = (part as number[]).map((n, i) => n * (i % 2 === 0 ? W : H));
        if (!hasArea(points)) {
          ctx.fail('invalid-shape', at, 'The polygon has no area (its points are on a line).', target.path);
          return;
        }
        shapes.push(ctx.asPrelabel({ kind: 'polygon', label: id, points }, score));
      }
      if (shapes.length > 1) split++;
      annotations.push(...shapes);
    });
    ctx.add(target, annotations, source, label.length === 0);
  }
  if (split) ctx.warnings.push(`${split} region(s) made of several polygons were split into one polygon annotation per part.`);
  return ctx.result();
}

interface Target {
  readonly path: string;
  readonly index?: number;
  readonly width?: number;
  readonly height?: number;
}

/** Matching images to items and names to labels; collects the result. */
class ImportContext {
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
        this.fail('size-mismatch', source, `The file says ${width}×${height} but the item's image is ${item.width}×${item.height}, so its coordinates would be misplaced.${lost}`, item.path);
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
      if (azure) {
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
    return { format: this.#format, as: this.#options.as ?? 'labels', parsed: this.#parsed, failed: this.failed, warnings: this.warnings };
  }
}

function basename(path: string): string {
  const clean = path.replace(/[?#].*$/, '');
  return clean.slice(Math.max(clean.lastIndexOf('/'), clean.lastIndexOf('\\')) + 1);
}

/** "640px", "640" or 640 → 640; anything else → undefined. */
function pixels(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(/^\s*(\d+(?:\.\d+)?)\s*(px)?\s*$/i.exec(v)?.[1] ?? NaN) : NaN;
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isParsed(input: unknown): input is object {
  return (
    typeof input === 'object' &&
    input !== null &&
    !(input instanceof Uint8Array) &&
    !(input instanceof ArrayBuffer) &&
    !(typeof Blob !== 'undefined' && input instanceof Blob) &&
    !(typeof ReadableStream !== 'undefined' && input instanceof ReadableStream) &&
    !(Symbol.asyncIterator in input)
  );
}

function stripBom(s: string): string {
  return s.charCodeAt(0) === 0xfeff ? s.slice(1) : s;
}

async function* byteChunks(input: ImportInput): AsyncGenerator<Uint8Array> {
  if (input instanceof Uint8Array) yield input;
  else if (input instanceof ArrayBuffer) yield new Uint8Array(input);
  else if (typeof Blob !== 'undefined' && input instanceof Blob) yield* byteChunks(input.stream());
  else if (typeof ReadableStream !== 'undefined' && input instanceof ReadableStream) {
    const reader = input.getReader();
    try {
      for (;;) {
        const r = await reader.read();
        if (r.done) break;
        yield r.value;
      }
    } finally {
      reader.releaseLock();
    }
  } else if (typeof input === 'object' && input !== null && Symbol.asyncIterator in input) {
    yield* input as AsyncIterable<Uint8Array>;
  } else {
    throw new LabelkitError('E_INVALID_ARGUMENT', 'Import input must be a string, bytes, a Blob or a byte stream.');
  }
}

async function readText(input: ImportInput): Promise<string> {
  if (typeof input === 'string') return input;
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let text = '';
  for await (const chunk of byteChunks(input)) text += decoder.decode(chunk, { stream: true });
  return text + decoder.decode();
}

/** Lines of a text or byte stream, decoded incrementally (the whole input is never one string). */
async function* lines(input: ImportInput): AsyncGenerator<string> {
  if (typeof input === 'string') {
    let start = 0;
    while (start < input.length) {
      let end = input.indexOf('\n', start);
      if (end < 0) end = input.length;
      yield input.slice(start, end).replace(/\r$/, '');
      start = end + 1;
    }
    return;
  }
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let rest = '';
  for await (const chunk of byteChunks(input)) {
    rest += decoder.decode(chunk, { stream: true });
    let start = 0;
    let nl: number;
    while ((nl = rest.indexOf('\n', start)) >= 0) {
      yield rest.slice(start, nl).replace(/\r$/, '');
      start = nl + 1;
    }
    rest = rest.slice(start);
  }
  rest += decoder.decode();
  if (rest) yield rest.replace(/\r$/, '');
}
