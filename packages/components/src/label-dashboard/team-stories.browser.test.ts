// The team stories render what they say: each story's loader, render and play run in Chromium as
// Storybook would run them, and the parts each story is about are there.
import { expect } from '@esm-bundle/chai';
import { render, type TemplateResult } from 'lit';
import * as stories from './team.stories.js';

interface StoryLike {
  args?: Record<string, unknown>;
  loaders?: (() => Promise<Record<string, unknown>>)[];
  render: (args: Record<string, unknown>, ctx: { loaded: Record<string, unknown> }) => TemplateResult;
  play?: (ctx: { canvasElement: HTMLElement }) => Promise<void>;
}

/** A story as this test calls it (Storybook's types are wider than what these stories use). */
const story = (s: unknown) => s as StoryLike;

async function show(story: StoryLike): Promise<ShadowRoot> {
  const loaded = Object.assign({}, ...(await Promise.all((story.loaders ?? []).map((l) => l())))) as Record<string, unknown>;
  const host = document.createElement('div');
  document.body.append(host);
  render(story.render({ tab: 'dashboard', ...stories.default.args, ...story.args }, { loaded }), host);
  await story.play?.({ canvasElement: host });
  const el = host.querySelector('label-dashboard')!;
  await el.updateComplete;
  return el.shadowRoot!;
}

async function until<T>(get: () => T | null | undefined, what: string): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const v = get();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('team stories', () => {
  afterEach(() => document.body.replaceChildren());

  it('Consensus: the consensus card and the per-labeler table with three labelers', async () => {
    const root = await show(story(stories.Consensus));
    await until(() => root.querySelector('[part~="consensus-card"]'), 'the consensus card');
    expect([...root.querySelectorAll('table.labelers tbody tr td:first-child')].map((td) => td.textContent!.trim())).to.deep.equal(['kai', 'lee', 'max']);
  });

  it('ConsensusData: the labeler filter and a late answer', async () => {
    const root = await show(story(stories.ConsensusData));
    await until(() => root.querySelector('select[name=labeler]'), 'the labeler filter');
    await until(() => root.querySelector('[data-labeler=max][data-late]'), 'a late answer');
  });

  it('Stopped and Archived say so', async () => {
    let root = await show(story(stories.Stopped));
    expect((await until(() => root.querySelector('.project-status'), 'the status line')).textContent).to.contain('new guidelines on odd digits');
    document.body.replaceChildren();
    root = await show(story(stories.Archived));
    expect((await until(() => root.querySelector('.project-status'), 'the status line')).textContent).to.contain('archived');
  });

  it('UploadInProgress shows the progress bar and Cancel; UploadDone the report', async () => {
    let root = await show(story(stories.UploadInProgress));
    await until(() => root.querySelector('[part~="upload-progress"][data-phase=uploading]'), 'the progress bar');
    expect(root.querySelector('button.cancel-upload')).to.exist;
    (root.querySelector('button.cancel-upload') as HTMLButtonElement).click();
    document.body.replaceChildren();
    root = await show(story(stories.UploadDone));
    const report = await until(() => root.querySelector('.upload-report'), 'the report');
    expect(report.textContent).to.contain('2 uploaded').and.contain('1 not images');
  });
});
