import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';
import type { Role, TaskSize } from '@labelkit/core';
import { demoProject, type DemoOptions } from '../../test/demo-project.js';
import './label-queue.js';

// Every story builds a real project in the browser (MemoryStore, generated digit PNGs) through the
// core's own commands; nothing is mocked.
interface Args {
  gridSize: TaskSize;
}

const meta: Meta<Args> = {
  title: 'Components/label-queue',
  component: 'label-queue',
  args: { gridSize: 4 },
  argTypes: { gridSize: { control: 'inline-radio', options: [1, 4, 6, 9] } },
  parameters: {
    layout: 'padded',
    docs: {
      description: {
        component:
          'Classification keys: arrows move · Space selects · A selects all · Esc clears · 1–9, 0 tag the selection (or the focused image, then move on) · Enter submits · S skips · V marks for review · G changes the grid. Region projects use the canvas keys (R, P, M, T, 1–9, 0 …; ? lists them), its tool rail and region list, and Enter to submit.',
      },
    },
  },
};
export default meta;
type Story = StoryObj<Args>;

const load = (o: DemoOptions) => [async () => demoProject(o)];
const queue = (args: Args, loaded: Record<string, unknown>) => html`<label-queue
  .project=${loaded.project}
  .source=${loaded.source}
  .gridSize=${args.gridSize}
  @label-task-submit=${(e: CustomEvent) => console.info(e.type, e.detail)}
  @label-error=${(e: CustomEvent) => console.warn(e.type, e.detail)}
></label-queue>`;

/** A project with no items: the empty state. */
export const EmptyProject: Story = { loaders: load({ items: 0 }), render: (args, { loaded }) => queue(args, loaded) };

/** Half-way through a multi-class project, as its owner. */
export const MidWay: Story = { loaders: load({ items: 60, labeled: 28, skipped: 4 }), render: (args, { loaded }) => queue(args, loaded) };

/** Multi-label: several tags per image. */
export const MultiLabel: Story = {
  loaders: load({ kind: 'image-classification-multilabel', labels: ['round', 'straight', 'curly', 'crossing'], items: 40 }),
  render: (args, { loaded }) => queue(args, loaded),
};

/** ML assist proposed labels: the task comes from the prelabeled lane, tags pre-filled (dashed) for confirmation. */
export const WithPrelabels: Story = { loaders: load({ items: 40, labeled: 8, prelabeled: 12, assist: true }), render: (args, { loaded }) => queue(args, loaded) };

/** Boxes: one image on a <label-canvas>. */
export const Boxes: Story = { loaders: load({ kind: 'image-object-detection', items: 10, labeled: 3 }), render: (args, { loaded }) => queue(args, loaded) };

/** Polygons with a prelabel outline to accept or correct. */
export const PolygonsWithPrelabels: Story = {
  loaders: load({ kind: 'image-instance-segmentation', items: 10, prelabeled: 3 }),
  render: (args, { loaded }) => queue(args, loaded),
};

const roleStory = (role: Role): Story => ({
  loaders: load({ items: 8, skipped: 8, role }),
  render: (args, { loaded }) => queue(args, loaded),
});
/** Everything skipped, seen by a labeler: nothing to requeue is offered. */
export const AllSkippedAsLabeler = roleStory('labeler');
/** The same project seen by its owner: "Requeue skipped" is offered. */
export const AllSkippedAsOwner = roleStory('owner');

/** Ten labels (digits 0–9): the tenth has key 0, and every key is shown. */
export const TenLabels: Story = { loaders: load({ items: 40, instructions: '# Digits\n\nTag each image with its digit.' }), render: (args, { loaded }) => queue(args, loaded) };

/** A phone (390 px wide): the header, palette and actions wrap, nothing overflows sideways, Submit stays in view. */
export const Phone390: Story = {
  args: { gridSize: 9 },
  parameters: { viewport: { defaultViewport: 'mobile1' } },
  loaders: load({ items: 40, instructions: '# Digits\n\nTag each image with its digit.' }),
  render: (args, { loaded }) => html`<div class="phone">${queue(args, loaded)}</div>`,
  decorators: [(story) => html`<style>.phone { max-width: 390px; }</style>${story()}`],
};

/** Full HD (view it at 1920 × 1080): tiles grow to what the screen leaves room for (at most --label-queue-tile-size). */
export const FullHd: Story = {
  loaders: load({ items: 40 }),
  render: (args, { loaded }) => queue(args, loaded),
};

/** A box project: the canvas with its tool rail (box tools only) and region list; the palette shows the active label and the selection's apart. */
export const BoxesWithRailAndRegions: Story = {
  loaders: load({ kind: 'image-object-detection', items: 10, labels: ['digit', 'smudge', 'ink', 'fold'] }),
  render: (args, { loaded }) => queue(args, loaded),
};
