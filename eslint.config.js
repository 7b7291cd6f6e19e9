import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import layers from './eslint/layers.js';

/** Where the layer rule applies: every room of eslint/layers.js (the `.vue` files are checked by a test). */
export const LAYERED_FILES = ['src-main/**/*.ts', 'src-renderer/**/*.ts'];

export default tseslint.config(
  {
    ignores: [
      '**/*.vue',
      'out/**',
      'node_modules/**',
      'dist/**',
      'test-results/**',
      'bin/**',
      'eslint.config.js',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
    },
  },
  // The local plugin is plain JavaScript outside every tsconfig: lint it without type information.
  { files: ['eslint/**/*.js'], extends: [tseslint.configs.disableTypeChecked] },
  // One-off Node scripts (scripts/*.mjs) run outside the project's dependencies: lint them the same way.
  {
    files: ['scripts/**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', structuredClone: 'readonly' },
    },
  },
  // One direction of dependency (docs/architecture.md): a wrong-way import fails the lint.
  { files: LAYERED_FILES, plugins: { layers }, rules: { 'layers/no-upward-import': 'error' } },
);
