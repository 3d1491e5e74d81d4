// Storybook 10 for the web components (Vite builder). Build with `node_modules/.bin/storybook build`
// (npm run build-storybook). Workspace packages resolve to their TypeScript sources through the
// `source` export condition, like the tests and the benchmarks.
import { fileURLToPath } from 'node:url';
import type { StorybookConfig } from '@storybook/web-components-vite';
import { defaultClientConditions, mergeConfig } from 'vite';

// test/fixtures holds the real DICOM, TIFF and COCO files the stories show (served at /fixtures).
const fixtures = fileURLToPath(new URL('../test/fixtures', import.meta.url));

const config: StorybookConfig = {
  stories: ['../packages/*/src/**/*.stories.ts'],
  framework: { name: '@storybook/web-components-vite', options: {} },
  core: { disableTelemetry: true, disableWhatsNewNotifications: true },
  staticDirs: [{ from: fixtures, to: '/fixtures' }],
  viteFinal: (config) =>
    mergeConfig(config, {
      resolve: { conditions: ['source', ...defaultClientConditions] },
      build: { chunkSizeWarningLimit: 2000 },
    }),
};
export default config;
