// The page of test/e2e/team.test.ts: a team project on Azure Blob (Azurite). `?user=<id>&role=owner`
// shows <label-dashboard> (its Details tab uploads images into the container with uploadFiles);
// any other user gets <label-queue>. Every client shares the project (journal, lease board) in the container.
import { LabelkitError, Project, ProjectRegistry } from '@labelkit/core';
import { AzureBlobSource, AzureBlobStore, uploadFiles } from '@labelkit/core/azure';
import { LabelDashboard, LabelQueue } from '@labelkit/components';

export const elements = { LabelDashboard, LabelQueue };

interface Config {
  containerUrl: string;
  sas: string;
  project: string;
}
const config: Config = await (await fetch('config.json')).json();
const params = new URLSearchParams(location.search);
const user = params.get('user') ?? 'olga';
const role = params.get('role') === 'owner' ? 'owner' : 'labeler';
const target = { containerUrl: config.containerUrl, sasToken: config.sas };
const store = new AzureBlobStore(target);
const source = new AzureBlobSource({ ...target, path: 'uploads/**' });
const options = { actor: { id: user, role }, clientId: `${user}-${Math.random().toString(36).slice(2, 8)}`, shared: true } as const;
const registry = new ProjectRegistry(store);

let project: Project;
if (role === 'owner') {
  project = await registry.create(
    {
      name: config.project,
      kind: 'image-classification-multiclass',
      labels: ['red', 'green', 'blue'],
      queue: { leaseMs: 120_000, consensus: { labelers: 2, agreement: 'majority' } },
    },
    options,
  );
  const dashboard = document.createElement('label-dashboard') as LabelDashboard;
  dashboard.project = project;
  dashboard.source = source;
  dashboard.tab = 'details';
  dashboard.upload = (files, o) => uploadFiles(store, files, { ...o, project });
  document.getElementById('app')!.append(dashboard);
} else {
  project = await registry.open(config.project, options).catch((err: unknown) => {
    throw LabelkitError.is(err, 'E_NOT_FOUND') ? new Error('open the owner first') : err;
  });
  const queue = document.createElement('label-queue') as LabelQueue;
  queue.project = project;
  queue.source = source;
  queue.gridSize = 4;
  document.getElementById('app')!.append(queue);
}
// What the others wrote arrives through the shared journal.
setInterval(() => void project.sync().catch(() => undefined), 1_000);
Object.assign(globalThis, { team: { project } });
document.body.dataset.ready = '';
