// ESLint flat config. Besides the recommended rules it enforces Unroll's layering:
// blocks/ (pure definitions) ← runtime/ (no React) ← editor/ (React). Imports go one way only,
// so the runtime runs unchanged in Node (the CLI, worker_threads) and in a Web Worker.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** A relative import that climbs out of the current folder into `dir` (any depth: ../, ../../…). */
const upInto = (dirs) => `^(?:\\./)?(?:\\.\\./)+(?:${dirs.join('|')})(?:/|$)`;

/** UI packages the lower layers must not depend on. The trailing /* forms catch subpaths
 *  (react/jsx-runtime, react-dom/client, @xyflow/react/dist/style.css). */
const uiPackages = ['react', 'react/*', 'react-dom', 'react-dom/*', '@xyflow/react', '@xyflow/react/*'];

const blocksMessage =
  'Layering: blocks/ holds pure block definitions read by both runtime/ and editor/; it may import only ' +
  'other blocks/ files. Move the shared code into blocks/ or keep the dependency in runtime/ or editor/.';
const runtimeMessage =
  'Layering: runtime/ must run in Node (CLI, worker_threads) and in Web Workers without React; it may import ' +
  'blocks/ and runtime/ only. Put UI code in editor/ and have it call the runtime.';

export default defineConfig(
  { ignores: ['node_modules/', 'dist/', 'dist-*/', 'test-results/', 'playwright-report/', '.vite/'] },
  js.configs.recommended,
  {
    files: ['**/*.{ts,tsx,mts,cts}'],
    extends: [tseslint.configs.recommended],
    rules: {
      // `_`-prefixed names are deliberately unused (block forward signatures, ignored tuple parts).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' }],
    },
  },
  {
    // Plain JS here is Node code (configs, bin/). TS files need no globals list: typescript-eslint
    // turns off no-undef for them because the compiler already checks names.
    files: ['**/*.{js,mjs,cjs}'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    files: ['blocks/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: upInto(['runtime', 'editor']), message: blocksMessage },
            { group: [...uiPackages, 'immer', 'immer/*', 'comlink', 'comlink/*'], message: blocksMessage },
          ],
        },
      ],
    },
  },
  {
    files: ['runtime/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: upInto(['editor']), message: runtimeMessage },
            { group: uiPackages, message: runtimeMessage },
          ],
        },
      ],
    },
  },
);
