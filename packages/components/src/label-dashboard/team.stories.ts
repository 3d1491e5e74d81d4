import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';
import { teamDemo, type TeamDemoOptions } from '../../test/team-demo.js';
import { digitPng } from '../../test/demo-project.js';
import type { DashboardTab } from './label-dashboard.component.js';
import type { DashboardUpload, DashboardUploadProgress } from './upload-card.js';
import './label-dashboard.js';

// The dashboard's team parts on a real shared project (MemoryStore, consensus 2, three labelers
// racing for the items; test/team-demo.ts): the consensus card and per-labeler table, the Data tab's
// labeler filter and answers (a late dissent included), a stopped and an archived project, and the
// Details tab's upload card. Nothing is mocked but the upload, which stands in for the Azure one.
interface Args {
  tab: DashboardTab;
}

const meta: Meta<Args> = {
  title: 'Components/label-dashboard/Team',
  component: 'label-dashboard',
  args: { tab: 'dashboard' },
  argTypes: { tab: { control: 'inline-radio', options: ['dashboard', 'data', 'details'] } },
  parameters: { layout: 'padded' },
};
export default meta;
type Story = StoryObj<Args>;

const load = (o: TeamDemoOptions = {}) => [async () => teamDemo(o)];
const dashboard = (args: Args, loaded: Record<string, unknown>, upload?: DashboardUpload) => html`<label-dashboard
  .project=${loaded.project}
  .source=${loaded.source}
  .tab=${args.tab}
  .upload=${upload}
  @label-items-change=${(e: CustomEvent) => console.info(e.type, e.detail)}
></label-dashboard>`;

/** The consensus lane (agreed, disagreed, resolved), the agreement rate and the per-labeler table. */
export const Consensus: Story = { loaders: load(), render: (args, { loaded }) => dashboard(args, loaded) };

/** The Data tab: filter by labeler; items in review show every answer (max's late dissent marked "late") with "Use". */
export const ConsensusData: Story = { args: { tab: 'data' }, loaders: load(), render: (args, { loaded }) => dashboard(args, loaded) };

/** A stopped project: every tab says so, with the owner's reason; Details offers Start. */
export const Stopped: Story = { loaders: load({ stopped: 'new guidelines on odd digits' }), render: (args, { loaded }) => dashboard(args, loaded) };

/** An archived project: read-only, still exportable; Details offers Start (out of the archive). */
export const Archived: Story = { args: { tab: 'details' }, loaders: load({ archived: 'delivered' }), render: (args, { loaded }) => dashboard(args, loaded) };

/** Resolves once the dashboard's shadow root has `selector`. */
async function part<T extends Element>(host: HTMLElement, selector: string): Promise<T> {
  for (;;) {
    const el = host.querySelector('label-dashboard')?.shadowRoot?.querySelector<T>(selector);
    if (el) return el;
    await new Promise((r) => requestAnimationFrame(r));
  }
}

/** Picks three digit images in the upload card and presses Upload. */
async function pickAndUpload(host: HTMLElement): Promise<void> {
  const input = await part<HTMLInputElement>(host, 'input[name=upload-files]');
  const dt = new DataTransfer();
  for (let d = 0; d < 3; d++) dt.items.add(new File([(await digitPng(d)) as BlobPart], `new-${d}.png`, { type: 'image/png' }));
  input.files = dt.files;
  input.dispatchEvent(new Event('change'));
  (await part<HTMLButtonElement>(host, 'button.upload:not([disabled])')).click();
}

const progress: DashboardUploadProgress = { phase: 'uploading', files: 3, filesDone: 1, bytes: 3000, bytesDone: 1400, uploaded: 1, alreadyThere: 0, conflicts: 0, failed: 0 };

/** The upload card mid-way: its progress bar and Cancel (the upload stands in for Azure's and waits until cancelled). */
export const UploadInProgress: Story = {
  args: { tab: 'details' },
  loaders: load(),
  render: (args, { loaded }) =>
    dashboard(args, loaded, (_files, o) => {
      o.onProgress(progress);
      return new Promise((_, reject) => o.signal.addEventListener('abort', () => reject(o.signal.reason)));
    }),
  play: ({ canvasElement }) => pickAndUpload(canvasElement),
};

/** The upload card after an upload: counts, a file left out and a name already taken by another blob. */
export const UploadDone: Story = {
  args: { tab: 'details' },
  loaders: load(),
  render: (args, { loaded }) =>
    dashboard(args, loaded, async (files, o) => {
      o.onProgress({ ...progress, phase: 'done', filesDone: files.length, bytesDone: progress.bytes, uploaded: files.length - 1 });
      return {
        uploaded: files.length - 1,
        alreadyThere: 0,
        unsupported: { count: 1 },
        overCap: { count: 0 },
        conflicts: [{ path: files[0]!.name, message: 'A different blob of that name exists and was kept.' }],
        failed: [],
        refresh: { added: files.length - 1, total: 6 + files.length - 1 },
      };
    }),
  play: ({ canvasElement }) => pickAndUpload(canvasElement),
};
