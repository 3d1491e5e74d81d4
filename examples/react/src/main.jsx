// Labelkit's elements in a React 19 app. React 19 sets custom-element *properties* (project,
// source) when the element has them, and listens to custom events through `on<event-name>` props,
// so no wrapper components are needed.
import { useEffect, useMemo, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { IndexedDBStore, ProjectRegistry } from '@labelkit/core';
import { LabelDashboard, LabelQueue } from '@labelkit/components';

// Importing the classes registers <label-queue>, <label-dashboard> (and <label-canvas>).
export const elements = { LabelQueue, LabelDashboard };

const registry = new ProjectRegistry(new IndexedDBStore('labelkit-react'));
const actor = { id: 'ana', role: 'owner' };

/** The bundled digits as a DataSource (see examples/vanilla for the commented version). */
function sampleSource(manifest) {
  const files = manifest.files;
  return {
    description: `Bundled MNIST digits (${files.length})`,
    async *list() {
      for (let n = 0; n < files.length; n++) yield { path: `mnist/${String(n).padStart(6, '0')}.png`, size: files[n].size };
    },
    url: (path) => `samples/${files[Number(/(\d+)\.png$/.exec(path)[1]) % files.length].name}`,
    async read(path) {
      return new Uint8Array(await (await fetch(this.url(path))).arrayBuffer());
    },
  };
}

function useProject() {
  const [state, setState] = useState({ project: undefined, source: undefined, error: '' });
  useEffect(() => {
    let cancelled = false;
    (async () => {
      const manifest = await (await fetch('samples/index.json')).json();
      const source = sampleSource(manifest);
      const [first] = await registry.list();
      let project;
      if (first) project = await registry.open(first.id, { actor });
      else {
        project = await registry.create(
          { name: 'Digits (React)', kind: 'image-classification-multiclass', labels: ['1', '2', '3', '4', '5', '6', '7', '8', '9', '0'], instructions: 'Tag each image with its **digit**.' },
          { actor },
        );
        await project.refresh(source);
      }
      if (!cancelled) setState({ project, source, error: '' });
    })().catch((err) => !cancelled && setState((s) => ({ ...s, error: err.message })));
    return () => {
      cancelled = true;
    };
  }, []);
  return state;
}

function App() {
  const { project, source, error } = useProject();
  const [view, setView] = useState('label');
  const [log, setLog] = useState([]);
  const onSubmit = useMemo(() => (e) => setLog((l) => [`submitted ${e.detail.items.length} item(s) of ${e.detail.taskId}`, ...l].slice(0, 5)), []);
  if (error) return <p role="alert">{error}</p>;
  if (!project) return <p>Opening the project…</p>;
  return (
    <>
      <div className="bar">
        <strong>{project.name}</strong>
        <button aria-pressed={view === 'label'} onClick={() => setView('label')}>Label</button>
        <button aria-pressed={view === 'manage'} onClick={() => setView('manage')}>Manage</button>
      </div>
      <div className="card">
        {view === 'label' ? (
          <label-queue project={project} source={source} grid-size="4" onlabel-task-submit={onSubmit} />
        ) : (
          <label-dashboard project={project} source={source} />
        )}
      </div>
      <ul className="log">{log.map((line, i) => <li key={i}>{line}</li>)}</ul>
    </>
  );
}

createRoot(document.getElementById('root')).render(<App />);
