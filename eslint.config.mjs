// ESLint (flat config): typescript-eslint's recommended rules, Lit and web-component rules for the
// components, and the package boundaries as rules. Run by `npm test` (scripts/test.mjs, step "lint").
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import lit from 'eslint-plugin-lit';
import wc from 'eslint-plugin-wc';

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      '.cache/**',
      '.bench-out/**',
      'test-results/**',
      'examples/*/dist/**',
      'bench/results/**',
      'test/fixtures/**',
      '**/*.d.ts',
      'storybook-static/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: 'module',
      globals: { window: 'readonly', document: 'readonly', globalThis: 'readonly', console: 'readonly', process: 'readonly' },
    },
    rules: {
      // The codebase's own habits, kept deliberate rather than relaxed by accident.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      // No `export *`: every public name is listed where it is exported.
      'no-restricted-syntax': ['error', { selector: 'ExportAllDeclaration', message: 'List the names you export (no `export *`).' }],
      'no-undef': 'off', // TypeScript checks names
      // Sanitizers and parsers match control characters on purpose.
      'no-control-regex': 'off',
      // Flags \`let x = default; try { x = … } catch {}\`, the way this code initialises on purpose.
      'no-useless-assignment': 'off',
      // `a && b()` / `c ? d() : e()` and the comma pairs of the geometry loops are statements here.
      '@typescript-eslint/no-unused-expressions': ['error', { allowShortCircuit: true, allowTernary: true }],
      // Object literals of callbacks that close over their element (`const el = this`).
      '@typescript-eslint/no-this-alias': ['error', { allowedNames: ['el', 'input', 'self'] }],
    },
  },
  {
    // The core is framework-free: no DOM frameworks, no canvas library, no ML runtime, no Azure SDK at its root.
    files: ['packages/core/src/**/*.ts'],
    ignores: ['packages/core/src/azure/**', 'packages/core/src/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                'lit',
                'lit/*',
                '@lit/*',
                'konva',
                'konva/*',
                'onnxruntime-web',
                'onnxruntime-web/*',
                '@labelkit/components',
                '@labelkit/components/*',
                '@labelkit/ml',
                '@labelkit/ml/*',
              ],
              message: 'The core imports no UI, canvas or ML code.',
            },
            { group: ['@azure/*'], message: 'Only @labelkit/core/azure imports the Azure SDK.' },
          ],
        },
      ],
    },
  },
  {
    // Components and ML reach the core by its package name only, never by a relative path into it.
    files: ['packages/components/src/**/*.ts', 'packages/ml/src/**/*.ts', 'packages/react/src/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/core/src/**', '../../core/**'], message: "Import '@labelkit/core' (or a subpath) by package name." }] }],
    },
  },
  {
    files: ['packages/components/src/**/*.ts'],
    ...lit.configs['flat/recommended'],
  },
  {
    files: ['packages/components/src/**/*.ts'],
    ...wc.configs['flat/recommended'],
  },
  {
    // Tests, benchmarks, stories and scripts: looser about any and about requires.
    files: ['**/*.test.ts', '**/*.browser.test.ts', 'test/**', 'bench/**', '**/*.stories.ts', 'scripts/**', 'examples/**', '.storybook/**'],
    // chai's `expect(x).to.be.true` is an expression statement.
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-require-imports': 'off', '@typescript-eslint/no-unused-expressions': 'off' },
  },
);
