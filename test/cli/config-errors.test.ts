import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG_FILE, loadConfigFile } from '../../src/adapters/config-file.js';
import { ConfigError } from '../../src/core/errors.js';
import { PROJECT_ROOT, type ProcessResult } from '../helpers/node-process.js';

/** Runs the real `api-lake` entry point in a child process, in the directory `cwd`. */
function cli(args: string[], cwd = PROJECT_ROOT, env: NodeJS.ProcessEnv = {}): Promise<ProcessResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(PROJECT_ROOT, 'bin/api-lake.js'), ...args], { cwd, env: { ...process.env, API_LAKE_CONFIG: undefined, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

const projectConfig = readFileSync(join(PROJECT_ROOT, DEFAULT_CONFIG_FILE), 'utf8');
const tempDir = () => mkdtempSync(join(tmpdir(), 'api-lake-config-'));

/** The project's config with one edit, in a file of its own. */
function configFile(edit: (text: string) => string): string {
  const file = join(tempDir(), 'edited.json');
  writeFileSync(file, edit(projectConfig));
  return file;
}

describe('a config file that is not JSON', () => {
  it('is named with the line and column of the error and the file path, in one line under it (exit 2, no stack trace)', async () => {
    // A missing comma (Node gives a position) and a bare word (Node gives none: the place is found by the CLI).
    const comma = configFile((text) => text.replace('"name": "weather",', '"name": "weather"'));
    const word = configFile((text) => text.replace('"table": "weather"', '"table": weather'));
    const [missingComma, bareWord] = await Promise.all([cli(['run', '--config', comma]), cli(['run', '--config', word])]);
    expect(missingComma).toMatchObject({ code: 2, stdout: '' });
    expect(missingComma.stderr).toBe(`api-lake run: Invalid ${comma}:\n  - line 4, column 5: not valid JSON: expected ',' or '}' after property value\n`);
    expect(bareWord.stderr).toBe(`api-lake run: Invalid ${word}:\n  - line 13, column 12: not valid JSON: unexpected token 'w'\n`);
  });

  it('reads a file saved with a byte order mark', () => {
    const file = join(tempDir(), 'bom.json');
    writeFileSync(file, `\uFEFF${projectConfig}`);
    expect(loadConfigFile(file).pipelines[0]!.table).toBe('weather');
  });
});

describe('no config where it is looked for', () => {
  it('from a subdirectory: names the absolute path looked at, the config above it and how to pass --config (exit 2)', async () => {
    const root = tempDir();
    writeFileSync(join(root, DEFAULT_CONFIG_FILE), projectConfig);
    const sub = join(root, 'a', 'b');
    mkdirSync(sub, { recursive: true });
    const result = await cli(['run', '--demo', '--fast'], sub);
    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr:
        `api-lake run: no config file at ${join(sub, DEFAULT_CONFIG_FILE)} (by default the config is api-lake.config.json in the current directory); ` +
        `${root} has one: run from there, or pass --config ${join(root, DEFAULT_CONFIG_FILE)}\n`,
    });
  });

  it('with no config above either, or a --config path that does not exist: says how to name one', async () => {
    const dir = tempDir();
    const above = (d: string): boolean => dirname(d) !== d && (existsSync(join(dirname(d), DEFAULT_CONFIG_FILE)) || above(dirname(d)));
    expect(above(dir)).toBe(false); // the test's premise: nothing above the temporary directory
    const [none, wrongPath, directory] = await Promise.all([cli(['set-key'], dir), cli(['run', '--config', 'nope.json'], dir), cli(['catalog', '--config', dir])]);
    expect(none).toMatchObject({ code: 2, stdout: '' });
    expect(none.stderr).toBe(
      `api-lake set-key: no config file at ${join(dir, DEFAULT_CONFIG_FILE)} (by default the config is api-lake.config.json in the current directory): pass --config FILE, or set API_LAKE_CONFIG=FILE (for api-lake and cdk alike)\n`,
    );
    expect(wrongPath.stderr).toBe(`api-lake run: no config file at ${join(dir, 'nope.json')}: check the path given to --config\n`);
    expect(directory.stderr).toBe(`api-lake catalog: the config ${dir} is a directory, not a file: pass --config FILE, or set API_LAKE_CONFIG=FILE (for api-lake and cdk alike)\n`);
  });

  it('takes API_LAKE_CONFIG when --config is not given, as cdk does, and says so when it names no file', async () => {
    const dir = tempDir();
    const config = JSON.parse(projectConfig) as { table: string };
    writeFileSync(join(dir, 'pollen.json'), JSON.stringify({ ...config, table: 'pollen' }));
    writeFileSync(join(dir, 'other.json'), JSON.stringify({ ...config, table: 'other' }));
    const [fromEnv, flagWins, missing, ...others] = await Promise.all([
      cli(['catalog', '--json'], dir, { API_LAKE_CONFIG: 'pollen.json' }),
      cli(['catalog', '--json', '--config', 'other.json'], dir, { API_LAKE_CONFIG: 'pollen.json' }),
      cli(['catalog', '--json'], dir, { API_LAKE_CONFIG: 'nope.json' }),
      // Every command that reads the config says so alike.
      ...[['status'], ['reprocess', '--from', '2026-11-25T00Z', '--to', '2026-11-25T01Z'], ['verify'], ['destroy', '--yes'], ['run', '--demo']].map((args) => cli(args, dir, { API_LAKE_CONFIG: 'nope.json' })),
    ]);
    for (const [i, other] of others.entries()) {
      expect(other.code, String(i)).toBe(2);
      expect(other.stderr, String(i)).toContain(`no config file at ${join(dir, 'nope.json')} (named by API_LAKE_CONFIG)`);
    }
    expect((JSON.parse(fromEnv.stdout) as { table: string }).table).toBe('pollen');
    expect((JSON.parse(flagWins.stdout) as { table: string }).table).toBe('other');
    expect(missing).toMatchObject({ code: 2, stderr: `api-lake catalog: no config file at ${join(dir, 'nope.json')} (named by API_LAKE_CONFIG): check that path, unset API_LAKE_CONFIG, or pass --config FILE\n` });
  });

  it('is a ConfigError whose message is that one line, with the file system error as its cause', () => {
    const missing = join(tempDir(), 'missing.json');
    const error = (() => {
      try {
        loadConfigFile(missing);
      } catch (e) {
        return e;
      }
    })() as ConfigError;
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toBe(`no config file at ${missing}: check the path given to --config`);
    expect(error.problems).toEqual([error.message]);
    expect((error.cause as NodeJS.ErrnoException).code).toBe('ENOENT');
  });
});
