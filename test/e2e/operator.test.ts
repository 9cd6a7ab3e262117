import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lakePaths } from '../../src/adapters/local/lake-paths.js';
import { DEFAULTS } from '../../src/core/config.js';
import { scheduledHour } from '../../src/core/layout.js';
import { localHourEvidence, stateOf } from '../../src/cli/status.js';
import { startDemoApi, type DemoApi, type DemoApiOptions } from '../../src/demo/weather-api.js';
import { PROJECT_ROOT, runNode, type ProcessResult } from '../helpers/node-process.js';
import { projectConfig } from '../helpers/synth.js';
import { RECOGNISABLE_KEY, runAgainstDemo, tempLake } from '../helpers/twin.js';

const BIN = join(PROJECT_ROOT, 'bin/api-lake.js');
const HISTORY = ['--config', 'examples/weather-history.json'];

/** The CLI in a child process, with API_LAKE_API_KEY only when given. */
function cli(args: string[], env: Record<string, string> = {}): Promise<ProcessResult> {
  const { API_LAKE_API_KEY: _ignored, ...inherited } = process.env;
  return runNode([BIN, ...args], { ...inherited, ...env });
}

const apis: DemoApi[] = [];
afterAll(async () => Promise.all(apis.map((a) => a.close())));
async function demo(options: DemoApiOptions = {}): Promise<DemoApi> {
  const api = await startDemoApi({ key: RECOGNISABLE_KEY, ...options });
  apis.push(api);
  return api;
}

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** No Node stack trace, and the message on one line. */
function oneLineError(result: ProcessResult): string {
  expect(result.stderr).not.toMatch(/\n\s+at /);
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
  return result.stderr;
}

describe('setting up a run', () => {
  it('refuses a run without a key, and a backfill before its first hour, naming both ways to give one (exit 2)', async () => {
    const lake = tempLake();
    const [run, backfill] = await Promise.all([
      cli(['run', '--fast', '--lake', lake]),
      cli(['backfill', ...HISTORY, '--fast', '--lake', lake, '--from', '2026-11-25T00Z', '--to', '2026-11-25T23Z']),
    ]);
    for (const result of [run, backfill]) {
      expect(result.code).toBe(2);
      expect(oneLineError(result)).toMatch(/needs an API key and API_LAKE_API_KEY is not set: give the key as API_LAKE_API_KEY=<key> .* or add --demo/);
      expect(result.stdout).toBe('');
    }
    // Nothing ran: no execution was recorded.
    expect(readdirSync(lake)).toEqual([]);
  });

  it('refuses a lake that cannot be written with one line and exit 2, changing nothing in it', async () => {
    const dir = tempLake();
    const file = join(dir, 'lake-is-a-file');
    writeFileSync(file, 'keep me');
    const zoneIsFile = join(dir, 'lake');
    mkdirSync(zoneIsFile);
    writeFileSync(join(zoneIsFile, 'raw'), 'not a directory');
    const [asFile, zone] = await Promise.all([cli(['run', '--demo', '--fast', '--lake', file]), cli(['run', '--demo', '--fast', '--lake', zoneIsFile])]);
    const [below] = await Promise.all([cli(['run', '--demo', '--fast', '--lake', join(file, 'sub')])]);
    // Each names the file in the way: the --lake itself, the zone inside it, the file above a --lake that is not there.
    for (const [result, inTheWay] of [[asFile, file], [zone, join(zoneIsFile, 'raw')], [below, file]] as const) {
      expect(result.code).toBe(2);
      expect(oneLineError(result)).toMatch(/the lake .* cannot be written \((EEXIST|ENOTDIR)\): a file is where a directory must be \(.*\): move it away, or choose another --lake DIR/);
      expect(oneLineError(result)).toContain(`must be (${inTheWay})`);
    }
    expect(readFileSync(file, 'utf8')).toBe('keep me');
    expect(readFileSync(join(zoneIsFile, 'raw'), 'utf8')).toBe('not a directory');
  });

  it('demo-api on a port in use ends with one line naming the port, exit 2', async () => {
    const holder: Server = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const { port } = holder.address() as { port: number };
    try {
      const result = await cli(['demo-api', '--port', String(port)]);
      expect(result.code).toBe(2);
      expect(oneLineError(result)).toContain(`port ${port} on 127.0.0.1 is in use (another demo-api?): stop what holds it, or choose another with --port N (0 picks a free one)`);
    } finally {
      holder.close();
    }
  });
});

describe('a run that skips or fails', () => {
  it('skips an hour whose API cannot be reached, names the cause, and says why each retry waits and how long', async () => {
    const lake = tempLake();
    const port = await closedPort();
    const result = await cli(['run', '--fast', '--lake', lake, '--api-url', `http://127.0.0.1:${port}/v1/current.json`], { API_LAKE_API_KEY: RECOGNISABLE_KEY });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Status: SKIPPED');
    expect(result.stdout).toMatch(new RegExp(`skipped: +the API stayed unavailable, so the hour was skipped: ApiUnavailableError: http://127\\.0\\.0\\.1:${port}/v1/current\\.json\\S* could not be reached: ECONNREFUSED 127\\.0\\.0\\.1:${port}`));
    // One line per retry: why, which attempt, and the wait the deployed state machine takes (full jitter: up to).
    const waits = [0, 1, 2].map((n) => Math.min(DEFAULTS.retryIntervalSeconds * DEFAULTS.retryBackoffRate ** n, DEFAULTS.retryMaxDelaySeconds));
    waits.forEach((wait, n) => {
      expect(result.stdout).toContain(`~ Fetch failed (ApiUnavailableError: `);
      expect(result.stdout).toMatch(new RegExp(`ECONNREFUSED 127\\.0\\.0\\.1:${port}\\); attempt ${n + 2} of 4 now \\(--fast; deployed, it waits up to ${wait} s\\)`));
    });
    expect(result.stdout).not.toContain('Next: npx api-lake query');
    // The notification is named by the hour it concerns and its outcome, and printed readably.
    const hour = `${new Date().toISOString().slice(0, 13)}Z`;
    const notifications = readdirSync(lakePaths(lake).notifications);
    expect(notifications).toEqual([expect.stringMatching(new RegExp(`^${hour}-skipped-sent-\\d{4}-\\d{2}-\\d{2}T[\\d-]+Z\\.json$`))]);
    expect(result.stderr).toMatch(/ {2}! api-lake weather: hour skipped\n {4}Source weather: the API stayed unavailable .*\n {4}error: Fetch ApiUnavailableError: .*ECONNREFUSED/);
    // Every log line names the hour and the execution; the failed attempts are logged as errors.
    const lines = readFileSync(join(lakePaths(lake).logs, 'steps.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const execution = /execution (\S+)/.exec(result.stdout)![1];
    expect(lines.every((l) => l.hour === `${hour.slice(0, 13)}:00:00.000Z` && l.execution === execution)).toBe(true);
    const failures = lines.filter((l) => l.level === 'ERROR');
    expect(failures).toHaveLength(4);
    expect(failures[0]).toMatchObject({ step: 'Fetch', message: 'step failed', errorName: 'ApiUnavailableError' });
  });

  it('backfill shows each hour that did not load with its reason, a summary line, and --fail-on-skip exits 3', async () => {
    const range = ['--from', '2026-11-25T00Z', '--to', '2026-11-25T02Z'];
    // Four 503s: the first hour's Fetch and its three retries; the next hours load.
    const [strict, lenient] = await Promise.all([demo({ failFirst: 4 }), demo({ failFirst: 4 })]);
    const env = { API_LAKE_API_KEY: RECOGNISABLE_KEY };
    const [failing, passing] = await Promise.all([
      cli(['backfill', ...HISTORY, '--fast', '--lake', tempLake(), ...range, '--api-url', `${strict.url}/v1/history.json`, '--fail-on-skip'], env),
      cli(['backfill', ...HISTORY, '--fast', '--lake', tempLake(), ...range, '--api-url', `${lenient.url}/v1/history.json`], env),
    ]);
    expect([failing.code, passing.code]).toEqual([3, 0]);
    for (const result of [failing, passing]) {
      expect(result.stdout).toMatch(/2026-11-25T00Z \| SKIPPED +\| +\| ApiUnavailableError: http:\/\/127\.0\.0\.1:\d+\/v1\/history\.json answered HTTP 503/);
      expect(result.stdout).toMatch(/2026-11-25T01Z \| SUCCEEDED \| 1 +\| +\n2026-11-25T02Z \| SUCCEEDED \| 1 +\|/);
      expect(result.stdout).toContain('3 hours: 2 loaded, 1 skipped, 0 failed\n');
    }
  });

  it('backfill stops at a refused key instead of failing every hour the same way, and says how to go on (exit 1)', async () => {
    const api = await demo();
    const lake = tempLake();
    const result = await cli(['backfill', ...HISTORY, '--fast', '--lake', lake, '--from', '2026-11-25T00Z', '--to', '2026-11-25T03Z', '--api-url', `${api.url}/v1/history.json`], { API_LAKE_API_KEY: 'not-the-key' });
    expect(result.code).toBe(1);
    expect(api.calls()).toBe(1); // one call: an ApiAuthError is not retried, and no later hour was started
    expect(result.stdout).toMatch(/2026-11-25T00Z \| FAILED +\| +\| ApiAuthError: /);
    expect(result.stdout).not.toContain('2026-11-25T01Z |');
    expect(result.stdout).toContain('Stopped: the API refused the key (ApiAuthError), so the 3 hours after 2026-11-25T00Z were not started (each would fail the same way).');
    expect(result.stdout).toContain(`Set API_LAKE_API_KEY to the right key, then: npx api-lake backfill --from 2026-11-25T00Z --to 2026-11-25T03Z --config examples/weather-history.json --lake ${lake}`);
    expect(result.stdout + result.stderr).not.toContain('not-the-key');
  });

  it('backfill refuses an option it would ignore', async () => {
    const result = await cli(['backfill', ...HISTORY, '--demo', '--from', '2026-11-25T00Z', '--to', '2026-11-25T01Z', '--hour', '2026-11-25T00Z']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--hour/);
  });
});

describe('Ctrl-C', () => {
  it('in a backfill: stops after the running step, says what finished and what did not, and the resume command finishes the range', async () => {
    const api = await demo({ latencyMs: 400 });
    const lake = tempLake();
    const env = { ...process.env, API_LAKE_API_KEY: RECOGNISABLE_KEY };
    const args = ['backfill', ...HISTORY, '--fast', '--lake', lake, '--from', '2026-11-25T00Z', '--to', '2026-11-25T03Z', '--api-url', `${api.url}/v1/history.json`];
    const child = spawn(process.execPath, [BIN, ...args], { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let sent = false;
    child.stdout.on('data', (d) => {
      stdout += d;
      // Interrupt while the second hour fetches.
      if (!sent && /2026-11-25T01:00Z [^\n]*\n(.*\n)*  > Fetch\n/.test(stdout)) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    child.stderr.on('data', (d) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(130);
    expect(stderr).toContain('^C: stopping after the running step');
    expect(stdout).toContain('Interrupted (Ctrl-C):\n  finished:     2026-11-25T00Z to 2026-11-25T00Z: 1 hour: 1 loaded, 0 skipped, 0 failed\n');
    // The hour cut while fetching: Fetch finished its work (as a Lambda would), Transform never started.
    expect(stdout).toContain('  interrupted:  2026-11-25T01Z: raw-only (its run was interrupted before the Parquet was written)\n');
    expect(stdout).toContain('  not started:  2026-11-25T02Z to 2026-11-25T03Z (2 hours)\n');
    const resume = /Resume: npx api-lake (.*)\n/.exec(stdout)![1]!;
    expect(resume).toBe(`backfill --from 2026-11-25T01Z --to 2026-11-25T03Z ${HISTORY.join(' ')} --lake ${lake} --api-url ${api.url}/v1/history.json --fast`);
    const resumed = await cli(resume.split(' '), { API_LAKE_API_KEY: RECOGNISABLE_KEY });
    expect(resumed.code).toBe(0);
    const status = await cli(['status', ...HISTORY, '--lake', lake, '--from', '2026-11-25T00Z', '--to', '2026-11-25T03Z', '--json']);
    expect((JSON.parse(status.stdout) as { state: string }[]).map((h) => h.state)).toEqual(['loaded', 'loaded', 'loaded', 'loaded']);
  });

  it('stops an execution as StopExecution does: cut while Fetch runs the hour is raw-only, cut once Transform started it still loads', async () => {
    const config = projectConfig();
    const hour = scheduledHour('2026-11-25T18:00:00Z');
    const cut = async (state: string) => {
      // A slow API: Fetch is still running when the interrupt comes, and finishes its write, as a Lambda invocation would.
      const run = await runAgainstDemo({ latencyMs: 300 }, { interrupt: (e) => e.kind === 'state-started' && e.state === state });
      expect(run.status).toBe('ABORTED');
      expect(run.progress.some((e) => e.kind === 'state-started' && e.state === 'NotifyFailure')).toBe(false);
      return stateOf(await localHourEvidence(config, lakePaths(run.lake), hour));
    };
    expect(await cut('Fetch')).toMatchObject({ state: 'raw-only', reason: 'its run was interrupted before the Parquet was written' });
    expect(await cut('Transform')).toMatchObject({ state: 'loaded', records: 1 });
  });
});
