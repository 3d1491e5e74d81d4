// `npm run bench [-- name ...] [-- --quick]`: runs bench/<name>.bench.ts files one after another
// (never in parallel: the machine has 2 cores) with tsx. Each prints its own table with ratios
// against a baseline measured in the same run.
import { readFileSync, readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

// Baselines a benchmark compares with that are not dependencies of the repository, pinned, and
// installed here (without saving to package.json or the lockfile) when a chosen benchmark imports
// them. onnxruntime-node: its install script downloads CUDA libraries from NuGet on Linux x64, so
// plain `npm install` must not meet it; its CPU build is in the npm package and needs no download.
const ON_DEMAND = { 'onnxruntime-node': '1.30.0' };
const require = createRequire(new URL('../package.json', import.meta.url));
function installed(name, version) {
  try {
    return JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')).version === version;
  } catch {
    return false;
  }
}
function ensureBaselines(files) {
  const wanted = Object.entries(ON_DEMAND).filter(([name]) => files.some((f) => readFileSync(new URL(`../bench/${f}`, import.meta.url), 'utf8').includes(`'${name}'`)));
  const missing = wanted.filter(([name, version]) => !installed(name, version)).map(([name, version]) => `${name}@${version}`);
  if (!missing.length) return;
  console.log(`Installing the benchmark baselines ${missing.join(', ')} (npm install --no-save) …`);
  const r = spawnSync('npm', ['install', '--no-save', '--no-audit', '--no-fund', ...missing], {
    stdio: 'inherit',
    env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip' },
  });
  if (r.status !== 0) {
    console.error(`Could not install ${missing.join(', ')}; the benchmarks that compare with them cannot run.`);
    process.exit(1);
  }
}

// `npm run bench -- [names…] [--option value | --flag]…`: the names come first; everything from the
// first `--` on goes to each benchmark as given (values included: `--seeds 5`).
const args = process.argv.slice(2);
const firstOption = args.findIndex((a) => a.startsWith('--'));
const names = firstOption < 0 ? args : args.slice(0, firstOption);
const flags = firstOption < 0 ? [] : args.slice(firstOption);
const all = readdirSync(new URL('../bench/', import.meta.url))
  .filter((f) => f.endsWith('.bench.ts'))
  .sort();
// A name picks its own benchmark (`assist` is assist.bench.ts, not also assist-boxes); a prefix
// that names none picks every benchmark it starts.
const pick = (n) => (all.includes(`${n}.bench.ts`) ? [`${n}.bench.ts`] : all.filter((f) => f.startsWith(n)));
const chosen = names.length ? all.filter((f) => names.some((n) => pick(n).includes(f))) : all;
if (!chosen.length) {
  console.error(`No benchmark matches ${names.join(', ')}. Available: ${all.join(', ')}`);
  process.exit(1);
}
ensureBaselines(chosen);
let failed = 0;
for (const file of chosen) {
  console.log(`\n=== ${file} ===`);
  const r = spawnSync('npx', ['tsx', '--conditions=source', `bench/${file}`, ...flags], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
