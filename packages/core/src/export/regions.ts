// The adapter step shared by every export (as Annotorious's format adapters): one pass over an item's
// annotations turns them into what a format writes — per region `{label, shape, clipped}`, for a
// classification item its labels — and reports, once and with one wording, whatever it changes or
// leaves out. The formats (coco.ts, jsonl.ts, files.ts) only serialize. Not part of the public API.
import { MIN_REGION_AREA, boxHasArea, clipBox, clipPolygon, polygonHasArea, type Corners } from '../geometry.js';
import type { Annotation, ItemView, LabelClass, ProjectKind } from '../types.js';
import type { IssueLog } from './issues.js';

/** A label as formats write it: its position in the project's labels (COCO id − 1, YOLO class) and name. */
export interface LabelRef {
  readonly index: number;
  readonly name: string;
}

/** A region clipped to its image (and rounded to the adapter's `decimals`), in pixels. */
export type RegionShape = ({ readonly kind: 'box' } & Corners) | { readonly kind: 'polygon'; readonly points: number[] };

export interface Region {
  readonly label: LabelRef;
  readonly shape: RegionShape;
  /** Clipping to the image changed the shape (reported as `clipped` once the region is written). */
  readonly clipped: boolean;
}

/**
 * Writes one region in a format. Returns false when the format's own rounding (normalized or whole
 * pixels) would leave the region without area; the adapter then reports it as `invalid-shape`.
 */
export type RegionWriter = (region: Region) => boolean;

const KIND_NAMES: Record<ProjectKind, string> = {
  'image-object-detection': 'an object detection',
  'image-instance-segmentation': 'an instance segmentation',
  'image-classification-multiclass': 'a classification',
  'image-classification-multilabel': 'a classification',
};

export class RegionAdapter {
  readonly #labels = new Map<string, LabelRef>();
  readonly #issues: IssueLog;
  readonly #want: Annotation['kind'];
  readonly #kindName: string;
  readonly #decimals: number;

  /** `decimals`: pixel places the clipped shapes are rounded to (COCO's `decimals`; 15, unrounded, for the others). */
  constructor(kind: ProjectKind, labels: readonly LabelClass[], issues: IssueLog, decimals = 15) {
    labels.forEach((l, index) => {
      if (!this.#labels.has(l.id)) this.#labels.set(l.id, { index, name: l.name });
    });
    this.#issues = issues;
    this.#want = kind === 'image-object-detection' ? 'box' : kind === 'image-instance-segmentation' ? 'polygon' : 'class';
    this.#kindName = KIND_NAMES[kind];
    this.#decimals = decimals;
  }

  /**
   * The regions of a box or polygon item, each clipped to its image (`width` × `height`, when known)
   * and handed to `write` in order. Left out, with an issue: unknown labels, shapes of another kind,
   * non-finite or too few points, less area than `MIN_REGION_AREA` after clipping, and whatever
   * `write` refuses. Regions written after clipping are reported as `clipped`. Returns how many were written.
   */
  regions(item: ItemView, width: number | undefined, height: number | undefined, write: RegionWriter): number {
    let written = 0;
    for (const a of item.annotations) {
      const label = this.#label(item, a);
      if (!label) continue;
      let region: Region | undefined;
      if (a.kind === 'box') {
        const box = clipBox(a.x, a.y, a.w, a.h, width, height, this.#decimals);
        if (!box) this.#invalid(item, 'A box with non-finite coordinates was not written.');
        else if (!boxHasArea(box.x1 - box.x0, box.y1 - box.y0)) this.#noArea(item, 'box', box.clipped);
        else region = { label, shape: { kind: 'box', x0: box.x0, y0: box.y0, x1: box.x1, y1: box.y1 }, clipped: box.clipped };
      } else if (a.kind === 'polygon') {
        const poly = clipPolygon(a.points, width, height, this.#decimals);
        if (!poly) this.#invalid(item, 'A polygon with fewer than 3 points or non-finite coordinates was not written.');
        else if (!polygonHasArea(poly.points)) this.#noArea(item, 'polygon', poly.clipped);
        else region = { label, shape: { kind: 'polygon', points: poly.points }, clipped: poly.clipped };
      }
      if (!region) continue;
      if (!write(region)) {
        this.#invalid(item, `A ${a.kind} was not written: rounded to the format's precision, it would enclose less than ${MIN_REGION_AREA} px².`);
        continue;
      }
      if (region.clipped) this.#issues.add(item, 'clipped', false, `A ${a.kind} reaching outside the image was clipped to it.`);
      written++;
    }
    return written;
  }

  /** The labels of a classification item, each once, in order; other shapes and unknown labels are reported. */
  classes(item: ItemView): LabelRef[] {
    const seen = new Set<string>();
    const out: LabelRef[] = [];
    for (const a of item.annotations) {
      if (seen.has(a.label) && a.kind === 'class') continue;
      const label = this.#label(item, a);
      if (!label) continue;
      seen.add(a.label);
      out.push(label);
    }
    return out;
  }

  /** The annotation's label when it names one of the project's and its shape fits the project kind. */
  #label(item: ItemView, a: Annotation): LabelRef | undefined {
    // Classification reports the shape first, regions the label first (the order the formats always had).
    if (this.#want === 'class' && a.kind !== 'class') return this.#unsupported(item, a);
    const label = this.#labels.get(a.label);
    if (!label) {
      this.#issues.add(item, 'unknown-label', false, `Label id "${a.label}" is not a label of the project; the annotation was not written.`);
      return undefined;
    }
    return a.kind === this.#want ? label : this.#unsupported(item, a);
  }

  #unsupported(item: ItemView, a: Annotation): undefined {
    this.#issues.add(item, 'unsupported-shape', false, `A ${a.kind} annotation in ${this.#kindName} project was not written.`);
    return undefined;
  }

  #invalid(item: ItemView, message: string): void {
    this.#issues.add(item, 'invalid-shape', false, message);
  }

  #noArea(item: ItemView, noun: 'box' | 'polygon', clipped: boolean): void {
    this.#invalid(
      item,
      clipped
        ? `A ${noun} lying outside the image was not written: clipped to it, it encloses less than ${MIN_REGION_AREA} px².`
        : `A ${noun} enclosing less than ${MIN_REGION_AREA} px² was not written.`,
    );
  }
}
