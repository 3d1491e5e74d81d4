// COCO structural validation, mirroring what pycocotools does when it loads a file (COCO.__init__ and
// createIndex: the dataset is a dict; images, annotations and categories are indexed by id; every
// annotation's image_id and category_id are looked up) plus the checks pycocotools leaves to
// evaluation time: ids unique, bbox inside its image, area > 0, polygons of at least 3 points, RLE
// size matching the image. The importer builds on the same index.
import type { ImportFailure, ImportFailureCode } from './types.js';

/** One thing wrong in a COCO file. Same shape as an importer's failure. */
export type CocoProblem = ImportFailure;

export interface CocoValidation {
  /** True when there is no problem at all. */
  readonly ok: boolean;
  readonly problems: CocoProblem[];
  readonly images: number;
  readonly annotations: number;
  readonly categories: number;
}

export interface CocoValidateOptions {
  /** How far (pixels) a bbox may reach outside its image (default 0.5). */
  readonly tolerance?: number;
}

/** Validates a parsed COCO object (what `JSON.parse` gives). */
export function validateCoco(data: unknown, options: CocoValidateOptions = {}): CocoValidation {
  const index = indexCoco(data, options.tolerance ?? 0.5);
  return {
    ok: index.problems.length === 0,
    problems: index.problems,
    images: index.imageCount,
    annotations: index.annotationCount,
    categories: index.categoryCount,
  };
}

type Id = number | string;

export interface CocoImage {
  readonly id: Id;
  readonly source: string;
  readonly fileName: string;
  readonly cocoUrl?: string;
  readonly width?: number;
  readonly height?: number;
  /** Valid annotations of this image, in file order. */
  readonly annotations: CocoAnnotation[];
  /** Annotations of this image that failed, counted (their problems are in `problems`). */
  failedAnnotations: number;
}

export interface CocoAnnotation {
  readonly source: string;
  readonly category: string;
  readonly crowd: boolean;
  /** [x, y, w, h] when present. */
  readonly bbox?: readonly [number, number, number, number];
  /** Polygons, each flat [x0, y0, …], when the segmentation is polygons. */
  readonly polygons?: readonly (readonly number[])[];
  /** The segmentation is an RLE mask. */
  readonly rle: boolean;
  readonly score?: number;
  readonly keypoints: boolean;
}

export interface CocoIndex {
  readonly problems: CocoProblem[];
  /** Valid images in file order (those with a unique id and a file_name). */
  readonly images: CocoImage[];
  readonly imageCount: number;
  readonly annotationCount: number;
  readonly categoryCount: number;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isId(v: unknown): v is Id {
  return (typeof v === 'number' && Number.isFinite(v)) || (typeof v === 'string' && v !== '');
}

function positive(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v > 0;
}

function finiteNumbers(v: unknown): v is number[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isFinite(x));
}

function idText(id: unknown): string {
  return typeof id === 'string' ? JSON.stringify(id) : String(id);
}

/** Builds pycocotools' index (images, categories, annotations by image) and collects problems. */
export function indexCoco(data: unknown, tolerance: number): CocoIndex {
  const problems: CocoProblem[] = [];
  const problem = (code: ImportFailureCode, source: string, reason: string, path?: string) =>
    problems.push(path === undefined ? { code, source, reason } : { code, source, reason, path });
  const empty = (): CocoIndex => ({ problems, images: [], imageCount: 0, annotationCount: 0, categoryCount: 0 });

  if (!isObject(data)) {
    problem('invalid-structure', 'file', 'A COCO file is a JSON object with "images", "annotations" and "categories"; this is not an object.');
    return empty();
  }
  for (const key of ['images', 'annotations', 'categories'] as const) {
    if (!Array.isArray(data[key])) {
      problem(
        'invalid-structure',
        'file',
        `"${key}" is ${data[key] === undefined ? 'missing' : 'not an array'}; a COCO file needs "images", "annotations" and "categories" arrays.`,
      );
    }
  }
  if (problems.length) return empty();
  const rawImages = data.images as unknown[];
  const rawAnnotations = data.annotations as unknown[];
  const rawCategories = data.categories as unknown[];

  // Categories by id; a duplicated id makes every use of it ambiguous.
  const categories = new Map<Id, string | null>();
  rawCategories.forEach((c, i) => {
    const source = `categories[${i}]`;
    if (!isObject(c) || !isId(c.id) || typeof c.name !== 'string' || c.name === '') {
      problem('invalid-structure', source, 'A category needs an "id" (number or string) and a non-empty "name".');
      return;
    }
    if (categories.has(c.id)) {
      problem('duplicate-id', source, `Category id ${idText(c.id)} is used by more than one category; annotations of that category cannot be told apart.`);
      categories.set(c.id, null);
      return;
    }
    categories.set(c.id, c.name);
  });

  // Images by id.
  const images = new Map<Id, CocoImage | null>();
  const duplicateImages = new Set<Id>();
  const ordered: CocoImage[] = [];
  rawImages.forEach((im, i) => {
    const source = `images[${i}]`;
    if (!isObject(im) || !isId(im.id)) {
      problem('invalid-structure', source, 'An image needs an "id" (number or string).');
      return;
    }
    if (typeof im.file_name !== 'string' || im.file_name === '') {
      problem('invalid-structure', source, `Image ${idText(im.id)} has no "file_name".`);
      images.set(im.id, null);
      return;
    }
    const fileName = im.file_name;
    if (images.has(im.id)) {
      problem('duplicate-id', source, `Image id ${idText(im.id)} is used by more than one image; its annotations cannot be told apart.`, fileName);
      const first = images.get(im.id);
      if (first) problem('duplicate-id', first.source, `Image id ${idText(im.id)} is used by more than one image; its annotations cannot be told apart.`, first.fileName);
      images.set(im.id, null);
      duplicateImages.add(im.id);
      return;
    }
    let width: number | undefined;
    let height: number | undefined;
    if (im.width !== undefined || im.height !== undefined) {
      if (positive(im.width) && positive(im.height)) {
        width = im.width;
        height = im.height;
      } else {
        problem('invalid-structure', source, `Image ${idText(im.id)} has a width or height that is not a positive number.`, fileName);
        images.set(im.id, null);
        return;
      }
    }
    const image: CocoImage = {
      id: im.id,
      source,
      fileName,
      ...(typeof im.coco_url === 'string' && im.coco_url ? { cocoUrl: im.coco_url } : {}),
      ...(width !== undefined ? { width, height } : {}),
      annotations: [],
      failedAnnotations: 0,
    };
    images.set(im.id, image);
    ordered.push(image);
  });
  const valid = ordered.filter((im) => images.get(im.id) === im);

  // Annotations: ids unique, image and category exist, geometry valid.
  const annotationIds = new Set<Id>();
  rawAnnotations.forEach((a, i) => {
    let source = `annotations[${i}]`;
    if (!isObject(a)) {
      problem('invalid-structure', source, 'An annotation must be an object.');
      return;
    }
    if (isId(a.id)) source += ` (id ${idText(a.id)})`;
    const image = isId(a.image_id) ? images.get(a.image_id) : undefined;
    const fail = (code: ImportFailureCode, reason: string) => {
      problem(code, source, reason, image?.fileName);
      if (image) image.failedAnnotations++;
    };
    if (!isId(a.id)) return fail('invalid-structure', 'The annotation has no "id" (pycocotools indexes annotations by it).');
    if (annotationIds.has(a.id)) return fail('duplicate-id', `Annotation id ${idText(a.id)} is used more than once.`);
    annotationIds.add(a.id);
    if (!isId(a.image_id) || !images.has(a.image_id)) return fail('missing-image', `The annotation's image_id ${idText(a.image_id)} is not the id of any image.`);
    if (!image) {
      return duplicateImages.has(a.image_id)
        ? fail('duplicate-id', `The annotation's image id ${idText(a.image_id)} is not unique.`)
        : fail('missing-image', `The annotation's image (id ${idText(a.image_id)}) is itself invalid.`);
    }
    if (!isId(a.category_id) || !categories.has(a.category_id))
      return fail('missing-category', `The annotation's category_id ${idText(a.category_id)} is not the id of any category.`);
    const category = categories.get(a.category_id);
    if (category == null) return fail('duplicate-id', `The annotation's category id ${idText(a.category_id)} is not unique.`);
    if (a.iscrowd !== undefined && a.iscrowd !== 0 && a.iscrowd !== 1 && a.iscrowd !== true && a.iscrowd !== false) {
      return fail('invalid-structure', '"iscrowd" must be 0 or 1.');
    }
    const crowd = a.iscrowd === 1 || a.iscrowd === true;

    let bbox: [number, number, number, number] | undefined;
    if (a.bbox !== undefined) {
      if (!finiteNumbers(a.bbox) || a.bbox.length !== 4) return fail('invalid-shape', '"bbox" must be 4 numbers [x, y, width, height].');
      const [x, y, w, h] = a.bbox as [number, number, number, number];
      if (!(w > 0 && h > 0)) return fail('invalid-shape', `The bbox has no area (width ${w}, height ${h}).`);
      if (image.width !== undefined && image.height !== undefined) {
        if (x < -tolerance || y < -tolerance || x + w > image.width + tolerance || y + h > image.height + tolerance) {
          return fail('invalid-shape', `The bbox [${x}, ${y}, ${w}, ${h}] reaches outside its ${image.width}×${image.height} image.`);
        }
      }
      bbox = [x, y, w, h];
    }

    let polygons: number[][] | undefined;
    let rle = false;
    const seg = a.segmentation;
    if (isObject(seg)) {
      if (!('counts' in seg) || !finiteNumbers(seg.size) || seg.size.length !== 2) return fail('invalid-shape', 'An RLE segmentation needs "counts" and "size" [height, width].');
      if (image.width !== undefined && (seg.size[0] !== image.height || seg.size[1] !== image.width)) {
        return fail('invalid-shape', `The RLE mask is ${seg.size[1]}×${seg.size[0]} but its image is ${image.width}×${image.height}.`);
      }
      rle = true;
    } else if (Array.isArray(seg) && seg.length > 0) {
      for (const [k, p] of seg.entries()) {
        if (!finiteNumbers(p)) return fail('invalid-shape', `Polygon ${k} of the segmentation is not a list of numbers.`);
        if (p.length % 2 !== 0) return fail('invalid-shape', `Polygon ${k} has an odd number of coordinates.`);
        if (p.length < 6) return fail('invalid-shape', `Polygon ${k} has ${p.length / 2} point(s); a polygon needs at least 3.`);
      }
      polygons = seg as number[][];
    } else if (seg !== undefined && !(Array.isArray(seg) && seg.length === 0)) {
      return fail('invalid-shape', '"segmentation" must be a list of polygons or an RLE object.');
    }

    const region = bbox !== undefined || polygons !== undefined || rle;
    if (region && a.area !== undefined) {
      if (!positive(a.area)) return fail('invalid-shape', `"area" must be a number greater than 0 (got ${JSON.stringify(a.area)}).`);
    }
    const score = typeof a.score === 'number' && Number.isFinite(a.score) ? a.score : undefined;
    const keypoints = Array.isArray(a.keypoints) && a.keypoints.length > 0;
    image.annotations.push({
      source,
      category,
      crowd,
      ...(bbox ? { bbox } : {}),
      ...(polygons ? { polygons } : {}),
      rle,
      ...(score !== undefined ? { score } : {}),
      keypoints,
    });
  });

  return { problems, images: valid, imageCount: rawImages.length, annotationCount: rawAnnotations.length, categoryCount: rawCategories.length };
}
