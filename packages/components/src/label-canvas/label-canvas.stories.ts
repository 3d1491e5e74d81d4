import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';
import type { Annotation, LabelClass } from '@labelkit/core';
import './label-canvas.js';
import type { LabelCanvas } from './label-canvas.component.js';
import type { ImageBytes } from './image-input.js';
import { drawSceneImage, sceneBoxes } from '../../../../bench/canvas/scene.js';

// Real data from test/fixtures (served at /fixtures by .storybook/main.ts): COCO val2017 photos
// with their person polygons, pydicom's CT and multi-frame ultrasound, libtiff's 16-bit grey TIFF.
const COCO = '/fixtures/coco/mmpose_coco_val2017_person';

const LABELS: LabelClass[] = [
  { id: 'person', name: 'Person', color: '#e69f00', key: '1' },
  { id: 'bicycle', name: 'Bicycle', color: '#56b4e9', key: '2' },
  { id: 'car', name: 'Car', color: '#009e73', key: '3' },
  { id: 'dog', name: 'Dog', color: '#cc79a7', key: '4' },
];

interface CocoFile {
  images: { id: number; file_name: string; width: number; height: number }[];
  annotations: { image_id: number; bbox: [number, number, number, number]; segmentation: number[][] | object }[];
}

async function coco(file: string): Promise<{ url: string; polygons: Annotation[]; boxes: Annotation[] }> {
  const data = (await (await fetch(`${COCO}/test_coco.json`)).json()) as CocoFile;
  const img = data.images.find((i) => i.file_name === file)!;
  const anns = data.annotations.filter((a) => a.image_id === img.id);
  const polygons: Annotation[] = anns.flatMap((a) =>
    Array.isArray(a.segmentation) ? a.segmentation.map((points) => ({ kind: 'polygon' as const, label: 'person', points })) : [],
  );
  const boxes: Annotation[] = anns.map((a, i) => ({
    kind: 'box' as const,
    label: 'person',
    x: a.bbox[0],
    y: a.bbox[1],
    w: a.bbox[2],
    h: a.bbox[3],
    confidence: Math.round((0.97 - i * 0.09) * 100) / 100,
  }));
  return { url: `${COCO}/${file}`, polygons, boxes };
}

async function bytes(path: string): Promise<{ bytes: Uint8Array; path: string }> {
  return { bytes: new Uint8Array(await (await fetch(path)).arrayBuffer()), path };
}

type Args = Pick<LabelCanvas, 'mode' | 'tool' | 'readonly' | 'locked' | 'multiLabel'> & { activeLabel?: string };

const meta: Meta<Args> = {
  title: 'Components/label-canvas',
  component: 'label-canvas',
  args: { mode: 'box', tool: 'draw', readonly: false, locked: false, multiLabel: false },
  argTypes: {
    mode: { control: 'inline-radio', options: ['classify', 'box', 'polygon', 'view'] },
    tool: { control: 'inline-radio', options: ['draw', 'edit'] },
    activeLabel: { control: 'select', options: LABELS.map((l) => l.id) },
  },
  parameters: {
    docs: {
      description: {
        component:
          'Keys (? shows them on the canvas): R rectangle · P polygon · M move/edit · L lock · T template box · U add/remove polygon points · 1–9, 0 labels · Esc cancel · Delete · arrows nudge · Ctrl/Cmd+Z, Ctrl/Cmd+Shift+Z, Ctrl+Y · +/− zoom, 0 fit · space-drag or middle-drag pan · right-drag window/level (DICOM).',
      },
    },
  },
};
export default meta;
type Story = StoryObj<Args>;

const canvas = (args: Args, props: Partial<LabelCanvas>, style = '') => html`<label-canvas
  style="height: 100vh; ${style}"
  .labels=${LABELS}
  .mode=${args.mode}
  .tool=${args.tool}
  .readonly=${args.readonly}
  .locked=${args.locked}
  .multiLabel=${args.multiLabel}
  .activeLabel=${args.activeLabel}
  .image=${props.image ?? null}
  .annotations=${props.annotations ?? []}
  .prelabels=${props.prelabels ?? []}
  .window=${props.window}
  .shapes=${props.shapes ?? ['box', 'polygon']}
  .rail=${props.rail ?? 'none'}
  .regionList=${props.regionList ?? false}
  @label-annotation-create=${(e: Event) => console.info(e.type, (e as CustomEvent).detail)}
  @label-annotation-update=${(e: Event) => console.info(e.type, (e as CustomEvent).detail)}
  @label-annotation-delete=${(e: Event) => console.info(e.type, (e as CustomEvent).detail)}
></label-canvas>`;

/** No image yet. */
export const NoImage: Story = { render: (args) => canvas(args, {}) };

/** A photo and no annotations: drag to draw a box (R), or press P for polygons. */
export const Empty: Story = {
  loaders: [async () => coco('000000000785.jpg')],
  render: (args, { loaded }) => canvas(args, { image: loaded.url }),
};

/** The benchmark scene: 10,000 boxes on a 4000 × 3000 image. Zoom and pan stay smooth. */
export const ManyBoxes: Story = {
  args: { tool: 'edit' },
  render: (args) => {
    const labels = ['person', 'bicycle', 'car', 'dog'];
    const annotations = sceneBoxes(10_000).map((b, i) => ({ kind: 'box' as const, label: labels[i % 4], ...b }));
    return canvas(args, { image: drawSceneImage(), annotations });
  },
};

/** COCO val2017 person polygons; select one (M) to drag its vertices, U to add or remove points. */
export const Polygons: Story = {
  args: { mode: 'polygon', tool: 'edit' },
  loaders: [async () => coco('000000196141.jpg')],
  render: (args, { loaded }) => canvas(args, { image: loaded.url, annotations: loaded.polygons }),
};

/** Detector proposals drawn dashed with their confidence: accept (Enter) or reject (Delete) one by one, or all. */
export const Prelabels: Story = {
  args: { tool: 'edit' },
  loaders: [async () => coco('000000197388.jpg')],
  render: (args, { loaded }) => canvas(args, { image: loaded.url, prelabels: loaded.boxes }),
};

/** Image classification: keys 1–9 tag the image (one tag, or several with multi-label). */
export const Classify: Story = {
  args: { mode: 'classify' },
  loaders: [async () => coco('000000040083.jpg')],
  render: (args, { loaded }) =>
    canvas(args, {
      image: loaded.url,
      annotations: [{ kind: 'class', label: 'person' }],
      prelabels: [{ kind: 'class', label: 'dog', confidence: 0.64 }],
    }),
};

/** A 16-bit signed CT slice (rescale −1024) through the media layer: right-drag changes window/level. */
export const Dicom: Story = {
  args: { mode: 'polygon' },
  loaders: [async () => bytes('/fixtures/dicom/CT_small.dcm')],
  render: (args, { loaded }) => canvas(args, { image: loaded as ImageBytes }),
};

/** A 30-frame ultrasound (JPEG baseline, YBR): PageUp / PageDown switch frames. */
export const DicomMultiFrame: Story = {
  loaders: [async () => bytes('/fixtures/dicom/examples_ybr_color.dcm')],
  render: (args, { loaded }) => canvas(args, { image: loaded as ImageBytes }),
};

/** A 16-bit grey Deflate TIFF: windowed from its own range; right-drag adjusts. */
export const Tiff16Bit: Story = {
  loaders: [async () => bytes('/fixtures/tiff/ladoga.tif')],
  render: (args, { loaded }) => canvas(args, { image: loaded as ImageBytes }),
};

/** Readonly: view, zoom and select only; no edits. */
export const Readonly: Story = {
  args: { readonly: true, mode: 'view' },
  loaders: [async () => coco('000000196141.jpg')],
  render: (args, { loaded }) => canvas(args, { image: loaded.url, annotations: loaded.polygons, prelabels: loaded.boxes.slice(0, 2) }),
};

/** Theming: `--label-canvas-*` properties (falling back to `--label-*` tokens) and `::part`. */
export const Themed: Story = {
  args: { tool: 'edit' },
  loaders: [async () => coco('000000196141.jpg')],
  render: (args, { loaded }) =>
    html`<style>
        .themed::part(prelabel-bar) { font-weight: 600; }
      </style>
      <div class="themed-host" style="--label-accent: #ff2d55; --label-surface: #fff7e6; --label-text: #3a2500;">
        ${canvas(
          args,
          {
            image: loaded.url,
            annotations: (loaded.boxes as Annotation[]).map((a) => {
              const { confidence: _c, ...b } = a;
              return b as Annotation;
            }),
            prelabels: loaded.polygons.slice(0, 1),
          },
          '--label-canvas-stroke-width: 3; --label-canvas-fill-opacity: 0.3; --label-canvas-background: #fdf6e3',
        )}
      </div>`,
};

/** A box project as a labeler sees it: the tool rail (only box tools: no polygon, no point editing) and the region list. */
export const ToolRailAndRegions: Story = {
  args: { tool: 'edit' },
  loaders: [async () => coco('000000197388.jpg')],
  render: (args, { loaded }) =>
    canvas(args, {
      image: loaded.url,
      shapes: ['box'],
      rail: 'start',
      regionList: true,
      annotations: (loaded.boxes as Annotation[]).slice(2).map(({ confidence: _c, ...b }) => b as Annotation),
      prelabels: loaded.boxes.slice(0, 2),
    }),
};

/** A segmentation project: polygon tools only (P, U), the rail at the end edge beside the region list. */
export const PolygonRailAtEnd: Story = {
  args: { mode: 'polygon', tool: 'edit' },
  loaders: [async () => coco('000000196141.jpg')],
  render: (args, { loaded }) => canvas(args, { image: loaded.url, shapes: ['polygon'], rail: 'end', regionList: true, annotations: loaded.polygons }),
};

/** 10,000 boxes in the region list: rows are virtualized, so it scrolls as smoothly as 10. */
export const RegionList10k: Story = {
  args: { tool: 'edit' },
  render: (args) => {
    const labels = ['person', 'bicycle', 'car', 'dog'];
    const annotations = sceneBoxes(10_000).map((b, i) => ({ kind: 'box' as const, label: labels[i % 4], ...b }));
    return canvas(args, { image: drawSceneImage(), annotations, rail: 'start', regionList: true });
  },
};

/** The shortcut help (? or the rail's ? button): the live keymap of a box project. */
export const ShortcutHelp: Story = {
  loaders: [async () => coco('000000000785.jpg')],
  render: (args, { loaded }) => canvas(args, { image: loaded.url, shapes: ['box'], rail: 'start' }),
  play: async ({ canvasElement }) => {
    const el = canvasElement.querySelector('label-canvas')!;
    await el.updateComplete;
    el.shadowRoot!.querySelector<HTMLButtonElement>('[data-command="help"]')?.click();
  },
};
