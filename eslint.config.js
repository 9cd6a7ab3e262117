// @ts-check
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'cdk.out/**', 'lake/**', 'coverage/**', 'scratch/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': 'off',
    },
  },
  {
    // The core is pure: no AWS SDK, no filesystem, no process environment.
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['@aws-sdk/*', 'node:fs', 'node:fs/*', 'fs', 'aws-cdk-lib', 'aws-cdk-lib/*'] }],
      'no-restricted-globals': ['error', { name: 'process', message: 'src/core is pure: pass values in through ports or arguments.' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    // src/ never imports infra/.
    files: ['src/**/*.ts'],
    ignores: ['src/cli/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['**/infra/**'] }] },
  },
);
