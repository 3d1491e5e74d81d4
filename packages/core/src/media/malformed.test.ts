// The malformed corpus in Node: every broken file gives its error code, in a worker thread that is
// stopped if it runs past a generous bound (a check for hangs, not for speed). Nothing may crash.
import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CORPUS_SOURCES, makeMalformedCorpus, type MalformedCase, type Sources } from '../../test/malformed-corpus.js';
import { fixture } from '../../../../test/fixtures/paths.mjs';

const load = (rel: string) => new Uint8Array(readFileSync(fixture(rel)));
const sources = Object.fromEntries(Object.entries(CORPUS_SOURCES).map(([k, p]) => [k, load(p)])) as Sources;
const corpus = makeMalformedCorpus(sources);
const HANG_BOUND_MS = 20_000;

interface Reply {
  id: number;
  ok: boolean;
  code?: string;
  message?: string;
  mismatch?: boolean;
  ms: number;
}

let worker: Worker;
let nextId = 1;
function spawn(): Worker {
  return new Worker(new URL('../../../../test/fixtures/media/decode-thread.mjs', import.meta.url));
}
function decodeBounded(c: MalformedCase): Promise<Reply | 'hang' | 'crash'> {
  const id = nextId++;
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      cleanup();
      void worker.terminate();
      worker = spawn();
      resolve('hang');
    }, HANG_BOUND_MS);
    const onMessage = (r: Reply) => {
      if (r.id !== id) return;
      cleanup();
      resolve(r);
    };
    const onExit = () => {
      cleanup();
      worker = spawn();
      resolve('crash');
    };
    const cleanup = () => {
      clearTimeout(timer);
      worker.off('message', onMessage);
      worker.off('exit', onExit);
    };
    worker.on('message', onMessage);
    worker.on('exit', onExit);
    worker.postMessage({ id, bytes: c.bytes, hint: c.hint });
  });
}

beforeAll(() => {
  worker = spawn();
});
afterAll(async () => {
  await worker.terminate();
});

describe('malformed corpus (Node)', () => {
  it('has at least 30 files', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(30);
    expect(corpus.filter((c) => c.expect !== 'any').length).toBeGreaterThanOrEqual(30);
  });

  for (const c of corpus) {
    it(`${c.name} → ${c.expect}`, async () => {
      const r = await decodeBounded(c);
      expect(r, 'finished without hanging or crashing').not.toBe('hang');
      expect(r).not.toBe('crash');
      const reply = r as Reply;
      if (c.expect === 'ok-mismatch') {
        expect(reply.ok, reply.message).toBe(true);
        expect(reply.mismatch).toBe(true);
      } else if (c.expect === 'any') {
        if (!reply.ok) expect(['E_CORRUPT_IMAGE', 'E_UNSUPPORTED_FORMAT', 'E_IMAGE_TOO_LARGE'], reply.message).toContain(reply.code);
      } else {
        expect(reply.ok, 'decoding should fail').toBe(false);
        expect(reply.code, reply.message).toBe(c.expect);
      }
    });
  }
});
