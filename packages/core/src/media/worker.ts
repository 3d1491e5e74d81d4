// The media worker's entry: decodes TIFF and DICOM (and anything else asked) off the main thread.
// Spawned lazily by client.ts as a module worker; a host can also start it itself (see docs/media.md).
// Import it only as a worker script: it installs the message handler when it runs in a worker.
import { handleRequest, type WorkerRequest } from './worker-protocol.js';

interface WorkerScope {
  onmessage: ((ev: MessageEvent<WorkerRequest>) => void) | null;
  postMessage(message: unknown, transfer: Transferable[]): void;
}

const scope = globalThis as unknown as WorkerScope & { WorkerGlobalScope?: unknown; document?: unknown };
if (typeof scope.WorkerGlobalScope !== 'undefined' && typeof scope.document === 'undefined') {
  scope.onmessage = (ev) => {
    void handleRequest(ev.data).then(({ response, transfer }) => scope.postMessage(response, transfer));
  };
  // Tells the client the script loaded (an error before this means "no worker here": decode in-process).
  scope.postMessage({ ready: true }, []);
}
