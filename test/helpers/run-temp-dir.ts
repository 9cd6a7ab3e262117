/**
 * vitest globalSetup: one temporary directory per test run, removed when the run ends.
 *
 * It runs in vitest's main process before the worker processes are forked, and the forks take their
 * environment from it then, so setting TMPDIR (TMP and TEMP for Windows) here makes `os.tmpdir()` this
 * directory in every worker and in every process a test starts with the inherited environment. Whatever
 * lands there goes with it, including what no test controls: a `cdk.out*` directory for every CDK synthesis
 * without an outdir (`Template.fromStack`, the twin's synthesis), tsx's cache, s3rver's files. Before this,
 * a run left about 300 directories (36 MB) in the system's temporary directory.
 *
 * A run that is killed cannot tear down, so setup first removes the directories of runs whose process is
 * gone. Teardown then checks that nothing of ours escaped into the system's temporary directory (a child
 * process started with an environment of its own, a hard-coded /tmp): on CI, a fresh machine where this run
 * is the only one, that fails the run; elsewhere another run at the same time could have made the entries,
 * so it only warns.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const RUN_PREFIX = 'api-lake-vitest-';
/** What the tests and CDK name their temporary directories. */
const OURS = /^(api-lake-|cdk\.out)/;
const TMP_VARIABLES = ['TMPDIR', 'TMP', 'TEMP'] as const;
/** A run's directory is touched all the time while it runs; one untouched this long belongs to no live run. */
const STALE_MS = 60 * 60_000;

export function setup(): () => void {
  const systemTmp = tmpdir();
  removeDirectoriesOfDeadRuns(systemTmp);
  const before = new Set(entriesOfOurs(systemTmp));
  const runDir = mkdtempSync(join(systemTmp, `${RUN_PREFIX}${process.pid}-`));
  const saved = TMP_VARIABLES.map((name) => [name, process.env[name]] as const);
  for (const name of TMP_VARIABLES) process.env[name] = runDir;

  return () => {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    rmSync(runDir, { recursive: true, force: true, maxRetries: 3 });
    const escaped = entriesOfOurs(systemTmp).filter((name) => !before.has(name));
    if (escaped.length) reportEscaped(systemTmp, escaped);
  };
}

function entriesOfOurs(dir: string): string[] {
  return readdirSync(dir).filter((name) => OURS.test(name) && !name.startsWith(RUN_PREFIX));
}

function reportEscaped(systemTmp: string, escaped: string[]): void {
  const list = escaped.slice(0, 20).join(', ') + (escaped.length > 20 ? `, ... (${escaped.length} in all)` : '');
  if (process.env.CI) {
    console.error(`\nThe tests left ${escaped.length} entries in ${systemTmp} outside the run's temporary directory: ${list}`);
    process.exitCode = 1;
  } else {
    console.warn(`\n${escaped.length} new entries in ${systemTmp} outside the run's temporary directory (this run's, or another's at the same time): ${list}`);
  }
}

/** Directories of earlier runs that were killed before their teardown: the process is gone and nothing wrote there for an hour. */
function removeDirectoriesOfDeadRuns(systemTmp: string): void {
  for (const name of readdirSync(systemTmp).filter((n) => n.startsWith(RUN_PREFIX))) {
    const path = join(systemTmp, name);
    const pid = Number(name.slice(RUN_PREFIX.length).split('-')[0]);
    try {
      if (isRunning(pid) || Date.now() - statSync(path).mtimeMs < STALE_MS) continue;
      rmSync(path, { recursive: true, force: true });
    } catch {
      // Gone already, or another user's: not ours to remove.
    }
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
