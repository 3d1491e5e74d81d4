// Server-side import safety: importing the packages in plain Node — no DOM, as Next.js or a server
// render does — must not throw. The BUILT entries are imported (dist/, through each package's
// `exports` default condition, in a child `node` without the `source` condition vitest uses), the
// way an app's server bundle or Node itself loads them. A package whose dist/ is missing or older
// than its sources is built first (rollup only; `npm run build` builds everything).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const PACKAGES = ['core', 'components', 'react'];
const ENTRIES = [
  '@labelkit/core',
  '@labelkit/core/export',
  '@labelkit/core/task-hint',
  '@labelkit/components',
  '@labelkit/components/label-queue',
  '@labelkit/components/label-dashboard',
  '@labelkit/components/label-canvas',
  '@labelkit/components/project-controller',
  '@labelkit/components/markdown',
  '@labelkit/components/first-look',
  '@labelkit/react',
];

function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : /\.test\.tsx?$|\.stories\.ts$/.test(e.name) ? 0 : statSync(p).mtimeMs);
  }
  return t;
}

beforeAll(() => {
  for (const pkg of PACKAGES) {
    const dir = join(root, 'packages', pkg);
    const built = join(dir, 'dist/index.js');
    if (existsSync(built) && statSync(built).mtimeMs >= newest(join(dir, 'src'))) continue;
    const r = spawnSync('npx', ['rollup', '-c', '--silent'], { cwd: dir, encoding: 'utf8' });
    expect(r.status, `building ${pkg}: ${r.stderr}`).toBe(0);
  }
}, 180_000);

it('imports every entry in plain Node without a DOM', () => {
  const script = `
    const results = {};
    for (const name of ${JSON.stringify(ENTRIES)}) {
      try {
        const m = await import(name);
        results[name] = { ok: true, exports: Object.keys(m).length, url: import.meta.resolve(name) };
      } catch (err) {
        results[name] = { ok: false, error: String(err && err.stack || err).split('\\n').slice(0, 3).join(' | ') };
      }
    }
    results.dom = { window: typeof window, document: typeof document };
    console.log(JSON.stringify(results));
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  const results = JSON.parse(r.stdout.trim().split('\n').pop()!);
  expect(results.dom).toEqual({ window: 'undefined', document: 'undefined' });
  for (const name of ENTRIES) {
    expect(results[name], name).toMatchObject({ ok: true });
    expect(results[name].url, `${name} resolves to a built file`).toMatch(/\/dist\/.*\.js$/);
    expect(results[name].exports, `${name} exports something`).toBeGreaterThan(0);
  }
});
