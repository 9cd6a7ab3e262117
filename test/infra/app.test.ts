import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../..', import.meta.url).pathname;

describe('cdk synth with a bad config', () => {
  it('fails with every problem and its path, exit 1', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'bin/app.ts'], {
      cwd: ROOT,
      env: { ...process.env, API_LAKE_CONFIG: 'test/fixtures/bad.config.json' },
      encoding: 'utf8',
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('Invalid test/fixtures/bad.config.json:');
    expect(result.stderr).toContain('  - source.url: must be an https URL');
    expect(result.stderr).toContain('  - table: is required');
  });
});
