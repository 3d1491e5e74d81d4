// Labelkit's elements in a React 19 app, through @labelkit/react: typed components made with
// @lit/react. `project` and `source` are set as element properties; `onTaskSubmit` is a typed
// listener for `label-task-submit`. Importing `LabelQueue` registers <label-queue> only; the queue
// loads <label-canvas> itself for box and polygon projects.
import { useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { IndexedDBStore, ProjectRegistry, type Actor, type DataSource, type Project } from '@labelkit/core';
import type { TaskSubmitDetail } from '@labelkit/components';
import { LabelDashboard, LabelQueue } from '@labelkit/react';

const registry = new ProjectRegistry(new IndexedDBStore('labelkit-react'));
const actor: Actor = { id: 'ana', role: 'owner' };

interface Manifest {
  files: { name: string; size: number }[];
}

/** The bundled digits as a DataSource (see examples/vanilla for the commented version). */
function sampleSource(manifest: Manifest): DataSource {
  const files = manifest.files;
  const url = (path: string) => `samples/${files[Number(/(\d+)\.png$/.exec(path)?.[1] ?? 0) % files.length].name}`;
  return {
    description: `Bundled MNIST digits (${files.length})`,
    async *list() {
      for (let n = 0; n < files.length; n++) yield { path: `mnist/${String(n).padStart(6, '0')}.png`, size: files[n].size };
    },
    url,
    async read(path: string) {
      return new Uint8Array(await (await fetch(url(path))).arrayBuffer());
    },
  };
}

interface Opened {
  project?: Project;
  source?: DataSource;
  error: string;
}

function useProject(): Opened {
  const [state, setState] = useState<Opened>({ error: '' });
  useEffect(() => {
    let cancelled = false;
    (async () => {
      const manifest = (await (await fetch('samples/index.json')).json()) as Manifest;
      const source = sampleSource(manifest);
      const [first] = await registry.list();
      let project: Project;
      if (first) project = await registry.open(first.id, { actor });
      else {
        project = await registry.create(
          {
            name: 'Digits (React)',
            kind: 'image-classification-multiclass',
            labels: ['1', '2', '3', '4', '5', '6', '7', '8', '9', '0'],
            instructions: 'Tag each image with its **digit**.',
          },
          { actor },
        );
        await project.refresh(source);
      }
      if (!cancelled) setState({ project, source, error: '' });
    })().catch((err: Error) => !cancelled && setState((s) => ({ ...s, error: err.message })));
    return () => {
      cancelled = true;
    };
  }, []);
  return state;
}

function App() {
  const { project, source, error } = useProject();
  const [view, setView] = useState<'label' | 'manage'>('label');
  const [log, setLog] = useState<string[]>([]);
  const onSubmit = (e: CustomEvent<TaskSubmitDetail>) => setLog((l) => [`submitted ${e.detail.items.length} item(s) of ${e.detail.taskId}`, ...l].slice(0, 5));
  if (error) return <p role="alert">{error}</p>;
  if (!project) return <p>Opening the project…</p>;
  return (
    <>
      <div className="bar">
        <strong>{project.name}</strong>
        <button aria-pressed={view === 'label'} onClick={() => setView('label')}>
          Label
        </button>
        <button aria-pressed={view === 'manage'} onClick={() => setView('manage')}>
          Manage
        </button>
      </div>
      <div className="card">
        {view === 'label' ? <LabelQueue project={project} source={source} gridSize={4} onTaskSubmit={onSubmit} /> : <LabelDashboard project={project} source={source} />}
      </div>
      <ul className="log">
        {log.map((line, i) => (
          <li key={i}>{line}</li>
        ))}
      </ul>
    </>
  );
}

createRoot(document.getElementById('root')!).render(<App />);
