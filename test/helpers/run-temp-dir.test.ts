import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { setup } from './run-temp-dir.js';
import { removeTempDirs, tempDir } from './temp-dirs.js';

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe('the test run temporary directory', () => {
  it('is os.tmpdir() in every worker and in the processes a test starts', () => {
    // Prepare / Act
    const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(require("node:os").tmpdir())'], { encoding: 'utf8' });

    // Assess
    expect(basename(tmpdir())).toMatch(/^api-lake-vitest-\d+-/);
    expect(child.stdout).toBe(tmpdir());
  });

  it('is removed at teardown, and on CI an entry of ours left outside it fails the run', () => {
    // Prepare: this run's directory stands in for the system's.
    const system = tmpdir();
    const exitCode = process.exitCode;
    vi.stubEnv('CI', 'true');
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const teardown = setup();
    const runDir = tmpdir();
    mkdirSync(join(runDir, 'cdk.out-inside'));
    const escaped = mkdtempSync(join(system, 'api-lake-escaped-'));

    // Act
    teardown();
    const failed = process.exitCode;
    process.exitCode = exitCode;

    // Assess
    expect(tmpdir()).toBe(system);
    expect(existsSync(runDir)).toBe(false);
    expect(failed).toBe(1);
    expect(error.mock.calls.join('\n')).toContain(basename(escaped));
  });

  it('removes the directory of a run that was killed, not that of a live one', () => {
    // Prepare
    const system = tmpdir();
    const hoursAgo = new Date(Date.now() - 2 * 3_600_000);
    const dead = mkdtempSync(join(system, 'api-lake-vitest-999999999-'));
    const live = mkdtempSync(join(system, `api-lake-vitest-${process.pid}-`));
    for (const dir of [dead, live]) utimesSync(dir, hoursAgo, hoursAgo);
    // Other test files make entries here meanwhile: the check may warn of them, and must not fail the run.
    vi.stubEnv('CI', '');
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);

    // Act
    setup()();

    // Assess
    expect(existsSync(dead)).toBe(false);
    expect(existsSync(live)).toBe(true);
  });
});

describe('tempDir', () => {
  it('makes a directory under os.tmpdir() that is removed after the test file', () => {
    // Prepare / Act
    const dir = tempDir('api-lake-temp-dirs-');
    const existed = existsSync(dir);
    removeTempDirs();

    // Assess
    expect(dir.startsWith(tmpdir())).toBe(true);
    expect(existed).toBe(true);
    expect(existsSync(dir)).toBe(false);
  });
});
