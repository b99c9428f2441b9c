// ESLint (flat config): typescript-eslint's recommended rules, no import cycles, and the
// layer rules that keep the server's modules and the web app apart. `npm run lint` runs it
// after tsc's unused checks; test/unit/lint-rules.test.ts proves that a cycle or a layer
// breach fails it, by running the ESLint CLI on a small tree laid out like this repo.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

/** Contract files that hold plain values only; the web app may import values from these. */
const PLAIN_CONTRACT_FILES = ['kinds', 'close-codes', 'limits', 'version'];

/** Domain modules below the HTTP edge: none of them may import server/http/. */
const BELOW_HTTP = ['agent', 'auth', 'coach', 'db', 'llm', 'observability', 'plan', 'runs', 'session'];

/** The config for a tree rooted at `root` (the repo, or a test's fixture tree). */
export function lintConfig(root) {
  return defineConfig(
    {
      ignores: ['node_modules/**', 'dist/**', 'data/**', 'server/db/generated/**', 'bench/tmp/**', 'bench/node_modules/**', 'test-results/**'],
    },
    js.configs.recommended,
    tseslint.configs.recommended,
    {
      files: ['**/*.{ts,tsx,js,mjs}'],
      plugins: { 'import-x': importX },
      settings: {
        // Without these, import-x skips .ts files when it follows imports, and no-cycle sees nothing.
        'import-x/extensions': ['.ts', '.tsx', '.js', '.mjs'],
        'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.tsx'] },
        'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.tsx', '.js', '.mjs'] })],
      },
      rules: {
        // tsc checks names already (and knows DOM and Node globals); this rule only misfires on types.
        'no-undef': 'off',
        // `npm run lint` keeps tsc's --noUnusedLocals/--noUnusedParameters; one check is enough.
        '@typescript-eslint/no-unused-vars': 'off',
        // `let x; … () => x …; x = new X(() => …)`: a closure may read it before its one assignment.
        'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
        'import-x/no-cycle': ['error', { ignoreExternal: true }],
        'import-x/no-self-import': 'error',
        'import-x/no-restricted-paths': [
          'error',
          {
            basePath: root,
            zones: [
              ...BELOW_HTTP.map((dir) => ({
                target: `./server/${dir}`,
                from: './server/http',
                message: `server/${dir}/ is below the HTTP edge: pass what it needs in, do not import server/http/.`,
              })),
              {
                target: './server/session',
                from: ['./server/coach', './server/plan', './server/llm', './server/ds', './server/auth', './server/agent'],
                message: 'server/session/ is the durable log: it knows nothing of the coach, plans, models, Durable Streams or accounts.',
              },
              {
                // The runner depends on the log, not the other way round. Exempt until the `core`
                // work lands: session-service.ts still imports RunManager (the session <-> runs
                // cycle of issue 13, type-only today, so import-x/no-cycle does not see it).
                target: './server/session/**/!(session-service).ts',
                from: './server/runs',
                message: 'server/session/ may not import server/runs/: the runner uses the log, the log does not know the runner.',
              },
              {
                target: ['./server/db', './server/llm'],
                from: './server',
                except: ['./db', './llm', './config.ts'],
                message: 'server/db/ and server/llm/ are leaves: they import only themselves and config.ts.',
              },
              {
                target: './server',
                from: ['./server/app.ts', './server/main.ts'],
                message: 'Only server/main.ts may import server/app.ts, and nothing imports main.ts.',
              },
              {
                target: './server',
                from: './web',
                message: 'The server does not import the web app.',
              },
            ],
          },
        ],
      },
    },
    {
      // The web app bundles these: they must stay free of imports (no schema library, no server code).
      files: PLAIN_CONTRACT_FILES.map((f) => `server/contract/${f}.ts`),
      rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['*'], message: 'server/contract/ plain-value files import nothing: the web app bundles them.' }] }] },
    },
    {
      // main.ts is the composition root: the one file allowed to import app.ts.
      files: ['server/main.ts'],
      rules: { 'import-x/no-restricted-paths': 'off' },
    },
    {
      // Tests and benchmarks read JSON answers off the wire; `any` is their honest type for that.
      files: ['test/**', 'bench/**'],
      rules: { '@typescript-eslint/no-explicit-any': 'off' },
    },
    {
      files: ['web/src/**/*.{ts,tsx}'],
      rules: {
        '@typescript-eslint/no-restricted-imports': [
          'error',
          {
            patterns: [
              {
                regex: '(^|/)server/(?!contract/|plan/types\\.ts$)',
                message: 'The web app imports nothing from server/ but types from server/contract/.',
              },
              {
                // server/plan/types.ts: WeekPlan and TimeBlock, until the `contract` work moves them into server/contract/.
                // The contract's plain-value files (names, close codes, limits, version) import
                // nothing, so the web app may import their values; everything else is type-only.
                group: ['**/server/contract/**', ...PLAIN_CONTRACT_FILES.map((f) => `!**/server/contract/${f}.ts`), '**/server/plan/types.ts'],
                allowTypeImports: true,
                message: 'Only `import type` from server/contract/ (values only from its plain-value files): the browser bundle must not pull in server code.',
              },
            ],
          },
        ],
      },
    },
  );
}

export default lintConfig(import.meta.dirname);
