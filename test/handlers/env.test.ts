import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { configFromEnv, requireEnv } from '../../src/handlers/env.js';

const ROOT = new URL('../..', import.meta.url).pathname;

describe('handler environment', () => {
  it('names a missing variable', () => {
    expect(() => requireEnv('RAW_BUCKET', {})).toThrow('Environment variable RAW_BUCKET is required');
    expect(() => configFromEnv({})).toThrow('Environment variable PIPELINE_CONFIG is required');
    expect(() => configFromEnv({ PIPELINE_CONFIG: '{"source":{}}' })).toThrow(/Invalid PIPELINE_CONFIG:\n {2}- source\.name: is required/);
  });

  it('fails the cold start of a handler with the missing variable named', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', '-e', "import('./src/handlers/transform.ts')"], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, AWS_REGION: 'us-east-1', PIPELINE_CONFIG: JSON.stringify({ source: { name: 'w', url: 'https://x.example/a', auth: { in: 'none' } }, table: 't', schedule: 'rate(1 hour)' }) },
      encoding: 'utf8',
    });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('Environment variable RAW_BUCKET is required');
  });
});
