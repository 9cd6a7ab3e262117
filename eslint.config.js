// @ts-check
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import tseslint from 'typescript-eslint';

/**
 * The import directions of docs/architecture.md. Each layer names what it may not import; a pattern with
 * a message says why. Patterns are gitignore-style: `!` re-allows.
 */
const outside = (module, message) => ({ group: ['../*', '../../*'], message: `${module} is self-contained: ${message}` });
const layer = (files, patterns) => ({ files, rules: { 'no-restricted-imports': ['error', { patterns }] } });
const ENGINES_BY_ENTRY = {
  group: ['**/parquet/*', '!**/parquet/index.js', '**/json-columns/*', '!**/json-columns/index.js'],
  message: 'Use an engine through its index.js only.',
};
const NOT_INFRA = { group: ['**/infra/**'], message: 'src/ never imports infra/: share what both need through src/contract.' };
const NOT_CLI = { group: ['**/cli/**'], message: 'Only the CLI imports the CLI.' };
const NOT_HANDLERS = { group: ['**/handlers/**'], message: 'Handlers are entry points: nothing imports them.' };
const NOT_ADAPTERS = { group: ['**/adapters/**'], message: 'The core reaches adapters through its ports (ports.ts).' };
const NOT_DEMO = { group: ['**/demo/**'], message: 'The demo API is a tool of the CLI and the tests.' };

export default tseslint.config(
  { ignores: ['node_modules/**', 'cdk.out/**', 'lake/**', 'coverage/**', 'scratch/**'] },
  ...tseslint.configs.recommended,
  {
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createTypeScriptImportResolver()],
      'import-x/extensions': ['.ts', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // No module may reach itself through others: the layers above are a one-way street.
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
    },
  },
  // The engines import nothing of the pipeline (the pipeline imports them).
  layer(['src/parquet/**/*.ts'], [outside('src/parquet', 'a Parquet writer that knows nothing of the pipeline.')]),
  layer(['src/json-columns/**/*.ts'], [outside('src/json-columns', 'a JSON reader that knows nothing of the pipeline.')]),
  layer(['src/contract/**/*.ts'], [outside('src/contract', 'what infra/ and src/ share, depending on neither.')]),
  // The core is pure pipeline logic: no I/O, no AWS SDK, no CDK, no process environment.
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ENGINES_BY_ENTRY,
            NOT_INFRA,
            NOT_CLI,
            NOT_HANDLERS,
            NOT_ADAPTERS,
            NOT_DEMO,
            { group: ['@aws-sdk/*', 'node:fs', 'node:fs/*', 'fs', 'node:http', 'node:https', 'aws-cdk-lib', 'aws-cdk-lib/*'], message: 'src/core does no I/O: pass values in through ports or arguments.' },
          ],
        },
      ],
      'no-restricted-globals': ['error', { name: 'process', message: 'src/core is pure: pass values in through ports or arguments.' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  layer(['src/adapters/**/*.ts'], [ENGINES_BY_ENTRY, NOT_INFRA, NOT_CLI, NOT_HANDLERS, NOT_DEMO]),
  layer(['src/handlers/**/*.ts'], [ENGINES_BY_ENTRY, NOT_INFRA, NOT_CLI, NOT_DEMO]),
  layer(['src/demo/**/*.ts'], [ENGINES_BY_ENTRY, NOT_INFRA, NOT_CLI, NOT_HANDLERS, NOT_ADAPTERS]),
  layer(['src/cli/**/*.ts'], [ENGINES_BY_ENTRY, NOT_INFRA, NOT_HANDLERS]),
  // The CDK app uses the core's config and layout and the contract; never the runtime's adapters or the CLI.
  layer(['infra/**/*.ts', 'bin/app.ts'], [ENGINES_BY_ENTRY, NOT_CLI, NOT_HANDLERS, NOT_DEMO, { group: ['**/src/adapters/**', '!**/src/adapters/config-file.js'], message: 'infra/ builds the stack; the adapters run in it.' }]),
);
