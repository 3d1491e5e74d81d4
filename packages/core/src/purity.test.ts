import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// DESIGN.md: core knows nothing of Lit, Konva or onnxruntime and touches no DOM at import time.
const SRC = new URL('.', import.meta.url).pathname;
const FORBIDDEN = /from\s+['"](lit|lit\/.*|@lit\/.*|konva(\/.*)?|onnxruntime-[a-z]+(\/.*)?|@labelkit\/(components|ml))['"]/;

async function sources(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await sources(p)));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

describe('core stays framework-free', () => {
  it('imports no UI or ML library', async () => {
    const offenders: string[] = [];
    for (const f of await sources(SRC)) if (FORBIDDEN.test(await readFile(f, 'utf8'))) offenders.push(f);
    expect(offenders).toEqual([]);
  });

  it('its entry points import in plain Node with no DOM globals', async () => {
    for (const g of ['window', 'document', 'HTMLElement', 'navigator.gpu']) expect(g.includes('.') || !(g in globalThis)).toBe(true);
    const core = await import('@labelkit/core');
    expect(typeof core.ProjectRegistry).toBe('function');
    const node = await import('@labelkit/core/node');
    expect(typeof node.FsStore).toBe('function');
  });
});
