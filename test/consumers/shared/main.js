// The consumer apps' one page (copied into every app of the matrix, whatever bundles it): the three
// elements on an IndexedDB project of real PNGs, a TIFF and two DICOMs decoded by the media worker,
// and ML assist (featurize + cluster with mnist.onnx) in its worker. What happened goes to
// `window.__consumer` for the Playwright check (test/consumers/run.mjs); nothing is configured for
// the bundler: no worker factory, no wasmPaths — the packages locate their own workers and files.
import '@labelkit/components';
import { IndexedDBStore, ProjectRegistry, UrlListSource } from '@labelkit/core';
import { configureJpeg2000, decodeImage, mediaWorkerInfo } from '@labelkit/core/media';
import { attachAssist } from '@labelkit/ml';

const result = { errors: [], steps: [] };
window.__consumer = result;
const here = (path) => new URL(path, location.href).href;
const step = (name) => result.steps.push(name);
document.addEventListener('label-error', (e) => result.errors.push(`label-error: ${e.detail?.error?.code ?? ''} ${e.detail?.error?.message ?? e.detail?.error}`));

async function bytes(path) {
  const res = await fetch(here(path));
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

/** Decodes in a worker of the app's own that imports '@labelkit/core/media/worker'. */
async function decodeInHostWorker(data) {
  const worker = new Worker(new URL('./host-worker.js', import.meta.url), { type: 'module' });
  try {
    return await new Promise((resolve, reject) => {
      worker.onerror = (e) => reject(new Error(`host worker: ${e.message || 'its script did not load'}`));
      worker.onmessage = (ev) => {
        if (ev.data?.ready) return;
        if (ev.data?.ok) resolve(ev.data.image);
        else reject(new Error(`host worker: ${ev.data?.error?.message}`));
      };
      const copy = data.slice();
      worker.postMessage({ id: 1, bytes: copy.buffer, options: { hint: 'ladoga.tif' } }, [copy.buffer]);
    });
  } finally {
    worker.terminate();
  }
}

async function main() {
  // ── a project: opened if it exists, else created (a reload does not throw E_NAME_TAKEN) ──
  const images = ['rgba.png', 'palette.png', 'interlaced.png', 'grey16.png', 'photo.jpg', 'grey.jpg'].map((f) => here(`img/${f}`));
  const source = new UrlListSource(images);
  const registry = new ProjectRegistry(new IndexedDBStore('labelkit-consumer'));
  const actor = { id: 'consumer@example.com', role: 'owner' };
  const known = (await registry.list()).find((p) => p.name === 'Consumer');
  const project = known
    ? await registry.open(known.id, { actor })
    : await registry.create({ name: 'Consumer', kind: 'image-classification-multiclass', labels: ['light', 'dark'], assist: { enabled: true, clustering: true } }, { actor });
  await project.refresh(source);
  step('project');

  // ── TIFF and DICOM: decoded by the media worker (not on this thread) ──
  const tiff = await decodeImage(await bytes('fixtures/ladoga.tif'), { hint: 'ladoga.tif' });
  const dicom = await decodeImage(await bytes('fixtures/CT_small.dcm'), { hint: 'CT_small.dcm' });
  const j2kBytes = await bytes('fixtures/grey8_j2k_lossless.dcm');
  const j2k = await decodeImage(j2kBytes.slice(), { hint: 'grey8_j2k_lossless.dcm' });
  // The page's configureJpeg2000 reaches the media worker: the served .wasm decodes the same pixels.
  configureJpeg2000({ wasmUrl: 'fixtures/openjpegwasm_decode.wasm' });
  const j2kWasm = await decodeImage(j2kBytes.slice(), { hint: 'grey8_j2k_lossless.dcm' }).finally(() => configureJpeg2000({}));
  const pixels = (d) => d.rgba ?? d.raw?.data;
  const same = (a, b) => !!a && !!b && a.length === b.length && a.every((v, i) => v === b[i]);
  result.media = {
    tiff: [tiff.width, tiff.height],
    dicom: [dicom.width, dicom.height],
    j2k: [j2k.width, j2k.height],
    j2kWasm: same(pixels(j2k), pixels(j2kWasm)) ? 'same pixels' : `${j2kWasm.width}x${j2kWasm.height}, other pixels`,
    worker: mediaWorkerInfo(),
  };
  // Module workers do not see the page's import map: the no-bundler page leaves this out.
  if (!document.documentElement.hasAttribute('data-no-host-worker')) {
    const hosted = await decodeInHostWorker(await bytes('fixtures/ladoga.tif'));
    result.media.hostWorker = [hosted.width, hosted.height];
  }
  document.querySelector('label-canvas').image = dicom;
  step('media');

  // ── ML assist: featurize + cluster in the ML worker, WASM with threads when isolated, through the
  // one call a host makes (attachAssist); the first step is run here and awaited ──
  const assist = attachAssist(project, {
    device: 'wasm',
    models: {
      featurizer: {
        source: here('models/mnist.onnx'),
        preprocess: { width: 28, height: 28, fit: 'resize', channels: 'gray' },
        embedding: { tensor: 'Pooling160_Output_0_reshape0' },
      },
    },
    featurizerKey: 'mnist-256',
    readImage: async (item) => ({ bytes: await source.read(item.path) }),
    schedule: { onOpen: false },
    onError: (err) => result.errors.push(`assist: ${err?.code ?? ''} ${err?.message ?? err}`),
  });
  await assist.run();
  const report = assist.last ?? { featurized: -1, clustered: -1 };
  const info = await assist.assistant.info();
  result.ml = {
    info,
    report: { featurized: report.featurized, clustered: report.clustered },
    runs: project.runs.map((r) => ({ kind: r.kind, status: r.status, device: r.device })),
    activity: assist.activity.state,
  };
  step('ml');

  // ── the elements, on the project (after assist clustered the todo items: a task leases some) ──
  const queue = document.querySelector('label-queue');
  const dashboard = document.querySelector('label-dashboard');
  queue.source = source;
  queue.project = project;
  dashboard.source = source;
  dashboard.project = project;
  dashboard.assist = assist; // its progress bar and status follow the handle
  step('elements');
}

main().then(
  () => (document.body.dataset.done = 'ok'),
  (err) => {
    result.errors.push(`main: ${err?.code ?? ''} ${err?.stack ?? err}`);
    document.body.dataset.done = 'error';
  },
);
