import { defineConfig, globalIgnores } from 'eslint/config';
import nextVitals from 'eslint-config-next/core-web-vitals';
import nextTs from 'eslint-config-next/typescript';

export default defineConfig([
  ...nextVitals,
  ...nextTs,
  {
    rules: {
      // A leading underscore names what is there on purpose and unused (a destructured-away field).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' }],
      // The React Compiler is not enabled (next.config.ts); these two rules judge code for its
      // memoisation. Here they flag the hydration-safe clock (the time set after mount, then on a
      // timer) and server components that read the time once per request, both intended.
      'react-hooks/set-state-in-effect': 'off',
      'react-hooks/purity': 'off',
    },
  },
  {
    // JSON from the wire, kubectl and Helm output, fixtures: the dev cluster, the scripts and the
    // tests read shapes they do not own, and check them by asserting, not by typing.
    files: ['devcluster/**', 'scripts/**', 'e2e/**', 'charts/**', '**/*.test.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // No React outside the UI: a function named use* there is not a hook.
    files: ['lib/**', 'devcluster/**', 'scripts/**', 'e2e/**', 'charts/**'],
    rules: { 'react-hooks/rules-of-hooks': 'off' },
  },
  {
    // Programs that run in pods, on the pod's own Node: CommonJS scripts, type-checked by their own
    // tsconfig (lib/pod/programs/node), where `require` is how a script loads a module.
    files: ['lib/pod/programs/node/**/*.js'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  globalIgnores([
    // Generated from lib/pod/programs (npm run pod-programs), checked by its own test.
    'lib/pod/programs.generated.ts',
    // eslint-config-next's own defaults, restated because a globalIgnores replaces them.
    '.next/**',
    'out/**',
    'build/**',
    'next-env.d.ts',
    // Builds for other ports, the dev cluster's state, tools' output: generated, not ours to lint.
    '.next-*/**',
    '.devcluster/**',
    '.cache/**',
    'test-results/**',
    'playwright-report/**',
  ]),
]);
