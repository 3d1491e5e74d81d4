// The page's first script (index.html loads it in the head; a few KB, no imports): on a reload, or in
// a new tab, the task this tab held (or the project's first look) is drawn at once from the task hint
// (`paintFirstLook`) — before the demo's bundle (Lit, the core, the elements: main.js) is fetched,
// parsed and run — into the <label-queue> that main.js then wires to the project (the element adopts
// the drawing: no flash). main.js is imported once those images are painted: its evaluation would
// hold that frame back.
import { firstLookPainted, paintFirstLook } from '@labelkit/components/first-look';

/** The page's bundle, main-XXXXXXXX.js, and its chunks (scripts/build.mjs): preloaded all at once when it is imported. */
declare const __LABELKIT_DEMO_MAIN__: string;
declare const __LABELKIT_DEMO_PRELOAD__: readonly string[];
/** main.ts's store is `new IndexedDBStore('labelkit-demo')`: its tab scope (`taskHintScope`). */
const SCOPE = 'idb:labelkit-demo';

performance.mark('labelkit:boot');
const routed = /^#\/p\/([^/]+)(?:\/([^/?]*))?/.exec(location.hash);
if (routed && routed[2] !== 'manage') {
  const app = document.getElementById('app')!;
  const panel = document.createElement('section');
  panel.className = 'panel';
  // The tabs and the (empty) ML assist status main.js puts above the queue, drawn inert meanwhile
  // (main.js replaces them): the task does not move when the page comes to life.
  const tabs = document.createElement('div');
  tabs.className = 'tabs';
  tabs.inert = true;
  for (const name of ['Label', 'Manage']) tabs.append(Object.assign(document.createElement('button'), { textContent: name, ariaSelected: String(name === 'Label') }));
  const queue = document.createElement('label-queue');
  const status = document.createElement('p');
  status.className = 'assist-status';
  panel.append(tabs, status, queue);
  app.replaceChildren(panel);
  if (paintFirstLook(queue, decodeURIComponent(routed[1]), { scope: SCOPE })) {
    await firstLookPainted(queue);
    performance.mark('labelkit:first-look');
  } else app.replaceChildren();
}
for (const href of typeof __LABELKIT_DEMO_PRELOAD__ === 'undefined' ? [] : __LABELKIT_DEMO_PRELOAD__) {
  const link = document.createElement('link');
  link.rel = 'modulepreload';
  link.href = href;
  document.head.append(link);
}
// A specifier esbuild leaves as it is: main.js is the page's bundle, built on its own, not a chunk of this one.
await import(/* @vite-ignore */ typeof __LABELKIT_DEMO_MAIN__ === 'undefined' ? './main.js' : __LABELKIT_DEMO_MAIN__);
