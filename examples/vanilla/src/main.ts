// The Labelkit demo: a host page with <label-queue>, <label-dashboard> (and the <label-canvas> inside
// the queue), a project list and a "new project" form. Projects live in IndexedDB; images are the
// bundled MNIST PNGs; nothing touches the network.
import {
  type AssistDeviceRequest,
  type AssistSettings,
  IndexedDBStore,
  LabelkitError,
  PROJECT_KINDS,
  ProjectRegistry,
  readTaskHint,
  taskHintScope,
  isClassificationKind,
  type Actor,
  type DataSource,
  type ItemRef,
  type Project,
  type ProjectKind,
} from '@labelkit/core';
// One entry per element: <label-canvas> (and Konva) load only when a region task needs them.
import { LabelQueue } from '@labelkit/components/label-queue';
// <label-dashboard> loads when the Manage tab is first shown: the first task does not wait for it.
import type { LabelDashboard } from '@labelkit/components/label-dashboard';
// ML assist (and onnxruntime-web's glue) loads once the first task is shown: see showProject.
import type { DemoAssist, DemoAssistOptions, FeaturizerManifest } from './assist.js';
// Exporting the class keeps its registration module in the bundle (the package marks only those
// modules as having side effects).
export const elements = { LabelQueue };

interface Manifest {
  files: { name: string; size: number }[];
}

/**
 * The bundled digits as a `DataSource`. Paths are `mnist/<n>.png`; `n` beyond the number of files
 * wraps around, so a benchmark can make a 100,000-item project from 200 images.
 */
export class SampleSource implements DataSource {
  readonly description: string;
  constructor(
    readonly manifest: Manifest,
    readonly count = manifest.files.length,
  ) {
    this.description = `Bundled MNIST digits (${count.toLocaleString()} items from ${manifest.files.length} images)`;
  }
  async *list(): AsyncIterable<ItemRef> {
    for (let n = 0; n < this.count; n++) yield this.ref(n);
  }
  ref(n: number): ItemRef {
    const f = this.manifest.files[n % this.manifest.files.length];
    return { path: `mnist/${String(n).padStart(6, '0')}.png`, size: f.size, etag: f.name };
  }
  url(path: string): string {
    const n = Number(/(\d+)\.png$/.exec(path)?.[1] ?? 0);
    return `samples/${this.manifest.files[n % this.manifest.files.length].name}`;
  }
  async read(path: string): Promise<Uint8Array> {
    const res = await fetch(this.url(path));
    if (!res.ok) throw new LabelkitError('E_NOT_FOUND', `No sample image for ${path}.`, { path });
    return new Uint8Array(await res.arrayBuffer());
  }
}

const DEFAULT_LABELS: Record<ProjectKind, string> = {
  'image-classification-multiclass': '1, 2, 3, 4, 5, 6, 7, 8, 9, 0',
  'image-classification-multilabel': 'loop, straight stroke, curve, crossing',
  'image-object-detection': 'digit, smudge',
  'image-instance-segmentation': 'digit, smudge',
};
const INSTRUCTIONS = `Label **each image** with the digit it shows.

- Use the number keys: key *1* is the label "1", … key *9* is "9".
- Unsure? Tick **Needs review**, or skip the image.`;

const ACTORS: Record<string, Actor> = { owner: { id: 'ana', role: 'owner' }, labeler: { id: 'lee', role: 'labeler' } };
const app = document.getElementById('app')!;
const roleSelect = document.getElementById('role') as HTMLSelectElement;
const store = new IndexedDBStore('labelkit-demo');
const registry = new ProjectRegistry(store);
performance.mark('labelkit:main');

/** Opens a project (marked for the benchmark's split of a page load). */
function openProject(id: string): Promise<Project> {
  performance.mark('labelkit:open-start');
  return registry.open(id, { actor: actor() }).then((p) => {
    performance.measure('labelkit:open', 'labelkit:open-start');
    return p;
  });
}
// First task first: the task this tab held (a reload, a return to the page) is on screen before the
// project is open, every command off until the project confirms the lease (or shows the task this tab
// really holds). The project starts opening once that preview is painted with its images (its snapshot
// decode would hold that frame back; at most ~100 ms), else at once — while the manifests load.
// boot.ts (the page's first script) has drawn that preview already when it found a hint, before this
// bundle loaded, and imported this bundle once it was painted: its <label-queue> is adopted here.
const routed = /^#\/p\/([^/]+)/.exec(location.hash);
const routedId = routed ? decodeURIComponent(routed[1]) : undefined;
const drawn = app.querySelector<LabelQueue>(':scope > section.panel > label-queue');
const hinted = drawn?.hint ?? (routedId && !/^#\/p\/[^/]+\/manage/.test(location.hash) ? readTaskHint(routedId, taskHintScope(store)) : undefined);
let preview: LabelQueue | undefined;
if (drawn && hinted) {
  preview = drawn;
  preview.gridSize = gridParam();
} else if (hinted) {
  preview = document.createElement('label-queue') as LabelQueue;
  preview.gridSize = gridParam();
  preview.hint = hinted;
  app.replaceChildren(h('section', { className: 'panel' }, preview));
}
let opening: { id: string; project: Promise<Project> } | undefined = routedId
  ? { id: routedId, project: preview && preview !== drawn ? painted(preview).then(() => openProject(routedId)) : openProject(routedId) }
  : undefined;
opening?.project.catch(() => undefined); // reported when the route shows it

/** Resolves once the preview's images are decoded (or 100 ms went by) and a frame has shown them. */
async function painted(q: LabelQueue): Promise<void> {
  await q.updateComplete;
  const images = [...(q.shadowRoot?.querySelectorAll('img') ?? [])].map((i) => i.decode().catch(() => undefined));
  await Promise.race([Promise.all(images), new Promise((r) => setTimeout(r, 100))]);
  await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
}
const json = <T>(url: string): Promise<T> => fetch(url).then((r) => r.json() as Promise<T>);
const [manifest, featurizer] = await Promise.all([json<Manifest>('samples/index.json'), json<FeaturizerManifest>('models/featurizer.json')]);

let current: Project | undefined;
/** ML assist for the open project (runs only while its assist switch is on). */
let assist: DemoAssist | undefined;

/**
 * ML assist settings of this page; URL parameters override them (the e2e tests use small values):
 * `device` (auto | webgpu | wasm), `minSupport`, `minPerClass`, `confidence`, `debounce` (ms).
 */
function assistOptions(): DemoAssistOptions {
  const q = new URLSearchParams(location.search);
  const num = (name: string, fallback: number) => (q.has(name) && Number.isFinite(Number(q.get(name))) ? Number(q.get(name)) : fallback);
  return {
    device: (q.get('device') ?? 'auto') as AssistDeviceRequest,
    featurizer,
    // A demo project is small (200 digits): 20 % of the first 50 labels are only 10 held-out items.
    minSupport: num('minSupport', 5),
    minLabelsPerClass: num('minPerClass', 3),
    // Confidence of the lower bound on precision a threshold must reach (0: point estimate).
    confidence: num('confidence', 0.95),
    debounceMs: num('debounce', 1500),
  };
}

function closeProject(): void {
  assist?.close();
  assist = undefined;
  current?.close();
  current = undefined;
}

function actor(): Actor {
  return ACTORS[new URLSearchParams(location.search).get('role') ?? 'owner'] ?? ACTORS.owner;
}
roleSelect.value = actor().role;
roleSelect.addEventListener('change', () => {
  const q = new URLSearchParams(location.search);
  q.set('role', roleSelect.value);
  location.search = q.toString();
});

function gridParam(): 1 | 4 | 6 | 9 {
  return Number(new URLSearchParams(location.search).get('grid') ?? 4) as 1 | 4 | 6 | 9;
}

function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Partial<HTMLElementTagNameMap[K]> & Record<string, unknown> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k.startsWith('data-') || k === 'for' || k === 'aria-selected' || k === 'role') el.setAttribute(k, String(v));
    else (el as unknown as Record<string, unknown>)[k] = v;
  }
  el.append(...children);
  return el;
}

/** Creates a project of `count` sample items (the e2e tests and the benchmark call this too). */
async function createProject(spec: {
  name: string;
  kind: ProjectKind;
  labels: string[];
  instructions?: string;
  count?: number;
  assist?: boolean | Partial<AssistSettings>;
  seed?: number;
}): Promise<string> {
  const assistSettings = typeof spec.assist === 'object' ? { enabled: true, ...spec.assist } : { enabled: !!spec.assist };
  const project = await registry.create(
    {
      name: spec.name,
      kind: spec.kind,
      labels: spec.labels,
      instructions: spec.instructions ?? INSTRUCTIONS,
      assist: assistSettings,
      ...(spec.seed !== undefined ? { seed: spec.seed } : {}),
    },
    { actor: ACTORS.owner },
  );
  const source = new SampleSource(manifest, spec.count ?? manifest.files.length);
  await project.refresh(source);
  if ((spec.count ?? 0) > 20_000) await project.snapshot();
  project.close();
  return project.id;
}

async function showList(): Promise<void> {
  closeProject();
  shown = undefined;
  const projects = await registry.list();
  const kind = h('select', { name: 'kind' }, ...PROJECT_KINDS.map((k) => h('option', { value: k }, k)));
  const labels = h('input', { name: 'labels', value: DEFAULT_LABELS[PROJECT_KINDS[0]] });
  kind.addEventListener('change', () => (labels.value = DEFAULT_LABELS[kind.value as ProjectKind]));
  const name = h('input', { name: 'name', value: `Digits ${projects.length + 1}`, required: true });
  const count = h('input', { name: 'count', type: 'number', value: String(manifest.files.length), min: '1', max: '500000' });
  const error = h('p', { className: 'error', role: 'alert' });
  const form = h(
    'form',
    { className: 'new' },
    h('label', { for: 'n' }, 'Name'),
    Object.assign(name, { id: 'n' }),
    h('label', { for: 'k' }, 'Kind'),
    Object.assign(kind, { id: 'k' }),
    h('label', { for: 'l' }, 'Labels'),
    Object.assign(labels, { id: 'l' }),
    h('label', { for: 'c' }, 'Items'),
    Object.assign(count, { id: 'c' }),
    h('span'),
    h('button', { type: 'submit' }, 'Create project'),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const id = await createProject({
        name: name.value,
        kind: kind.value as ProjectKind,
        labels: labels.value
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
        count: Number(count.value),
      });
      location.hash = `#/p/${id}`;
    } catch (err) {
      error.textContent = (err as Error).message;
    }
  });
  // Stopped and archived projects say so (the registry keeps a copy of each project's status).
  const status = (p: (typeof projects)[number]) => (p.status ? ` (${p.status.state}${p.status.reason ? `: ${p.status.reason}` : ''})` : '');
  const list = h(
    'ul',
    { className: 'projects' },
    ...projects.map((p) => h('li', p.status ? { 'data-status': p.status.state } : {}, h('a', { href: `#/p/${p.id}` }, p.name), ` — ${p.kind}${status(p)}`)),
  );
  const canCreate = actor().role === 'owner';
  app.replaceChildren(
    h('section', { className: 'panel' }, h('h2', {}, 'Projects'), projects.length ? list : h('p', {}, 'No projects yet.')),
    ...(canCreate ? [h('section', { className: 'panel' }, h('h2', {}, 'New project'), form, error)] : []),
  );
}

interface Shown {
  id: string;
  queue: LabelQueue;
  /** The dashboard, once the Manage tab was shown (its module loads then). */
  dash: Promise<LabelDashboard> | undefined;
  source: SampleSource;
  tabs: HTMLElement;
  panel: HTMLElement;
}
let shown: Shown | undefined;
/** The project's dashboard: created (and its module loaded) the first time it is asked for. */
function dashboardOf(s: Shown, project: Project): Promise<LabelDashboard> {
  s.dash ??= import('@labelkit/components/label-dashboard').then(() => {
    const dash = document.createElement('label-dashboard') as LabelDashboard;
    dash.project = project;
    dash.source = s.source;
    dash.hidden = true;
    if (assist && current === project) dash.assist = assist.handle;
    // When the dashboard rejects or requeues items, the labeler's queue has new work: look again.
    dash.addEventListener('label-items-change', () => void s.queue.reload());
    s.panel.append(dash);
    return dash;
  });
  return s.dash;
}

async function showProject(id: string, tab: string): Promise<void> {
  if (current?.id !== id) {
    closeProject();
    shown = undefined;
    const early = opening?.id === id ? opening.project : undefined;
    opening = undefined;
    current = await (early ?? openProject(id));
  }
  const project = current;
  if (!shown || shown.id !== id || !shown.queue.isConnected) {
    const source = new SampleSource(manifest, project.itemCount);
    const tabs = h('div', { className: 'tabs', role: 'tablist' });
    // The queue that shows the held task already (see `hinted`) takes the project: no element swap.
    const early = preview?.isConnected ? preview : undefined;
    preview = undefined;
    const queue = early ?? (document.createElement('label-queue') as LabelQueue);
    queue.source = source;
    queue.project = project;
    for (const name of ['label', 'manage']) {
      const b = h('button', { role: 'tab', 'data-tab': name }, name === 'label' ? 'Label' : 'Manage');
      b.addEventListener('click', () => (location.hash = `#/p/${id}/${name}`));
      tabs.append(b);
    }
    queue.gridSize = gridParam();
    // ML assist: runs in this browser in the background; its status and errors show above the tabs.
    const assistStatus = h('p', { className: 'assist-status', role: 'status' });
    const assistError = h('p', { className: 'error assist-error', role: 'alert', hidden: true });
    assist?.close();
    assist = undefined;
    // First task first: ML assist (its worker, model and featurization) starts once the first task is
    // on screen, or after two seconds when no task comes (the Manage tab, an empty queue).
    let starting = false;
    const startAssist = async () => {
      if (assist || starting || current !== project || !isClassificationKind(project.kind)) return;
      starting = true;
      const { DemoAssist } = await import('./assist.js');
      if (assist || current !== project) return;
      assist = new DemoAssist(project, source, assistOptions(), {
        onStatus: (text) => (assistStatus.textContent = text),
        onError: (error) => {
          assistError.textContent = `ML assist failed: ${error instanceof Error ? error.message : String(error)}`;
          assistError.hidden = false;
          // The same event the elements fire for their own failures (it bubbles to the page).
          assistError.dispatchEvent(new CustomEvent('label-error', { detail: { error, during: 'ml-assist' }, bubbles: true, composed: true }));
        },
      });
      // The dashboard shows assist's progress bar and status from the running loop.
      const handle = assist.handle;
      void shown?.dash?.then((dash) => (dash.assist = handle));
    };
    // In idle time: after the first task's images are decoded and painted, not in their way.
    const idle = (fn: () => void) => ('requestIdleCallback' in window ? requestIdleCallback(fn, { timeout: 1_000 }) : setTimeout(fn, 50));
    queue.addEventListener('label-task-load', () => idle(() => void startAssist()), { once: true });
    setTimeout(() => void startAssist(), 2_000);
    let panel: HTMLElement;
    if (early?.parentElement) {
      panel = early.parentElement;
      panel.querySelectorAll(':scope > .tabs, :scope > .assist-status').forEach((e) => e.remove()); // boot.ts's stand-ins
      panel.prepend(tabs, assistStatus, assistError);
    } else {
      panel = h('section', { className: 'panel' }, tabs, assistStatus, assistError, queue);
      app.replaceChildren(panel);
    }
    shown = { id, queue, dash: undefined, source, tabs, panel };
  }
  // Switching tabs keeps both elements (and the task in hand); only visibility changes.
  const s = shown;
  s.queue.hidden = tab !== 'label';
  for (const b of s.tabs.querySelectorAll('button')) b.setAttribute('aria-selected', String(b.dataset.tab === tab));
  if (tab === 'manage' || s.dash) {
    const dash = await dashboardOf(s, project);
    if (shown === s) dash.hidden = !s.queue.hidden;
  }
}

async function route(): Promise<void> {
  const m = /^#\/p\/([^/]+)(?:\/(label|manage))?/.exec(location.hash);
  try {
    if (m) await showProject(decodeURIComponent(m[1]), m[2] ?? 'label');
    else await showList();
  } catch (err) {
    app.replaceChildren(h('p', { role: 'alert' }, (err as Error).message), h('a', { href: '#' }, 'Back to projects'));
  }
}

window.addEventListener('hashchange', () => void route());
// A hook for the end-to-end tests and the benchmark (not needed by the demo itself).
Object.assign(window, {
  labelkitDemo: {
    registry,
    createProject,
    manifest,
    featurizer,
    get project() {
      return current;
    },
    get assist() {
      return assist;
    },
  },
});
await route();
document.body.dataset.ready = 'true';
