// A team labeling app on Azure Blob Storage. The images are listed from the container
// (`images/**`), the project lives in the same container (one journal folder per browser tab, item
// leases by conditional writes), and COCO exports go to `Labeling/export/coco/`. Open the page in two
// tabs as two labelers: each gets different images, and each sees the other's progress.
import { LabelkitError, ProjectRegistry, type Project } from '@labelkit/core';
import { AzureBlobSource, AzureBlobStore } from '@labelkit/core/azure';
import { exportCoco, exportKey, writeToStore } from '@labelkit/core/export';
import { LabelQueue } from '@labelkit/components';

export const elements = { LabelQueue };

interface Config {
  /** The container URL, without a query. */
  containerUrl: string;
  /** A SAS for this container (read, add, create, write, delete, list), handed out by the host's backend. */
  sas: string;
  project: string;
}

const $ = (id: string) => document.getElementById(id)!;
const log = (line: string) => ($('log').textContent = `${new Date().toLocaleTimeString()}  ${line}\n${$('log').textContent}`.slice(0, 4000));
const config: Config = await (await fetch('config.json')).json();
const params = new URLSearchParams(location.search);
const user = params.get('user') ?? 'ana';
const role = user === 'ana' ? 'owner' : 'labeler';
// One journal folder per tab: a client id kept for the life of the tab.
const clientId = sessionStorage.getItem('labelkit-client') ?? `${user}-${Math.random().toString(36).slice(2, 8)}`;
sessionStorage.setItem('labelkit-client', clientId);

const source = new AzureBlobSource({ containerUrl: config.containerUrl, sasToken: config.sas, path: 'images/**' });
const store = new AzureBlobStore({ containerUrl: config.containerUrl, sasToken: config.sas });
$('who').textContent = `${user} (${role})`;
$('where').textContent = store.description; // never the SAS

const options = { actor: { id: user, role: role as 'owner' | 'labeler' }, clientId, shared: true as const };
const registry = new ProjectRegistry(store);
let project: Project;
try {
  project = await registry.open(config.project, options);
} catch (err) {
  if (!LabelkitError.is(err, 'E_NOT_FOUND') || role !== 'owner') throw err;
  project = await registry
    .create(
      {
        name: config.project,
        kind: 'image-classification-multiclass',
        labels: ['red', 'green', 'blue'],
        instructions: 'Pick the colour of the image.',
        queue: { leaseMs: 120_000 },
      },
      options,
    )
    .catch(async (e) => (LabelkitError.is(e, 'E_NAME_TAKEN') ? registry.open(config.project, options) : Promise.reject(e)));
}

function showStats(): void {
  const s = project.stats();
  $('stats').innerHTML = Object.entries({ items: s.total, ...s.counts })
    .map(([k, v]) => `<span>${k}: <b>${v}</b></span>`)
    .join('');
}

if (role === 'owner') {
  const report = await project.refresh(source);
  log(`listed ${report.listed} blobs: ${report.added} new, ${report.changed} changed, ${report.unsupported.count} not images`);
  // Incremental refresh on an interval: only new or changed blobs are added.
  project.autoRefresh(source, 15_000, { onReport: (r) => r.added && log(`refresh: ${r.added} new images`), onError: (e) => log(`refresh failed: ${(e as Error).message}`) });
}
$('refresh').addEventListener('click', async () => {
  if (role !== 'owner') return log('only the owner adds images');
  const r = await project.refresh(source);
  log(`refresh: ${r.added} new, ${r.changed} changed`);
  showStats();
});
$('export').addEventListener('click', async () => {
  const exported = exportCoco(project);
  const r = await writeToStore(store, exportKey(exported), exported);
  $('exported').innerHTML = `wrote <code>${r.key}</code> (${r.bytes} bytes)`;
  log(`export written to ${r.key}`);
});

const queue = document.createElement('label-queue') as LabelQueue;
queue.project = project;
queue.source = source;
queue.gridSize = 4;
$('queue-panel').append(queue);
project.subscribe(() => showStats());
showStats();
// Other labelers' work arrives through the shared journal.
setInterval(() => void project.sync().then(showStats, (e) => log(`sync failed: ${(e as Error).message}`)), 3_000);

// Hooks for the scripted check (scripts/start.mjs --check): label through the same project API the queue uses.
Object.assign(globalThis, {
  demo: {
    project,
    reload: () => queue.reload(),
    async labelSome(n: number): Promise<number> {
      let done = 0;
      while (done < n) {
        const t = await project.nextTask({ size: 1 });
        if (!t) break;
        const name = t.items[0].path;
        const label = /red/.test(name) ? 'red' : /green/.test(name) ? 'green' : 'blue';
        await project.submit(t.id, [{ item: t.items[0].index, annotations: [{ kind: 'class', label }] }]);
        done++;
      }
      showStats();
      return done;
    },
    async exportNow(): Promise<string> {
      const exported = exportCoco(project);
      return (await writeToStore(store, exportKey(exported), exported)).key;
    },
  },
});
document.title = 'Labelkit on Azure Blob — ready';
