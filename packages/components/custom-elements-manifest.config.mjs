// Generates custom-elements.json (the manifest Storybook and editors read) from the JSDoc of every
// element: @summary, @fires, @csspart, @cssprop, @slot. Run by `npm run build` in this package.
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
            if (decl.members) decl.members = decl.members.filter((m) => m.privacy !== 'private' && m.privacy !== 'protected' && !m.name.startsWith('_'));
          }
        }
      },
    },
  ],
};
