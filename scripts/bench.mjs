// `npm run bench [-- name ...] [-- --quick]`: runs bench/<name>.bench.ts files one after another
// (never in parallel: the machine has 2 cores) with tsx. Each prints its own table with ratios
// against a baseline measured in the same run.
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
const flags = args.filter((a) => a.startsWith('--'));
const names = args.filter((a) => !a.startsWith('--'));
const all = readdirSync(new URL('../bench/', import.meta.url)).filter((f) => f.endsWith('.bench.ts')).sort();
const chosen = names.length ? all.filter((f) => names.some((n) => f.startsWith(n))) : all;
if (!chosen.length) {
  console.error(`No benchmark matches ${names.join(', ')}. Available: ${all.join(', ')}`);
  process.exit(1);
}
let failed = 0;
for (const file of chosen) {
  console.log(`\n=== ${file} ===`);
  const r = spawnSync('npx', ['tsx', '--conditions=source', `bench/${file}`, ...flags], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
