// The React consumer: the @labelkit/react wrappers render the three elements (type-checked under
// strict by the build), then the shared page (consumer.js, the other apps' main.js) gives them the
// project and runs the media and ML checks.
import { LabelCanvas, LabelDashboard, LabelQueue } from '@labelkit/react';
import { flushSync } from 'react-dom';
import { createRoot } from 'react-dom/client';

function App() {
  return (
    <>
      <LabelQueue gridSize={4} onLabelError={(e) => console.error(e.detail.error)} />
      <LabelDashboard onLabelError={(e) => console.error(e.detail.error)} />
      <LabelCanvas mode="box" onLabelError={(e) => console.error(e.detail.error)} />
    </>
  );
}

const root = document.getElementById('root');
if (!root) throw new Error('The page has no #root.');
flushSync(() => createRoot(root).render(<App />));
await import('./consumer.js');
