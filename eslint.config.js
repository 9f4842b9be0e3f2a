// Lint: typescript-eslint's recommended rules, and the layers of the design as a rule
// (import/no-restricted-paths resolves every import to its file, so a relative path
// cannot slip past it):
//
//   shared/          imports only shared/ (and pure libraries)
//   electron/core/   imports shared/
//   electron/server/ the HTTP listeners: imports core and shared
//   electron/main/   the Electron door, and electron/cli/ (the CLI and the headless agent):
//                    import core, server and shared, never each other
//   renderer/        imports shared/ only; inside it, src/ui/ (shared building blocks) imports no
//                    feature, and src/wait/ (the waiting room, a sibling app) imports neither the
//                    console's features, its ui/ nor its store
//   nothing imports test/, e2e/ or bench/ but tests and benchmarks
import js from '@eslint/js';
import importPlugin from 'eslint-plugin-import';
import tseslint from 'typescript-eslint';

const zone = (target, from, message) => ({ target, from, message });
const everythingBut = (...keep) =>
  ['./shared', './electron/core', './electron/server', './electron/main', './electron/cli', './renderer', './test', './e2e', './bench', './scripts'].filter((d) => !keep.includes(d));

export const layers = [
  zone('./shared', everythingBut('./shared'), 'shared/ is used by the core and the renderer alike: it imports only shared/ and pure libraries.'),
  zone('./electron/core', everythingBut('./electron/core', './shared'), 'The core imports shared/ only: the doors and listeners build on it, never the other way round.'),
  zone('./electron/server', everythingBut('./electron/server', './electron/core', './shared'), 'The HTTP listeners import the core and shared/, never a door.'),
  zone('./electron/main', everythingBut('./electron/main', './electron/server', './electron/core', './shared'), 'The Electron door imports core, server and shared, never another door.'),
  zone('./electron/cli', everythingBut('./electron/cli', './electron/server', './electron/core', './shared'), 'The CLI door imports core, server and shared, never another door.'),
  zone('./renderer', everythingBut('./renderer', './shared'), 'The renderer talks to the core through its transport only: it imports shared/, nothing of electron/.'),
  zone('./renderer/src/ui', ['./renderer/src/features', './renderer/src/wait'], 'renderer/src/ui/ holds the shared building blocks: features build on it, never the other way round.'),
  zone(
    './renderer/src/wait',
    ['./renderer/src/features', './renderer/src/ui', './renderer/src/store.ts', './renderer/src/App.tsx', './renderer/src/transport'],
    'The waiting room is a sibling app: it imports shared/ and its own files, nothing of the console.',
  ),
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', 'release/**', '**/*.d.ts', 'bin/cli-bundle.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    plugins: { import: importPlugin },
    settings: { 'import/resolver': { node: { extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs'] } } },
    languageOptions: { ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      'import/no-restricted-paths': ['error', { zones: layers }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        URL: 'readonly',
        fetch: 'readonly',
        AbortController: 'readonly',
        AbortSignal: 'readonly',
        performance: 'readonly',
        setImmediate: 'readonly',
        TextEncoder: 'readonly',
        TextDecoder: 'readonly',
      },
    },
  },
  {
    // Tests read JSON answers of real servers; typing every one would test the types, not the product.
    files: ['test/**', 'e2e/**', 'bench/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // Playwright's fixture signature: the first argument must be an object pattern, even an empty one.
    files: ['e2e/**'],
    rules: { 'no-empty-pattern': 'off' },
  },
);
