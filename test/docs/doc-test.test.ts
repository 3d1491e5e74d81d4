// Docs that run: every TypeScript code block in README.md, docs/*.md and packages/*/README.md is
// type-checked under strict TypeScript (the repository's tsconfig.base.json: strict, ES2022 modules,
// bundler resolution, DOM and Node types), and the blocks marked `run` are executed in Node.
//
// Info strings:  ```ts            compiled
//                ```ts run        compiled, then run with tsx in an empty folder (with an empty
//                                 `images/` in it), twice — a snippet must be rerunnable
//                ```ts fragment   skipped (an excerpt that does not stand on its own)
//                (```tsx the same; ```js, ```html, ```sh … are not TypeScript and are not checked)
// A block may need names it does not define (`project`, `signal`…): an HTML comment right before the
// fence, `<!-- doc-test: declare const project: Project; -->`, is prepended to it (invisible when the
// markdown is rendered, next to the block when it is edited). Packages resolve to their TypeScript
// sources (the `source` condition), so no build is needed.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import { markdownBlocks } from './blocks.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const out = join(root, '.cache/doc-test');

interface Block {
  doc: string;
  line: number;
  lang: 'ts' | 'tsx';
  run: boolean;
  code: string;
  file: string;
}

function docs(): string[] {
  const list = ['README.md'];
  for (const f of readdirSync(join(root, 'docs')).sort()) if (f.endsWith('.md')) list.push(`docs/${f}`);
  for (const p of readdirSync(join(root, 'packages')).sort()) {
    try {
      readFileSync(join(root, 'packages', p, 'README.md'));
      list.push(`packages/${p}/README.md`);
    } catch {
      // no README
    }
  }
  return list;
}

/** The TypeScript blocks of one markdown file (not fragments), with their preludes. */
function extractBlocks(doc: string, text: string): Omit<Block, 'file'>[] {
  return markdownBlocks(text)
    .filter((b) => ['ts', 'tsx', 'typescript'].includes(b.lang) && !b.words.includes('fragment'))
    .map((b) => ({ doc, line: b.line, lang: b.lang === 'tsx' ? 'tsx' : 'ts', run: b.words.includes('run'), code: b.prelude + b.body + '\nexport {};\n' }));
}

const blocks: Block[] = [];
for (const doc of docs()) {
  for (const b of extractBlocks(doc, readFileSync(join(root, doc), 'utf8'))) {
    const file = `${doc.replace(/[^\w]+/g, '_')}_L${b.line}.${b.lang}`;
    blocks.push({ ...b, file });
  }
}

const errors = new Map<string, string[]>();
beforeAll(() => {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  for (const b of blocks) writeFileSync(join(out, b.file), b.code);
  writeFileSync(
    join(out, 'tsconfig.json'),
    JSON.stringify({
      extends: '../../tsconfig.base.json',
      compilerOptions: {
        composite: false,
        declaration: false,
        declarationMap: false,
        emitDeclarationOnly: false,
        noEmit: true,
        customConditions: ['source'],
        jsx: 'react-jsx',
        types: ['node', 'react'],
      },
      files: blocks.map((b) => b.file),
    }),
  );
  // One program for all blocks; syntactic and semantic messages per block (tsc alone would stop at
  // the first syntax error anywhere).
  const config = ts.getParsedCommandLineOfConfigFile(
    join(out, 'tsconfig.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    },
  )!;
  const program = ts.createProgram(config.fileNames, config.options);
  const global = [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics()].map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  for (const b of blocks) {
    const sf = program.getSourceFile(join(out, b.file))!;
    const ds = [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)];
    errors.set(b.file, [
      ...global,
      ...ds.map((d) => {
        const { line, character } = sf.getLineAndCharacterOfPosition(d.start ?? 0);
        return `${b.doc} (block at line ${b.line}), line ${line + 1}:${character + 1} of ${relative(root, sf.fileName)}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
      }),
    ]);
  }
}, 180_000);

describe('docs that run', () => {
  it('finds the blocks', () => {
    expect(blocks.length).toBeGreaterThan(5);
    expect(blocks.filter((b) => b.run).length).toBeGreaterThan(0);
  });

  for (const b of blocks) {
    it(`${b.doc}:${b.line} compiles under strict TypeScript`, () => {
      expect(errors.get(b.file)).toEqual([]);
    });
  }

  for (const b of blocks.filter((x) => x.run)) {
    it(`${b.doc}:${b.line} runs in Node, twice, in an empty folder`, { timeout: 120_000 }, () => {
      const cwd = mkdtempSync(join(tmpdir(), 'labelkit-doc-'));
      try {
        mkdirSync(join(cwd, 'images'));
        for (const attempt of [1, 2]) {
          const r = spawnSync(process.execPath, [join(root, 'node_modules/tsx/dist/cli.mjs'), '--conditions=source', '--tsconfig', join(out, 'tsconfig.json'), join(out, b.file)], {
            cwd,
            encoding: 'utf8',
            timeout: 60_000,
          });
          expect(r.status, `run ${attempt}: ${r.stderr}`).toBe(0);
        }
      } finally {
        rmSync(cwd, { recursive: true, force: true });
      }
    });
  }
});
