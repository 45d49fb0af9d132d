// ESLint (flat config): `npm run lint`, run by `npm test` and .ci/run.
// The rule set is ESLint's and typescript-eslint's recommended sets: they catch real defects
// (unused values, unreachable code, wrong comparisons, shadowed globals). Formatting is Prettier's
// job (.prettierrc.json), so no style rules here. What is relaxed, and why, is noted per rule.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    // system.js and pbkdf2.js bind C natives with Moddable's `function f() @ "xs_name";` syntax: not JavaScript.
    ignores: [
      '**/node_modules/',
      'hosttests/artifacts/',
      'hosttests/vectors/',
      'dist/',
      'build/',
      'coverage/',
      'firmware/moddable/system/system.js',
      'firmware/moddable/pbkdf2/pbkdf2.js',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      // `catch {}` and `() => {}` placeholders say "nothing to do" on purpose; a comment inside is
      // still encouraged but an empty block is not a defect.
      'no-empty': ['error', { allowEmptyCatch: true }],
      '@typescript-eslint/no-empty-function': 'off',
      // Unused names are defects, except the ones marked unused on purpose (a leading _), and
      // rest siblings used to drop fields from a copy.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
      // Tests and protocol code read untyped JSON (API answers, vector sidecars): `any` there is
      // honest; the pure code is held to `strict` by its own tsconfig.
      '@typescript-eslint/no-explicit-any': 'off',
      // Control characters in regular expressions are how the P1 text and hex parsers say what
      // they strip; they are meant.
      'no-control-regex': 'off',
      // Style, not a defect; and it flags the declare-then-assign-once pattern that breaks a
      // construction cycle (start-host.ts: the publisher needs the server, the app the publisher).
      'prefer-const': 'off',
    },
  },
  {
    // Tests: lazy require() after a mock or a binary check, comma-expression set-ups, state kept
    // from every step of a scenario though the last one is not read, callback signatures written out.
    files: ['hosttests/**'],
    // Their eslint-disable comments name the rules relaxed here (or older rule names): harmless.
    linterOptions: { reportUnusedDisableDirectives: 'off' },
    rules: {
      '@typescript-eslint/no-require-imports': 'off',
      '@typescript-eslint/no-unused-expressions': 'off',
      'no-useless-assignment': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { args: 'none', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
    },
  },
  {
    // Node: the host adapters, tools, tests and build scripts.
    files: ['firmware/host/**', 'tools/**', 'hosttests/**', '**/*.mjs', '**/*.cjs', 'firmware/moddable/assets/**', 'firmware/moddable/sim/**'],
    languageOptions: { globals: { ...globals.node, ...globals.jest } },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // The page: plain scripts sharing the `mb` helper object from common.js.
    files: ['firmware/web/**/*.js'],
    ignores: ['firmware/web/common.js'],
    languageOptions: { sourceType: 'script', globals: { ...globals.browser, mb: 'readonly' } },
  },
  {
    files: ['firmware/web/common.js'],
    languageOptions: { sourceType: 'script', globals: globals.browser },
  },
  {
    // Moddable modules run under XS on the device: the SDK's globals.
    files: ['firmware/moddable/**/*.js', 'firmware/moddable/**/*.ts'],
    languageOptions: { globals: { trace: 'readonly', Host: 'readonly', harden: 'readonly', Native: 'readonly', native: 'readonly' } },
  },
);
