import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { hoursBetween, scheduledHour, type Hour } from '../../core/layout.js';
import type { AppConfig, PipelineConfig } from '../../core/config.js';
import { DEMO_API_KEY, startDemoApi, type DemoApi } from '../../demo/weather-api.js';
import { API_KEY_ENV } from '../../adapters/local/env-secret.js';
import { parse, UsageError } from '../args.js';
import { causeMessage, formatTable } from '../format.js';
import type { CliContext } from '../context.js';
import { loadLocalStack } from '../twin/stack-cache.js';
import { localHourEvidence, stateOf } from '../status.js';
import { lakePaths } from '../../adapters/local/lake-paths.js';
import { parseNotice, runHour, type ProgressEvent, type RunResult } from '../twin/run.js';
import { unfetchableHour } from '../../core/fetchable-hour.js';
import { assertQueryable, hourOption, loadRunConfig, PIPELINE_OPTION, whereArgs } from './common.js';

/** One line per option, shared by the usages of run, backfill and start so that they cannot drift apart. */
const OPTION_LINES = {
  config: '--config FILE         pipeline config (default: API_LAKE_CONFIG, else api-lake.config.json in the current directory)',
  pipeline: '--pipeline NAME       the pipeline to run, when the config has several (required then)',
  lake: '--lake DIR            on-disk lake (default ./lake)',
  hour: '--hour TIME           scheduled hour in UTC, e.g. 2026-11-25T18Z or 2026-11-25T18:00Z (default: the current hour)',
  from: '--from TIME           the first hour of the range, e.g. 2026-11-25T00Z',
  to: '--to TIME             the last hour of the range (included)',
  'api-url': '--api-url URL         call this URL instead of source.url (https, or http on a loopback host)',
  demo: "--demo                call the bundled demo API, started in-process (no key needed): source.url's path on it",
  fast: '--fast                retry waits of zero (tests, demos); without it the deployed waits apply',
  'allow-current-data':
    '--allow-current-data  a source with no hour placeholder answers for now: store that answer under a past\n' +
    '                        hour anyway (marked: lake_current_data is true); without it such an hour is refused',
  'fail-on-skip': '--fail-on-skip        exit 3 when an hour was skipped (the API stayed unavailable), for scripts',
};
const optionLines = (names: (keyof typeof OPTION_LINES)[]) => names.map((name) => `  ${OPTION_LINES[name]}`).join('\n');

export const RUN_USAGE = `Usage: api-lake run [--config FILE] [--pipeline NAME] [--lake DIR] [--hour ISO-8601] [--api-url URL] [--demo] [--fast] [--allow-current-data]
  Runs the deployed state machine for one hour on this machine (the local twin).
${optionLines(['config', 'pipeline', 'lake', 'hour', 'api-url', 'demo', 'fast', 'allow-current-data'])}
  The API key comes from API_LAKE_API_KEY (not needed with --demo). A future hour is always refused.
  Ctrl-C stops after the running step and prints the command that runs the hour again (a second Ctrl-C quits).
  Exit status: 0 succeeded or hour skipped, 1 failed (after the notification), 2 bad arguments, config, no key
  or a lake that cannot be written, 130 interrupted.`;

export const BACKFILL_USAGE = `Usage: api-lake backfill --from ISO-8601 --to ISO-8601 [--config FILE] [--pipeline NAME] [--lake DIR] [--api-url URL] [--demo] [--fast] [--allow-current-data] [--fail-on-skip]
  Runs every hour from --from to --to (both included) in order through the local twin; rerunning an hour
  overwrites it. The source must ask the API for the hour (a placeholder such as {{hour.date}}); with none, only
  --allow-current-data runs it.
${optionLines(['from', 'to', 'config', 'pipeline', 'lake', 'api-url', 'demo', 'fast', 'allow-current-data', 'fail-on-skip'])}
  The API key comes from API_LAKE_API_KEY (not needed with --demo). A future hour is always refused.
  Ends with a row per hour (its reason when it did not load) and a count of loaded, skipped and failed hours.
  Ctrl-C stops after the running step, then prints what finished, the hour it cut and how it stands, and the
  backfill command for the rest (a second Ctrl-C quits at once).
  Exit status: 0 every hour succeeded or was skipped, 1 an hour failed, 2 bad arguments, config, no key or a
  lake that cannot be written, 3 an hour was skipped and --fail-on-skip was given, 130 interrupted.`;

/** The options run and backfill share: all but the hours. */
const SESSION_OPTIONS = {
  config: { type: 'string' },
  lake: { type: 'string', default: 'lake' },
  'api-url': { type: 'string' },
  demo: { type: 'boolean', default: false },
  fast: { type: 'boolean', default: false },
  'allow-current-data': { type: 'boolean', default: false },
  ...PIPELINE_OPTION,
} as const;
const RUN_OPTIONS = { ...SESSION_OPTIONS, hour: { type: 'string' } } as const;

interface Session {
  readonly context: CliContext;
  /** The whole app, as the twin synthesizes it, with the run pipeline's URL as run. */
  readonly app: AppConfig;
  readonly config: PipelineConfig;
  readonly lake: string;
  readonly fast: boolean;
  readonly allowCurrentData: boolean;
  readonly demo?: DemoApi;
  readonly apiKey?: string;
}

type SessionValues = { config?: string; pipeline?: string; lake: string; 'api-url'?: string; demo: boolean; fast: boolean; 'allow-current-data': boolean };

async function openSession(values: SessionValues, context: CliContext): Promise<Session> {
  if (values.demo && values['api-url']) throw new UsageError('--demo and --api-url exclude each other', RUN_USAGE);
  // --api-url is validated first (a bad URL is a bad argument, whatever the key).
  const file = loadRunConfig(values.config, values.demo ? undefined : values['api-url'], values.pipeline, RUN_USAGE).config;
  if (!values.demo && file.source.auth.in !== 'none' && !process.env[API_KEY_ENV]) {
    throw new UsageError(
      `source "${file.source.name}" needs an API key and ${API_KEY_ENV} is not set: give the key as ${API_KEY_ENV}=<key> in the environment of this command ` +
        '(the twin never writes it anywhere), or add --demo to call the bundled demo API, which needs none',
    );
  }
  assertWritableLake(values.lake);
  // The demo answers on source.url's own path (current.json, history.json, ...), for the real clock: it never fakes the hour.
  const demo = values.demo ? await startDemoApi() : undefined;
  const url = demo ? file.source.url.replace(/^https?:\/\/[^/]+/, demo.url) : values['api-url'];
  const { app, config } = loadRunConfig(values.config, url, values.pipeline, RUN_USAGE);
  return { context, app, config, lake: values.lake, fast: values.fast, allowCurrentData: values['allow-current-data'], demo, apiKey: demo ? DEMO_API_KEY : undefined };
}

/**
 * Refuses, before anything runs, a lake the twin could not write: read-only, a file in its place or in a zone's,
 * no permission. Creates the lake and its directories; leaves nothing else behind.
 */
export function assertWritableLake(lake: string): void {
  const dirs = Object.values(lakePaths(lake));
  for (const dir of dirs) {
    const probe = join(dir, `.api-lake-write-probe-${process.pid}`);
    try {
      mkdirSync(dir, { recursive: true });
      writeFileSync(probe, '');
      rmSync(probe);
    } catch (error) {
      const { code, path } = error as NodeJS.ErrnoException;
      const fix =
        code === 'EEXIST' || code === 'ENOTDIR'
          ? `a file is where a directory must be (${fileInTheWay(dir) ?? path ?? dir}): move it away, or choose another --lake DIR`
          : code === 'EACCES' || code === 'EPERM'
            ? `no permission to write ${path ?? dir}: fix its permissions, or choose another --lake DIR`
            : code === 'EROFS'
              ? 'it is on a read-only file system: choose another --lake DIR'
              : code === 'ENOSPC'
                ? 'the disk is full: free space, or choose another --lake DIR'
                : `${(error as Error).message}: choose another --lake DIR`;
      throw new UsageError(`the lake ${lake} cannot be written (${code ?? 'error'}): ${fix}`);
    }
  }
}

/** The nearest existing path at or above `dir` when it is not a directory: the file a mkdir of `dir` ran into. */
function fileInTheWay(dir: string): string | undefined {
  for (let path = dir; ; path = dirname(path)) {
    if (existsSync(path)) return statSync(path).isDirectory() ? undefined : path;
    if (dirname(path) === path) return undefined;
  }
}

/** Refuses, before anything runs, an hour the API cannot be asked for (hour-template.ts): a future one, or a past one of a "now"-only source. */
function assertFetchable(config: PipelineConfig, hours: Hour[], allowCurrentData: boolean, usage: string, now = Date.now()): void {
  const refused = hours.map((hour) => unfetchableHour(hour, { source: config.source, now, allowCurrentData, graceMs: 0 })).filter((r) => r !== undefined);
  if (refused.length === 0) return;
  const more = refused.length > 1 ? ` (${refused.length} of the ${hours.length} hours are refused)` : '';
  throw new UsageError(`${refused[0]}${more}`, usage);
}

/** What a run of hours came to: each hour's result, and where an interrupt stopped it. */
interface HoursRun {
  readonly results: RunResult[];
  /** The hours never started because of an interrupt, or of a refused key. */
  readonly notStarted: Hour[];
  /** Set when the API refused the key: every later hour would fail the same way, so none was started. */
  readonly keyRefused?: boolean;
}

/** Runs hours in order through the local twin, printing progress, until they are done or `signal` stops them. */
async function runHours(session: Session, hours: Hour[], out: NodeJS.WritableStream, err: NodeJS.WritableStream, signal?: AbortSignal): Promise<HoursRun> {
  const { stack } = await loadLocalStack(session.app, session.context.synthesizer, process.env, session.config.name);
  const results: RunResult[] = [];
  for (const [i, hour] of hours.entries()) {
    if (signal?.aborted) return { results, notStarted: hours.slice(i) };
    out.write(`\n${hour.iso.slice(0, 16)}Z  ${session.config.source.name} -> ${session.config.table}\n`);
    const result = await runHour({
      config: session.config,
      stack,
      validated: true,
      lakeDir: session.lake,
      hour,
      fast: session.fast,
      allowCurrentData: session.allowCurrentData,
      apiKey: session.apiKey,
      signal,
      onProgress: (event) => out.write(progressLine(event)),
      onNotification: (n, path) => err.write(notificationLines(n.subject, n.message, path)),
    });
    for (const warning of result.warnings) err.write(`  ! ${warning}\n`);
    results.push(result);
    if (result.status === 'FAILED' && result.error === 'ApiAuthError' && i < hours.length - 1) return { results, notStarted: hours.slice(i + 1), keyRefused: true };
  }
  return { results, notStarted: [] };
}

/**
 * Ctrl-C while hours run: the first stops the running execution as StopExecution would (a step already running
 * finishes its work), and no further hour starts; a second quits at once. Removed when `run` ends.
 */
async function interruptible<T>(err: NodeJS.WritableStream, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onInterrupt = () => {
    if (controller.signal.aborted) {
      err.write('\n  ^C again: quitting at once; the hour that was running shows as interrupted in `api-lake status`\n');
      process.exit(130);
    }
    err.write('\n  ^C: stopping after the running step (Ctrl-C again to quit at once)\n');
    controller.abort();
  };
  process.on('SIGINT', onInterrupt);
  try {
    return await run(controller.signal);
  } finally {
    process.off('SIGINT', onInterrupt);
  }
}

/** Exit status of an interrupted command, as shells report one (128 + SIGINT). */
export const INTERRUPTED_EXIT = 130;

/** What finished, what was cut and how it stands, what never started, and the command that resumes the rest. */
async function interruptReport(session: Session, run: HoursRun, resume: (from: Hour, to: Hour) => string): Promise<string> {
  const { results, notStarted } = run;
  const cut = results.at(-1)?.status === 'ABORTED' ? results.at(-1) : undefined;
  const finished = cut ? results.slice(0, -1) : results;
  const label = (hour: Hour | string) => `${(typeof hour === 'string' ? hour : hour.iso).slice(0, 13)}Z`;
  const lines = ['', 'Interrupted (Ctrl-C):'];
  if (finished.length) lines.push(`  finished:     ${label(finished[0]!.hour)} to ${label(finished.at(-1)!.hour)}: ${tally(finished)}`);
  const remaining: Hour[] = [...notStarted];
  if (cut) {
    const hour = scheduledHour(cut.hour);
    const state = stateOf(await localHourEvidence(session.config, lakePaths(session.lake), hour));
    lines.push(`  interrupted:  ${label(hour)}: ${state.state}${state.reason ? ` (${state.reason})` : ''}${state.records !== null ? `, ${state.records} records` : ''}`);
    if (state.state !== 'loaded') remaining.unshift(hour);
  }
  if (notStarted.length) lines.push(`  not started:  ${label(notStarted[0]!)} to ${label(notStarted.at(-1)!)} (${notStarted.length} hour${notStarted.length > 1 ? 's' : ''})`);
  lines.push(remaining.length ? `Resume: ${resume(remaining[0]!, remaining.at(-1)!)}` : 'Nothing is left to run.');
  return lines.join('\n') + '\n';
}

/** `24 hours: 20 loaded, 3 skipped, 1 failed`: how a list of results came out. */
function tally(results: readonly RunResult[]): string {
  const count = (status: RunResult['status']) => results.filter((r) => r.status === status).length;
  const loaded = results.filter((r) => r.status === 'SUCCEEDED' && r.output?.transform?.curatedKey).length;
  const empty = count('SUCCEEDED') - loaded;
  const parts = [`${loaded} loaded`, ...(empty ? [`${empty} with no records`] : []), `${count('SKIPPED')} skipped`, `${count('FAILED')} failed`, ...(count('ABORTED') ? [`${count('ABORTED')} interrupted`] : [])];
  return `${results.length} hour${results.length === 1 ? '' : 's'}: ${parts.join(', ')}`;
}

/** The options a session was opened with, as a command line repeats them (for the resume command). */
function sessionArgs(values: SessionValues): string {
  const args = [
    ...whereArgs(values),
    values['api-url'] !== undefined && `--api-url ${values['api-url']}`,
    values.demo && '--demo',
    values.fast && '--fast',
    values['allow-current-data'] && '--allow-current-data',
  ].filter(Boolean);
  return args.length ? ` ${args.join(' ')}` : '';
}

/** States whose end says nothing their start did not: they take no time and call nothing. */
const PASSIVE_STATES = new Set(['Pass', 'Choice', 'Succeed', 'Fail', 'Wait']);

/** A cause cut to one readable line. */
const brief = (text: string | undefined, max = 240) => {
  const line = (text ?? '').replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 3)}...` : line;
};

export function progressLine(event: ProgressEvent): string {
  if (event.kind === 'state-started') return `  > ${event.state}\n`;
  if (event.kind === 'state-retry') {
    const seconds = `${event.jitter ? 'up to ' : ''}${event.waitSeconds} s`;
    const wait = event.fast ? `now (--fast; deployed, it waits ${seconds})` : `in ${seconds}`;
    const why = `${event.error}${event.reason ? `: ${brief(event.reason)}` : ''}`;
    return `  ~ ${event.state} failed (${why}); attempt ${event.attempt} of ${event.maxAttempts} ${wait}\n`;
  }
  if (PASSIVE_STATES.has(event.type)) return '';
  if (event.outcome === 'ok') return `  < ${event.state} ok (${event.ms} ms)\n`;
  return `  < ${event.state} failed: ${event.error}${event.reason ? `: ${brief(event.reason)}` : ''} (${event.ms} ms)\n`;
}

/** A notification as the e-mail shows it: the subject, the summary, then the error and where it is kept. */
export function notificationLines(subject: string, message: string, path: string): string {
  let body: { summary?: unknown; step?: unknown; error?: unknown; cause?: unknown } = {};
  try {
    body = JSON.parse(message) as typeof body;
  } catch {
    body = { summary: message };
  }
  const lines = [`  ! ${subject}`];
  if (typeof body.summary === 'string') lines.push(`    ${body.summary}`);
  if (typeof body.error === 'string') lines.push(`    error: ${typeof body.step === 'string' ? `${body.step} ` : ''}${body.error}${typeof body.cause === 'string' ? `: ${brief(causeMessage(body.cause), 400)}` : ''}`);
  lines.push(`    (the message as SNS sends it: ${relative('.', path)})`);
  return lines.join('\n') + '\n';
}

function summary(result: RunResult, lake: string, table: string): string {
  const paths = lakePaths(lake);
  const lines = [`Status: ${result.status}  hour ${result.hour}  execution ${result.executionArn}`];
  const chains = result.output?.transformInput?.chains;
  const transform = result.output?.transform;
  if (chains?.length) {
    const pages = chains.reduce((n, c) => n + c.pages, 0);
    const bytes = chains.reduce((n, c) => n + c.bytes, 0);
    const more = pages > 1 ? ` and ${pages - 1} more page${pages > 2 ? 's' : ''}${chains.length > 1 ? ` (${chains.length} requests)` : ''}` : '';
    lines.push(`  raw:      ${relative('.', `${paths.raw}/${chains[0]!.firstKey}`)}${more} (${bytes} bytes)`);
  }
  if (transform?.curatedKey) lines.push(`  curated:  ${relative('.', `${paths.curated}/${transform.curatedKey}`)}`);
  if (transform) {
    const more = transform.columnCount > transform.columns.length ? ` ... (${transform.columnCount} in all; \`api-lake query "DESCRIBE ${table}"\` lists them)` : '';
    lines.push(`  records:  ${transform.records}`, `  columns:  ${transform.columns.join(', ')}${more}`);
  }
  if (result.status === 'FAILED') lines.push(`  error:    ${result.error}: ${causeMessage(result.cause) ?? 'no cause given'}`);
  if (result.status === 'SKIPPED') lines.push(`  skipped:  the API stayed unavailable, so the hour was skipped: ${skipReason(result) ?? 'see the notification'}`);
  if (result.status === 'ABORTED') lines.push('  stopped:  interrupted (Ctrl-C); a step already running finished its work');
  if (result.output?.transform?.curatedKey) lines.push(`Next: npx api-lake query "SELECT dt, hour, count(*) AS records FROM ${table} GROUP BY ALL ORDER BY ALL" --lake ${lake}`);
  return lines.join('\n') + '\n';
}

/** Why a skipped hour was skipped: the last error of its requests, as the skip notification carries it. */
function skipReason(result: RunResult): string | undefined {
  const skip = result.notifications.map((n) => parseNotice(n.message)).findLast((m) => m.outcome === 'SKIPPED');
  return skip && `${skip.error ?? 'ApiUnavailableError'}: ${brief(causeMessage(skip.cause) ?? 'no cause given', 400)}`;
}

/** The exit status of hours run: 1 when one failed; 3 when one was skipped and skips count (--fail-on-skip). */
const exitCode = (results: readonly RunResult[], failOnSkip = false) => (results.some((r) => r.status === 'FAILED') ? 1 : failOnSkip && results.some((r) => r.status === 'SKIPPED') ? 3 : 0);

export async function runCommand(argv: string[], context: CliContext, out = process.stdout, err = process.stderr): Promise<number> {
  const { values } = parse(argv, RUN_OPTIONS, RUN_USAGE);
  const { result } = await runOnce(values, context, out, err);
  return result ? exitCode([result]) : INTERRUPTED_EXIT;
}

type RunValues = SessionValues & { hour?: string };

/** One hour through the twin, with its summary; returns the result (none when interrupted) and the config it ran with. */
async function runOnce(values: RunValues, context: CliContext, out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<{ result?: RunResult; config: PipelineConfig }> {
  const hour = hourOption(values.hour);
  const { config } = loadRunConfig(values.config, undefined, values.pipeline, RUN_USAGE);
  assertQueryable(config, [hour], RUN_USAGE);
  assertFetchable(config, [hour], values['allow-current-data'], RUN_USAGE);
  const session = await openSession(values, context);
  try {
    const run = await interruptible(err, (signal) => runHours(session, [hour], out, err, signal));
    const result = run.results[0];
    if (!result || result.status === 'ABORTED') {
      out.write(await interruptReport(session, run, (from) => `npx api-lake run --hour ${from.iso.slice(0, 13)}Z${sessionArgs(values)}`));
      return { config: session.config };
    }
    out.write(summary(result, session.lake, session.config.table));
    return { result, config: session.config };
  } finally {
    await session.demo?.close();
  }
}

export async function backfillCommand(argv: string[], context: CliContext, out = process.stdout, err = process.stderr): Promise<number> {
  const { values } = parse(argv, { ...SESSION_OPTIONS, from: { type: 'string' }, to: { type: 'string' }, 'fail-on-skip': { type: 'boolean', default: false } }, BACKFILL_USAGE, false, {
    hour: 'backfill runs a range: give --from and --to (the same hour for one), or use `api-lake run --hour`',
  });
  if (!values.from || !values.to) throw new UsageError('--from and --to are required', BACKFILL_USAGE);
  const hours = hoursBetween(hourOption(values.from, 'from'), hourOption(values.to, 'to'));
  if (hours.length === 0) throw new UsageError(`--from ${values.from} is after --to ${values.to}`, BACKFILL_USAGE);
  if (hours.length > 24 * 366) throw new UsageError(`the range holds ${hours.length} hours; backfill at most a year at a time`, BACKFILL_USAGE);
  const { config } = loadRunConfig(values.config, undefined, values.pipeline, BACKFILL_USAGE);
  assertQueryable(config, hours, BACKFILL_USAGE);
  assertFetchable(config, hours, values['allow-current-data'], BACKFILL_USAGE);
  const session = await openSession(values, context);
  try {
    const run = await interruptible(err, (signal) => runHours(session, hours, out, err, signal));
    const { results } = run;
    const rows = results.map((r) => ({
      hour: r.hour.slice(0, 13) + 'Z',
      status: r.status,
      records: r.output?.transform?.records ?? '',
      // URLs without their query, so that the reason fits the table.
      reason: (r.status === 'SKIPPED' ? (skipReason(r) ?? 'the API stayed unavailable') : r.status === 'FAILED' || r.status === 'ABORTED' ? `${r.error}: ${causeMessage(r.cause) ?? ''}` : '').replace(
        /(https?:\/\/[^\s?]+)\?\S*/g,
        '$1',
      ),
    }));
    out.write(`\n${formatTable({ columns: ['hour', 'status', 'records', 'reason'], rows }, 120)}\n${tally(results)}\n`);
    if (run.keyRefused) {
      const [next, last] = [results.at(-1)!.hour.slice(0, 13) + 'Z', run.notStarted.at(-1)!.iso.slice(0, 13) + 'Z'];
      out.write(
        `Stopped: the API refused the key (ApiAuthError), so the ${run.notStarted.length} hour${run.notStarted.length === 1 ? '' : 's'} after ${next} were not started (each would fail the same way).\n` +
          `Set ${API_KEY_ENV} to the right key, then: npx api-lake backfill --from ${next} --to ${last}${sessionArgs(values)}${values['fail-on-skip'] ? ' --fail-on-skip' : ''}\n`,
      );
      return exitCode(results, values['fail-on-skip']);
    }
    const interrupted = run.notStarted.length > 0 || results.at(-1)?.status === 'ABORTED';
    if (interrupted) {
      out.write(await interruptReport(session, run, (from, to) => `npx api-lake backfill --from ${from.iso.slice(0, 13)}Z --to ${to.iso.slice(0, 13)}Z${sessionArgs(values)}${values['fail-on-skip'] ? ' --fail-on-skip' : ''}`));
      return INTERRUPTED_EXIT;
    }
    if (results.some((r) => r.output?.transform?.curatedKey)) out.write(`Next: npx api-lake status ${['--from', values.from, '--to', values.to, ...whereArgs(values)].join(' ')}\n`);
    return exitCode(results, values['fail-on-skip']);
  } finally {
    await session.demo?.close();
  }
}

/** `npm start`: one hour against the in-process demo API, then a query of what was loaded. */
export const START_USAGE = `Usage: api-lake start [--config FILE] [--pipeline NAME] [--lake DIR] [--hour ISO-8601]
  npm start: one hour through the local twin against the bundled demo API (started in-process, retry waits of
  zero), then a DuckDB query of what was loaded. Other sources and the other options: api-lake run.
${optionLines(['config', 'pipeline', 'lake', 'hour'])}
  Exit status: 0 succeeded or hour skipped, 1 failed, 2 bad arguments or config.`;

export async function startCommand(argv: string[], context: CliContext, out = process.stdout, err = process.stderr): Promise<number> {
  const { values } = parse(argv, { config: RUN_OPTIONS.config, lake: RUN_OPTIONS.lake, hour: RUN_OPTIONS.hour, ...PIPELINE_OPTION }, START_USAGE);
  out.write('api-lake local twin: the deployed state machine, the real step code, an on-disk lake and the bundled demo API.\n');
  const { result, config } = await runOnce({ ...values, demo: true, fast: true, 'allow-current-data': false }, context, out, err);
  if (!result) return INTERRUPTED_EXIT;
  if (result.status !== 'SUCCEEDED' || !result.output?.transform?.curatedKey) return exitCode([result]);
  // A few data columns of what was just loaded, whatever the source: the first text column and the last numbers.
  const columns = (result.output?.transform?.columns ?? []).map((c) => c.split(' ') as [string, string]);
  const firstText = columns.find(([name, type]) => type === 'string' && !name.startsWith('lake_'));
  const numbers = columns.filter(([, type]) => type === 'double').slice(-3);
  const shown = [...(firstText ? [firstText] : []), ...numbers].map(([name]) => name);
  const sql = `SELECT dt, hour, ${[...shown, 'lake_ingested_at'].join(', ')} FROM ${config.table} ORDER BY dt DESC, hour DESC LIMIT 5`;
  out.write(`\nQuerying the curated lake with DuckDB (the local stand-in for Athena):\n  ${sql}\n\n${formatTable(await (await import('../lake-query.js')).queryLake(values.lake, sql))}\n`);
  return 0;
}
