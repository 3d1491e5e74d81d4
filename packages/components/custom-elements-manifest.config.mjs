// Generates custom-elements.json (the manifest Storybook and editors read) from the JSDoc of every
// element: @summary, @fires, @csspart, @cssprop, @slot. Run by `npm run build` in this package.
import { existsSync } from 'node:fs';
import { posix } from 'node:path';

/**
 * A module reference as a path from the package root to a file the tarball ships: the analyzer
 * writes re-exports as their import specifiers (`./events.js`, relative to the re-exporting module)
 * and superclasses as `/src/….js`, neither of which exists; the sources it read are `src/….ts`.
 */
function shippedPath(ref, from) {
  let p = ref.startsWith('.') ? posix.join(posix.dirname(from), ref) : ref.replace(/^\//, '');
  if (p.endsWith('.js') && existsSync(new URL(p.replace(/\.js$/, '.ts'), import.meta.url))) p = p.replace(/\.js$/, '.ts');
  return p;
}
function fixModuleRefs(node, from) {
  if (Array.isArray(node)) for (const x of node) fixModuleRefs(x, from);
  else if (node && typeof node === 'object') {
    // References to npm packages ({ package: 'lit', … }) stay as they are.
    if (typeof node.module === 'string' && !node.package) node.module = shippedPath(node.module, from);
    for (const value of Object.values(node)) fixModuleRefs(value, from);
  }
}

export default {
  globs: ['src/**/*.ts'],
  exclude: ['src/**/*.test.ts', 'src/**/*.stories.ts', 'src/**/*.harness.ts'],
  outdir: '.',
  litelement: true,
  packagejson: false,
  plugins: [
    {
      // Private members (Lit state, handlers) are implementation, not API: keep them out.
      name: 'labelkit-public-only',
      packageLinkPhase({ customElementsManifest }) {
        for (const mod of customElementsManifest.modules ?? []) {
          for (const decl of mod.declarations ?? []) {
            // (a field the analyzer could not name — a destructuring assignment — is not API either)
            if (decl.members) decl.members = decl.members.filter((m) => m.name && m.privacy !== 'private' && m.privacy !== 'protected' && !m.name.startsWith('_'));
          }
        }
      },
    },
    {
      // Every module reference names a file in the tarball (src/….ts; package.json ships src/).
      name: 'labelkit-shipped-module-paths',
      packageLinkPhase({ customElementsManifest }) {
        for (const mod of customElementsManifest.modules ?? []) fixModuleRefs(mod, mod.path);
      },
    },
  ],
};
