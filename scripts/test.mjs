// `npm test`: type-check, lint (ESLint), format (Prettier), bundle-size budgets, Node tests (vitest), browser tests (web-test-runner in Chromium), and the
// Storybook build. Every step runs even if one fails; the last line totals the tests of all steps.
import { spawn } from 'node:child_process';

const steps = [
  { name: 'typecheck', cmd: 'npx', args: ['tsc', '-b'] },
  { name: 'lint', cmd: 'npx', args: ['eslint', '.'] },
  { name: 'format', cmd: 'npx', args: ['prettier', '--check', '.'] },
  { name: 'size', cmd: 'node', args: ['scripts/size.mjs'] }, // bundle budgets (docs/components.md)
  { name: 'node', cmd: 'npx', args: ['vitest', 'run'] },
  { name: 'browser', cmd: 'node', args: ['scripts/wtr.mjs'] },
  { name: 'storybook', cmd: 'node', args: ['scripts/storybook-check.mjs'] },
];

const strip = (s) => s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
function run({ cmd, args }) {
  return new Promise((resolve) => {
    let out = '';
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    for (const s of [child.stdout, child.stderr]) {
      s.on('data', (d) => {
        out += d;
        (s === child.stdout ? process.stdout : process.stderr).write(d);
      });
    }
    child.on('close', (code) => resolve({ code: code ?? 1, out: strip(out) }));
  });
}

function counts(name, out) {
  if (name === 'node') {
    const m = /Tests\s+(?:(\d+) failed \| )?(\d+) passed/.exec(out);
    return m ? { passed: +m[2], failed: +(m[1] ?? 0) } : undefined;
  }
  const all = [...out.matchAll(/(\d+) passed, (\d+) failed/g)];
  const last = all[all.length - 1];
  return last ? { passed: +last[1], failed: +last[2] } : undefined;
}

let passed = 0;
let failed = 0;
const summary = [];
for (const step of steps) {
  const t0 = Date.now();
  const { code, out } = await run(step);
  const c = counts(step.name, out);
  const secs = ((Date.now() - t0) / 1000).toFixed(0);
  if (c) {
    passed += c.passed;
    failed += c.failed;
  }
  if (code !== 0 && (!c || c.failed === 0)) failed++; // a step that failed without failing a test (e.g. type errors)
  summary.push(`${step.name}: ${code === 0 ? 'ok' : `FAILED (exit ${code})`}${c ? `, ${c.passed} passed, ${c.failed} failed` : ''}, ${secs}s`);
}
console.log('\n' + summary.join('\n'));
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
