// examples/azure, the demo against Azurite: its own script starts Azurite, seeds the container,
// builds and serves the page; `--check` drives two labelers in Chromium and verifies the COCO export
// it wrote to Labeling/export/coco/ in the container.
import { expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

it.skipIf(!existsSync(CHROMIUM))(
  'the Azure example runs end to end against Azurite (npm run -w examples/azure check)',
  () => {
    const r = spawnSync(process.execPath, ['examples/azure/scripts/start.mjs', '--check'], { cwd: root, encoding: 'utf8', timeout: 240_000 });
    const last = r.stdout.trim().split('\n').pop() ?? '';
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    const result = JSON.parse(last);
    expect(result).toMatchObject({ ok: true, labeled: [6, 6], images: 12, annotations: 12, errors: [], unreadable: [] });
    expect(result.export).toMatch(/^Labeling\/export\/coco\/Colours_\d{8}_\d{6}\.json$/);
  },
  300_000,
);
