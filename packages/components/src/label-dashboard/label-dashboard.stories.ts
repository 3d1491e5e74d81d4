import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';
import type { Role } from '@labelkit/core';
import { demoProject, type DemoOptions } from '../../test/demo-project.js';
import type { DashboardTab } from './label-dashboard.component.js';
import './label-dashboard.js';

// Every story builds a real project in the browser (MemoryStore, generated digit PNGs) through the
// core's own commands; nothing is mocked.
interface Args {
  tab: DashboardTab;
}

const meta: Meta<Args> = {
  title: 'Components/label-dashboard',
  component: 'label-dashboard',
  args: { tab: 'dashboard' },
  argTypes: { tab: { control: 'inline-radio', options: ['dashboard', 'data', 'details'] } },
  parameters: { layout: 'padded' },
};
export default meta;
type Story = StoryObj<Args>;

const load = (o: DemoOptions) => [async () => demoProject(o)];
const dashboard = (args: Args, loaded: Record<string, unknown>) => html`<label-dashboard
  .project=${loaded.project}
  .source=${loaded.source}
  .tab=${args.tab}
  @label-items-change=${(e: CustomEvent) => console.info(e.type, e.detail)}
></label-dashboard>`;

/** A new project with no items. */
export const EmptyProject: Story = { loaders: load({ items: 0 }), render: (args, { loaded }) => dashboard(args, loaded) };

/** Mid-way: labeled, skipped and needs-review items. */
export const MidWay: Story = { loaders: load({ items: 120, labeled: 48, skipped: 8, review: 8 }), render: (args, { loaded }) => dashboard(args, loaded) };

/** ML assist on, with featurization, training and inference runs and a prelabeled lane. */
export const WithPrelabels: Story = {
  loaders: load({ items: 120, labeled: 36, prelabeled: 30, runs: true, assist: true }),
  render: (args, { loaded }) => dashboard(args, loaded),
};

/** Multi-label: label totals exceed the item count. */
export const MultiLabel: Story = {
  loaders: load({ kind: 'image-classification-multilabel', labels: ['round', 'straight', 'curly'], items: 60, labeled: 24 }),
  render: (args, { loaded }) => dashboard(args, loaded),
};

/** The Data tab, as an owner: select items and Reject (a toast offers Undo for 5 s); the pager shows its totals. */
export const DataTab: Story = { args: { tab: 'data' }, loaders: load({ items: 60, labeled: 24, review: 4 }), render: (args, { loaded }) => dashboard(args, loaded) };

const roleStory = (role: Role, tab: DashboardTab): Story => ({
  args: { tab },
  loaders: load({ items: 60, labeled: 20, role }),
  render: (args, { loaded }) => dashboard(args, loaded),
});
/** Details as the owner: refresh, add a label, edit instructions, ML assist. */
export const DetailsAsOwner = roleStory('owner', 'details');
/** Details as a labeler: read-only. */
export const DetailsAsLabeler = roleStory('labeler', 'details');
/** Data as a labeler: no selection, no Reject. */
export const DataAsLabeler = roleStory('labeler', 'data');

/** A phone (390 px): the tab bar wraps, the ML-runs table scrolls on its own, nothing overflows the page. */
export const Phone390: Story = {
  loaders: load({ items: 120, labeled: 36, prelabeled: 30, runs: true, assist: true }),
  render: (args, { loaded }) => html`<div class="phone">${dashboard(args, loaded)}</div>`,
  decorators: [(story) => html`<style>.phone { max-width: 390px; }</style>${story()}`],
};
