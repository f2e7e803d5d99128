// ESLint flat config: TypeScript and Svelte, plus the import boundaries between processes.
import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import ts from 'typescript-eslint';

const noElectron = {
  name: 'electron',
  message: 'Only src/main and src/preload may import Electron: the engine, protocol and renderer run without it.',
};

export default ts.config(
  { ignores: ['out/', 'dist/', 'node_modules/', 'test-results/', 'playwright-report/', 'runs/', 'scratch/', '.cache/'] },
  js.configs.recommended,
  ...ts.configs.recommended,
  ...svelte.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: {
      globals: { ...globals.browser },
      parserOptions: { parser: ts.parser, extraFileExtensions: ['.svelte'] },
    },
    rules: {
      // Plain Maps/Sets are used on purpose for non-reactive caches and lookups; reactive state
      // lives in $state / $state.raw fields of the *.svelte.ts classes.
      'svelte/prefer-svelte-reactivity': 'off',
    },
  },
  {
    // Tests poke at internals and parse loosely typed fixtures.
    files: ['tests/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['src/renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': ['error', { paths: [noElectron], patterns: [{ group: ['node:*'], message: 'The renderer is sandboxed: no Node modules.' }] }],
    },
  },
  {
    files: ['src/engine/**'],
    rules: { 'no-restricted-imports': ['error', { paths: [noElectron], patterns: [{ group: ['electron/*'], message: noElectron.message }] }] },
  },
  {
    // The protocol imports from no other folder of the project, and runs in every process.
    files: ['src/protocol/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [noElectron],
          patterns: [
            { group: ['**/engine/**', '**/main/**', '**/renderer/**', '**/preload/**', '**/cli/**', '../../*'], message: 'src/protocol imports from no other folder.' },
            { group: ['node:*'], message: 'src/protocol runs in the renderer too: no Node modules.' },
          ],
        },
      ],
    },
  },
);
