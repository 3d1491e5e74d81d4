import { packageConfig } from '../../scripts/rollup-package.mjs';
import { minifyTemplatesPlugin } from '../../scripts/minify-templates.mjs';

// One output file per source module (dist/ mirrors src/), so the registration code of each element
// stays in its own file — dist/label-queue/label-queue.js, … — and `sideEffects` in package.json can
// name exactly those files. With chunks, Rollup may move a registration into a shared chunk that a
// bundler honouring `sideEffects` would then drop.
// The static text of html`…` and css`…` templates is minified (scripts/minify-templates.mjs): an
// app's bundler minifies our code but leaves template text, indentation and all, as written.
const config = packageConfig(new URL('.', import.meta.url).pathname);
export default {
  ...config,
  input: Object.values(config.input),
  plugins: [minifyTemplatesPlugin(), ...config.plugins],
  output: { ...config.output, preserveModules: true, preserveModulesRoot: 'src', entryFileNames: '[name].js' },
};
