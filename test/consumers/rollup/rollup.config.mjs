// Rollup's usual browser setup: resolve packages from node_modules with the browser condition.
import { nodeResolve } from '@rollup/plugin-node-resolve';

export default {
  input: ['src/main.js', 'src/host-worker.js'],
  output: { dir: 'dist', format: 'es' },
  plugins: [nodeResolve({ browser: true })],
};
