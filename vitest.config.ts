import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One temporary directory per run (os.tmpdir() in every worker and child process), removed at the end.
    globalSetup: ['test/helpers/run-temp-dir.ts'],
    setupFiles: ['src/polyfills.ts', 'test/helpers/temp-dirs.setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
