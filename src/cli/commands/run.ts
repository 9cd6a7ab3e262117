import { relative } from 'node:path';
import { hoursBetween, type Hour } from '../../core/layout.js';
import type { AppConfig, PipelineConfig } from '../../core/config.js';
import { DEMO_API_KEY, startDemoApi, type DemoApi } from '../../demo/weather-api.js';
import { parse, UsageError } from '../args.js';
import { formatTable } from '../format.js';
import type { CliContext } from '../context.js';
import { loadLocalStack } from '../twin/stack-cache.js';
import { lakePaths } from '../../adapters/local/lake-paths.js';
import { runHour, type ProgressEvent, type RunResult } from '../twin/run.js';
import { unfetchableHour } from '../../core/fetchable-hour.js';
import { assertQueryable, hourOption, loadRunConfig, PIPELINE_OPTION } from './common.js';

/** One line per option, shared by the usages of run, backfill and start so that they cannot drift apart. */
const OPTION_LINES = {
  config: '--config FILE         pipeline config (default: api-lake.config.json in the current directory)',
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
};
const optionLines = (names: (keyof typeof OPTION_LINES)[]) => names.map((name) => `  ${OPTION_LINES[name]}`).join('\n');

export const RUN_USAGE = `Usage: api-lake run [--config FILE] [--pipeline NAME] [--lake DIR] [--hour ISO-8601] [--api-url URL] [--demo] [--fast] [--allow-current-data]
  Runs the deployed state machine for one hour on this machine (the local twin).
${optionLines(['config', 'pipeline', 'lake', 'hour', 'api-url', 'demo', 'fast', 'allow-current-data'])}
  The API key comes from API_LAKE_API_KEY (not needed with --demo). A future hour is always refused.
  Exit status: 0 succeeded or hour skipped, 1 failed (after the notification), 2 bad arguments or config.`;

export const BACKFILL_USAGE = `Usage: api-lake backfill --from ISO-8601 --to ISO-8601 [--config FILE] [--pipeline NAME] [--lake DIR] [--api-url URL] [--demo] [--fast] [--allow-current-data]
  Runs every hour from --from to --to (both included) in order through the local twin; rerunning an hour
  overwrites it. The source must ask the API for the hour (a placeholder such as {{hour.date}}); with none, only
  --allow-current-data runs it.
${optionLines(['from', 'to', 'config', 'pipeline', 'lake', 'api-url', 'demo', 'fast', 'allow-current-data'])}
  The API key comes from API_LAKE_API_KEY (not needed with --demo). A future hour is always refused.
  Exit status: 0 every hour succeeded or was skipped, 1 an hour failed, 2 bad arguments or config.`;

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
  const file = loadRunConfig(values.config, undefined, values.pipeline, RUN_USAGE).config;
  // The demo answers on source.url's own path (current.json, history.json, ...), for the real clock: it never fakes the hour.
  const demo = values.demo ? await startDemoApi() : undefined;
  const url = demo ? file.source.url.replace(/^https?:\/\/[^/]+/, demo.url) : values['api-url'];
  const { app, config } = loadRunConfig(values.config, url, values.pipeline, RUN_USAGE);
  return { context, app, config, lake: values.lake, fast: values.fast, allowCurrentData: values['allow-current-data'], demo, apiKey: demo ? DEMO_API_KEY : undefined };
}

/** Refuses, before anything runs, an hour the API cannot be asked for (hour-template.ts): a future one, or a past one of a "now"-only source. */
function assertFetchable(config: PipelineConfig, hours: Hour[], allowCurrentData: boolean, usage: string, now = Date.now()): void {
  const refused = hours.map((hour) => unfetchableHour(hour, { source: config.source, now, allowCurrentData, graceMs: 0 })).filter((r) => r !== undefined);
  if (refused.length === 0) return;
  const more = refused.length > 1 ? ` (${refused.length} of the ${hours.length} hours are refused)` : '';
  throw new UsageError(`${refused[0]}${more}`, usage);
}

/** Runs hours in order through the local twin, printing progress; returns the results. */
async function runHours(session: Session, hours: Hour[], out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<RunResult[]> {
  const { stack } = await loadLocalStack(session.app, session.context.synthesizer, process.env, session.config.name);
  const results: RunResult[] = [];
  for (const hour of hours) {
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
      onProgress: (event) => out.write(progressLine(event)),
      onNotification: (n, path) => err.write(`  ! notification (${n.subject}) written to ${relative('.', path)}:\n    ${n.message}\n`),
    });
    for (const warning of result.warnings) err.write(`  ! ${warning}\n`);
    results.push(result);
  }
  return results;
}

function progressLine(event: ProgressEvent): string {
  if (event.kind === 'state-started') return `  > ${event.state}${event.attempt > 1 ? ` (attempt ${event.attempt})` : ''}\n`;
  if (event.kind === 'state-retry') return `  ~ ${event.state}: retrying, attempt ${event.attempt}\n`;
  const mark = event.outcome === 'ok' ? 'ok' : `failed: ${event.error}`;
  return `  < ${event.state} ${mark} (${event.ms} ms, attempt ${event.attempt})\n`;
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
  if (result.status === 'FAILED') lines.push(`  error:    ${result.error}: ${describeCause(result.cause)}`);
  if (result.status === 'SKIPPED') lines.push('  the API stayed unavailable: the hour was skipped (see the notification)');
  lines.push(`Next: npx api-lake query "SELECT dt, hour, count(*) AS records FROM ${table} GROUP BY ALL ORDER BY ALL" --lake ${lake}`);
  return lines.join('\n') + '\n';
}

function describeCause(cause: string | undefined): string {
  try {
    return (JSON.parse(cause ?? '') as { errorMessage?: string }).errorMessage ?? String(cause);
  } catch {
    return String(cause);
  }
}

const exitCode = (results: RunResult[]) => (results.some((r) => r.status === 'FAILED') ? 1 : 0);

export async function runCommand(argv: string[], context: CliContext, out = process.stdout, err = process.stderr): Promise<number> {
  const { values } = parse(argv, RUN_OPTIONS, RUN_USAGE);
  return exitCode([(await runOnce(values, context, out, err)).result]);
}

type RunValues = SessionValues & { hour?: string };

/** One hour through the twin, with its summary; returns the result and the config it ran with. */
async function runOnce(values: RunValues, context: CliContext, out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<{ result: RunResult; config: PipelineConfig }> {
  const hour = hourOption(values.hour);
  const { config } = loadRunConfig(values.config, undefined, values.pipeline, RUN_USAGE);
  assertQueryable(config, [hour], RUN_USAGE);
  assertFetchable(config, [hour], values['allow-current-data'], RUN_USAGE);
  const session = await openSession(values, context);
  try {
    const [result] = await runHours(session, [hour], out, err);
    out.write(summary(result!, session.lake, session.config.table));
    return { result: result!, config: session.config };
  } finally {
    await session.demo?.close();
  }
}

export async function backfillCommand(argv: string[], context: CliContext, out = process.stdout, err = process.stderr): Promise<number> {
  const { values } = parse(argv, { ...SESSION_OPTIONS, from: { type: 'string' }, to: { type: 'string' } }, BACKFILL_USAGE);
  if (!values.from || !values.to) throw new UsageError('--from and --to are required', BACKFILL_USAGE);
  const hours = hoursBetween(hourOption(values.from, 'from'), hourOption(values.to, 'to'));
  if (hours.length === 0) throw new UsageError(`--from ${values.from} is after --to ${values.to}`, BACKFILL_USAGE);
  if (hours.length > 24 * 366) throw new UsageError(`the range holds ${hours.length} hours; backfill at most a year at a time`, BACKFILL_USAGE);
  const { config } = loadRunConfig(values.config, undefined, values.pipeline, BACKFILL_USAGE);
  assertQueryable(config, hours, BACKFILL_USAGE);
  assertFetchable(config, hours, values['allow-current-data'], BACKFILL_USAGE);
  const session = await openSession(values, context);
  try {
    const results = await runHours(session, hours, out, err);
    const rows = results.map((r) => ({
      hour: r.hour.slice(0, 16) + 'Z',
      status: r.status,
      records: r.output?.transform?.records ?? '',
      curated: r.output?.transform?.curatedKey ?? '',
      error: r.error ?? '',
    }));
    out.write(`\n${formatTable({ columns: ['hour', 'status', 'records', 'curated', 'error'], rows }, 80)}\n`);
    return exitCode(results);
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
  if (result.status === 'FAILED') return 1;
  // A few data columns of what was just loaded, whatever the source: the first text column and the last numbers.
  const columns = (result.output?.transform?.columns ?? []).map((c) => c.split(' ') as [string, string]);
  const firstText = columns.find(([name, type]) => type === 'string' && !name.startsWith('lake_'));
  const numbers = columns.filter(([, type]) => type === 'double').slice(-3);
  const shown = [...(firstText ? [firstText] : []), ...numbers].map(([name]) => name);
  const sql = `SELECT dt, hour, ${[...shown, 'lake_ingested_at'].join(', ')} FROM ${config.table} ORDER BY dt DESC, hour DESC LIMIT 5`;
  out.write(`\nQuerying the curated lake with DuckDB (the local stand-in for Athena):\n  ${sql}\n\n${formatTable(await (await import('../lake-query.js')).queryLake(values.lake, sql))}\n`);
  return 0;
}
