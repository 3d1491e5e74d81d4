import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// docs/ARCHITECTURE.md, "Where the assist loop lives": the assist layer drives a Project through the
// Assistant port. It may import @labelkit/core, its own files and the pure numerics it decides with
// (thresholds, prelabel picking, box calibration, neighbours) — never the engine, onnxruntime (as
// numerics/ort-assign.ts does), comlink or the worker.
const DIR = new URL('.', import.meta.url).pathname;
const ALLOWED = [/^@labelkit\/core$/, /^\.\/[a-z-]+\.js$/, /^\.\.\/numerics\/(?!ort-)[a-z-]+\.js$/];

describe('the assist layer', () => {
  it('imports only core, its own files and the pure numerics', async () => {
    const files = (await readdir(DIR)).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
    expect(files.length).toBeGreaterThan(3);
    const offenders: string[] = [];
    for (const f of files) {
      // Code only: a comment may name what the layer must not import.
      const text = (await readFile(join(DIR, f), 'utf8')).replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
      for (const m of text.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)) if (!ALLOWED.some((re) => re.test(m[1]!))) offenders.push(`${f}: ${m[1]}`);
    }
    expect(offenders).toEqual([]);
  });
});
