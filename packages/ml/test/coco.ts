// The COCO person fixture: 4 val2017 images with their person boxes (test/fixtures/coco).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeInProcess } from '@labelkit/core/media';
import { fixture } from '../../../test/fixtures/paths.mjs';

const DIR = fixture('coco', 'mmpose_coco_val2017_person');

export interface CocoImage {
  readonly file: string;
  readonly width: number;
  readonly height: number;
  /** RGBA pixels. */
  readonly data: Uint8ClampedArray;
  /** Person boxes [x, y, w, h] in pixels. */
  readonly boxes: readonly { x: number; y: number; w: number; h: number }[];
}

export function cocoBytes(file: string): Uint8Array {
  return new Uint8Array(readFileSync(join(DIR, file)));
}

export async function loadCoco(): Promise<CocoImage[]> {
  const json = JSON.parse(readFileSync(join(DIR, 'test_coco.json'), 'utf8')) as {
    images: { id: number; file_name: string }[];
    annotations: { image_id: number; bbox: [number, number, number, number] }[];
  };
  const out: CocoImage[] = [];
  for (const img of json.images) {
    const decoded = await decodeInProcess(cocoBytes(img.file_name), { output: 'rgba' });
    out.push({
      file: img.file_name,
      width: decoded.width,
      height: decoded.height,
      data: decoded.rgba!,
      boxes: json.annotations.filter((a) => a.image_id === img.id).map(({ bbox: [x, y, w, h] }) => ({ x, y, w, h })),
    });
  }
  return out;
}
