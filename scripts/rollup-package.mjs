// One rollup config for every package: ESM out, TypeScript through esbuild, every dependency external.
// Declarations come from `tsc -b` (dist/types), which the `types` condition of each exports map names.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import esbuild from 'rollup-plugin-esbuild';
import { nodeResolve } from '@rollup/plugin-node-resolve';

export function packageConfig(dir) {
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const external = [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {}), ...Object.keys(pkg.optionalDependencies ?? {})];
  const input = {};
  for (const [key, value] of Object.entries(pkg.exports)) {
    if (typeof value !== 'object' || !value.source) continue;
    const name = key === '.' ? 'index' : key.replace(/^\.\//, '');
    input[name] = join(dir, value.source);
  }
  return {
    input,
    external: (id) => id.startsWith('node:') || external.some((e) => id === e || id.startsWith(e + '/')),
    plugins: [nodeResolve({ extensions: ['.ts', '.js'] }), esbuild({ target: 'es2022', tsconfig: join(dir, 'tsconfig.json') })],
    output: {
      dir: join(dir, 'dist'),
      format: 'es',
      entryFileNames: '[name].js',
      chunkFileNames: 'chunks/[name]-[hash].js',
      sourcemap: true,
    },
  };
}
