import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ParseArgsConfig } from 'node:util';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { closestName, parse, UsageError } from '../../src/cli/args.js';
import { main } from '../../src/cli/main.js';
import { PROJECT_ROOT, runNode } from '../helpers/node-process.js';

// Every command's parse() call is recorded, so that its options can be held against its usage text.
const parsed = vi.hoisted(() => [] as { options: NonNullable<ParseArgsConfig['options']>; usage: string }[]);
vi.mock('../../src/cli/args.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/cli/args.js')>();
  return {
    ...real,
    parse: ((argv, options, usage, positionals) => {
      parsed.push({ options, usage });
      return real.parse(argv, options, usage, positionals);
    }) satisfies typeof real.parse,
  };
});

/** Runs the real `api-lake` entry point in a child process. */
const cli = (args: string[]) => runNode([join(PROJECT_ROOT, 'bin/api-lake.js'), ...args], process.env);

const context = {
  synthesizer: {
    synthesize: () => Promise.reject(new Error('no command may synthesize here')),
    inputs: [],
  },
};

/** The output of one in-process CLI invocation. */
async function inProcess(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  try {
    return { code: await main(argv, context), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

/** The commands `api-lake --help` lists. */
async function listedCommands(): Promise<string[]> {
  const { stdout } = await inProcess(['--help']);
  const commands = stdout.split('\n').flatMap((line) => /^ {2}([a-z][a-z-]+)\b/.exec(line)?.[1] ?? []);
  expect(commands.length).toBeGreaterThan(8);
  return commands;
}

/** Whether a usage text names an option, as --name or (for an option with a short form) -x. */
const names = (usage: string, name: string, short?: string) =>
  new RegExp(`(^|[\\s[|(])--${name}(?![\\w-])`).test(usage) || (short !== undefined && new RegExp(`(^|[\\s[|(])-${short}\\b`).test(usage));

beforeEach(() => {
  parsed.length = 0;
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe('closestName', () => {
  it('says which option lacks its value, in its long form, instead of Node\'s wording', () => {
    const usage = 'Usage: x';
    const options = { lake: { type: 'string', short: 'l' }, fast: { type: 'boolean' } } as const;
    for (const argv of [['--lake'], ['-l'], ['--fast', '--lake']]) {
      expect(() => parse(argv, options, usage)).toThrow(new UsageError('--lake needs a value (see the usage below)', usage));
    }
  });

  it('suggests the candidate within one edit per three letters, a swap of neighbours being one edit', () => {
    expect(closestName('lak', ['config', 'lake', 'hour'])).toBe('lake');
    expect(closestName('strat', ['start', 'run', 'status'])).toBe('start');
    expect(closestName('Lake', ['lake'])).toBe('lake');
    expect(closestName('api-ulr', ['api-url', 'demo'])).toBe('api-url');
    expect(closestName('reprocces', ['reprocess', 'run'])).toBe('reprocess');
  });

  it('suggests the only candidate a word begins, and nothing when a word is far from all or begins several', () => {
    expect(closestName('allow', ['allow-current-data', 'fast'])).toBe('allow-current-data');
    expect(closestName('fail', ['fail-first', 'failure-rate'])).toBeUndefined();
    expect(closestName('bogus', ['config', 'lake', 'hour'])).toBeUndefined();
    expect(closestName('xy', ['lake'])).toBeUndefined();
  });
});

describe('every command documents what it accepts', () => {
  it("names each option its parse() accepts in its usage text (the text --help prints and every usage error ends with)", async () => {
    for (const command of await listedCommands()) {
      const result = await inProcess([command, '--zz-no-such-option']);
      expect(result.code, command).toBe(2);
      expect(parsed, command).toHaveLength(1);
      const { options, usage } = parsed.pop()!;
      expect(result.stderr, command).toContain(usage);
      expect((await inProcess([command, '--help'])).stdout, command).toBe(`${usage}\n`);
      const undocumented = Object.entries(options)
        .filter(([name, option]) => !names(usage, name, option.short))
        .map(([name]) => `--${name}`);
      expect(undocumented, `${command} accepts options its usage does not name`).toEqual([]);
    }
  });

  it('offers in the usages of start, run and backfill no option their parse() refuses', async () => {
    for (const command of ['start', 'run', 'backfill']) {
      await inProcess([command, '--zz-no-such-option']);
      const { options, usage } = parsed.pop()!;
      const offered = [...new Set([...usage.matchAll(/(?<![\w-])--([a-z][a-z-]*)/g)].map((m) => m[1]!))];
      expect(offered.filter((name) => !(name in options)), command).toEqual([]);
    }
  });

  it('backfill takes the run options but --hour, and --from, --to and --fail-on-skip', async () => {
    await inProcess(['run', '--zz']);
    const run = Object.keys(parsed.pop()!.options);
    await inProcess(['backfill', '--zz']);
    const backfill = Object.keys(parsed.pop()!.options);
    expect(backfill.sort()).toEqual([...run.filter((name) => name !== 'hour'), 'from', 'to', 'fail-on-skip'].sort());
  });
});

describe('api-lake (the real CLI)', () => {
  it('prints the options of start and backfill for --help, and the package version for --version and -v', async () => {
    const [start, backfill, version, v] = await Promise.all([cli(['start', '--help']), cli(['backfill', '--help']), cli(['--version']), cli(['-v'])]);
    expect(start).toMatchObject({ code: 0, stderr: '' });
    expect(start.stdout).toMatch(/^Usage: api-lake start /);
    for (const option of ['--config FILE', '--pipeline NAME', '--lake DIR', '--hour TIME']) expect(start.stdout).toContain(`\n  ${option}`);
    expect(start.stdout).not.toContain('--demo');
    expect(backfill.code).toBe(0);
    for (const option of ['--from', '--to', '--config', '--pipeline', '--lake', '--api-url', '--demo', '--fast', '--allow-current-data']) {
      expect(backfill.stdout).toMatch(new RegExp(`\\n {2}${option} `));
    }
    expect(backfill.stdout).not.toContain('--hour');
    const { version: packageVersion } = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(version).toEqual({ code: 0, stdout: `${packageVersion}\n`, stderr: '' });
    expect(v).toEqual(version);
  });

  it('names the nearest known option or command for a typo (exit 2, one line, then the usage)', async () => {
    const [lak, singleDash, hour, far, strat, verison, nothingNear] = await Promise.all([
      cli(['run', '--lak', 'x']),
      cli(['run', '-lake', 'x']),
      cli(['backfill', '--hour', '2026-11-25T18Z']),
      cli(['run', '--bogus']),
      cli(['strat']),
      cli(['--verison']),
      cli(['frobnicate']),
    ]);
    expect(lak.code).toBe(2);
    expect(lak.stderr).toMatch(/^api-lake run: Unknown option '--lak': did you mean --lake\?\n\nUsage: api-lake run /);
    expect(singleDash.stderr).toContain("Unknown option '-l': did you mean --lake?");
    expect(hour.code).toBe(2);
    expect(hour.stderr).toMatch(/^api-lake backfill: Unknown option '--hour': backfill runs a range: give --from and --to \(the same hour for one\), or use `api-lake run --hour`\n/);
    expect(far.stderr).toMatch(/^api-lake run: Unknown option '--bogus'\n/);
    expect(strat).toEqual({ code: 2, stdout: '', stderr: 'api-lake: unknown command "strat": did you mean start? (`api-lake --help` lists the commands)\n' });
    expect(verison.stderr).toContain('did you mean --version?');
    expect(nothingNear.code).toBe(2);
    expect(nothingNear.stderr).toMatch(/^api-lake: unknown command "frobnicate"\n\napi-lake: pull an HTTP API/);
    for (const result of [lak, singleDash, hour, far, strat, verison, nothingNear]) expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
