// Builds Storybook (part of `npm test`) and checks that every element has stories in the build.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const out = '.cache/storybook-static';
const r = spawnSync('node_modules/.bin/storybook', ['build', '-o', out, '--quiet', '--disable-telemetry'], { stdio: 'inherit' });
if (r.status !== 0) process.exit(r.status ?? 1);
const index = JSON.parse(readFileSync(`${out}/index.json`, 'utf8'));
const entries = Object.values(index.entries).filter((e) => e.type === 'story');
let failed = 0;
for (const element of ['label-canvas', 'label-queue', 'label-dashboard']) {
  const n = entries.filter((e) => e.importPath.includes(`/${element}/`)).length;
  console.log(`storybook: ${element}: ${n} stories`);
  if (n < 3) failed++;
}
console.log(`storybook: ${3 - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
