import { packageConfig } from '../../scripts/rollup-package.mjs';

// One output file per source module, so a bundler drops the wrappers (and element registrations)
// an app does not import: this package is `"sideEffects": false`.
const config = packageConfig(new URL('.', import.meta.url).pathname);
export default {
  ...config,
  input: Object.values(config.input),
  output: { ...config.output, preserveModules: true, preserveModulesRoot: 'src', entryFileNames: '[name].js' },
};
