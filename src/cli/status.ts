import type { PipelineConfig } from '../core/config.js';
import { asksForTheHour } from '../core/hour-template.js';
import { curatedObjectKey, rawHourPrefix, type Hour } from '../core/layout.js';
import { FsObjectStore } from '../adapters/local/fs-store.js';
import type { LakePaths } from '../adapters/local/lake-paths.js';
import { executionsOf, stillRunning } from './twin/execution-log.js';
import { causeMessage } from './format.js';

/** What an hour of a pipeline is, by what the lake and the executions hold. */
export type HourState = 'loaded' | 'skipped' | 'failed' | 'raw-only' | 'running' | 'missing';

/** One hour in `status --json`: these fields, in this order. */
export interface HourStatus {
  readonly hour: string;
  readonly state: HourState;
  readonly records: number | null;
  readonly reason: string | null;
}

/** What is known of an hour: its latest execution, whether raw objects exist, and the curated object's record count. */
export interface HourEvidence {
  readonly hour: Hour;
  readonly execution?: {
    readonly status: 'RUNNING' | 'SUCCEEDED' | 'SKIPPED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';
    /** A RUNNING execution that is not running any more (its process died, or AWS says otherwise). */
    readonly stale?: boolean;
    readonly step?: string;
    readonly error?: string;
    readonly cause?: string;
    readonly records?: number | null;
  };
  readonly raw: boolean;
  /** The curated object, with its record count when known; undefined when there is none. */
  readonly curated?: { readonly records: number | null };
}

/**
 * An hour's state: the latest execution decides (running, skipped, failed, or succeeded: loaded), and without
 * one (or one that was interrupted) what the zones hold does: a curated object is loaded, raw alone is raw-only,
 * nothing at all is missing. A succeeded hour with no records is loaded with 0.
 */
export function stateOf(e: HourEvidence): HourStatus {
  const hour = e.hour.iso.replace('.000Z', 'Z');
  const x = e.execution;
  const why = (x?: HourEvidence['execution']) => [x?.step, x?.error].filter(Boolean).join(' ') + (x?.cause ? `: ${oneLine(x.cause)}` : '');
  // An aborted execution (Ctrl-C, StopExecution) ended wherever it was: what the zones hold tells how far it got.
  const interrupted = x?.stale === true || x?.status === 'ABORTED';
  if (x && !interrupted) {
    if (x.status === 'RUNNING') return { hour, state: 'running', records: null, reason: null };
    if (x.status === 'SKIPPED') return { hour, state: 'skipped', records: null, reason: why(x) || 'the API stayed unavailable' };
    if (x.status === 'FAILED' || x.status === 'TIMED_OUT') {
      return { hour, state: 'failed', records: null, reason: why(x) || x.status };
    }
    return { hour, state: 'loaded', records: e.curated?.records ?? x.records ?? 0, reason: null };
  }
  if (e.curated) return { hour, state: 'loaded', records: e.curated.records, reason: null };
  if (e.raw) return { hour, state: 'raw-only', records: null, reason: interrupted ? 'its run was interrupted before the Parquet was written' : 'raw stored, no Parquet' };
  return { hour, state: 'missing', records: null, reason: interrupted ? 'its run was interrupted before anything was stored' : 'no run, no data' };
}

/** What the twin's lake knows of one hour: its latest execution, its raw objects, its curated object. */
export async function localHourEvidence(config: PipelineConfig, paths: LakePaths, hour: Hour, stores = { raw: new FsObjectStore(paths.raw), curated: new FsObjectStore(paths.curated) }): Promise<HourEvidence> {
  const latest = executionsOf(paths.executions, config.name, hour).at(-1);
  const meta = await stores.curated.head(curatedObjectKey(config.table, hour));
  return {
    hour,
    execution: latest && { ...latest, stale: latest.status === 'RUNNING' && !stillRunning(latest) },
    raw: (await stores.raw.list(rawHourPrefix(config.source.name, hour))).length > 0,
    curated: meta && { records: meta.records === undefined ? null : Number(meta.records) },
  };
}

/** The command that would mend a non-loaded hour, or undefined. */
export function fixOf(status: HourStatus, config: PipelineConfig, aws: boolean, now: number, args = ''): string | undefined {
  const h = status.hour.slice(0, 13) + 'Z';
  // The options the status was asked with (--config, --lake, --pipeline) go with the command that mends it.
  const pipeline = args;
  const rerun = aws
    ? `aws stepfunctions start-execution --state-machine-arn <StateMachineArn output> --input '{"time":"${status.hour}"}'`
    : `npx api-lake backfill --from ${h} --to ${h}${pipeline}`;
  // A "now"-only source cannot be asked again for a past hour.
  const past = Date.parse(status.hour) + 3_600_000 < now;
  const refetch = !asksForTheHour(config.source) && past ? 'the API answers only for now: this hour cannot be fetched again' : rerun;
  switch (status.state) {
    case 'raw-only':
      return `npx api-lake reprocess --from ${h} --to ${h}${pipeline}${aws ? ' --aws' : ''}`;
    case 'failed': {
      const reason = status.reason ?? '';
      if (/ApiAuthError/.test(reason)) return aws ? `npx api-lake set-key${pipeline}, then ${refetch}` : `set API_LAKE_API_KEY to the key, then ${refetch}`;
      if (/^Transform|SchemaError|CatalogRequestError|InvalidResponseError/.test(reason)) return `npx api-lake reprocess --from ${h} --to ${h}${pipeline}${aws ? ' --aws' : ''} (after fixing the cause)`;
      return refetch;
    }
    case 'skipped':
    case 'missing':
      return refetch;
    default:
      return undefined;
  }
}

const oneLine = (text: string) => {
  const flat = (causeMessage(text) ?? '').replace(/\s+/g, ' ').trim();
  return flat.length > 200 ? `${flat.slice(0, 197)}...` : flat;
};

const SYMBOLS: Record<HourState, { plain: string; color: string }> = {
  loaded: { plain: '#', color: '\x1b[32m■\x1b[0m' },
  skipped: { plain: 's', color: '\x1b[33ms\x1b[0m' },
  failed: { plain: 'x', color: '\x1b[31mx\x1b[0m' },
  'raw-only': { plain: 'r', color: '\x1b[35mr\x1b[0m' },
  running: { plain: '~', color: '\x1b[36m~\x1b[0m' },
  missing: { plain: '.', color: '\x1b[90m·\x1b[0m' },
};

/**
 * The grid: a row per UTC day, a cell per hour (a space between each six), blank where no run is scheduled;
 * then the legend, the totals, and every hour that is not loaded with its reason and the command that mends it.
 */
export function renderStatus(statuses: readonly HourStatus[], options: { color: boolean; title: string; fix: (s: HourStatus) => string | undefined }): string {
  const symbol = (state: HourState) => (options.color ? SYMBOLS[state].color : SYMBOLS[state].plain);
  const byDay = new Map<string, Map<number, HourState>>();
  for (const s of statuses) {
    const day = byDay.get(s.hour.slice(0, 10)) ?? new Map<number, HourState>();
    day.set(Number(s.hour.slice(11, 13)), s.state);
    byDay.set(s.hour.slice(0, 10), day);
  }
  const header = `            ${[0, 6, 12, 18].map((h) => String(h).padStart(2, '0').padEnd(7)).join('')}`.trimEnd();
  const rows = [...byDay].map(([day, cells]) => {
    const hours = Array.from({ length: 24 }, (_, h) => (cells.has(h) ? symbol(cells.get(h)!) : ' '));
    return `${day}  ${[0, 6, 12, 18].map((from) => hours.slice(from, from + 6).join('')).join(' ')}`;
  });
  const count = (state: HourState) => statuses.filter((s) => s.state === state).length;
  const legend = (Object.keys(SYMBOLS) as HourState[]).map((state) => `${symbol(state)} ${state}`).join('  ');
  const totals = (Object.keys(SYMBOLS) as HourState[]).map((state) => `${count(state)} ${state}`).join(', ');
  const records = statuses.reduce((n, s) => n + (s.records ?? 0), 0);
  const problems = statuses.filter((s) => s.state !== 'loaded' && s.state !== 'running');
  const lines = [options.title, header, ...rows, '', legend, `${statuses.length} scheduled hour${statuses.length === 1 ? '' : 's'}: ${totals}; ${records} record${records === 1 ? '' : 's'} loaded`];
  if (problems.length) {
    lines.push('', 'Not loaded:');
    // Hours in a row with one state and one cause are one line, and one command where it takes a range. The cause is
    // the reason up to its first ':' (the step and the error's name): the rest names the hour (its URL, its raw key).
    const cause = (s: HourStatus) => (s.reason ?? '').split(':')[0];
    const runs: HourStatus[][] = [];
    for (const s of statuses) {
      const last = runs.at(-1)?.at(-1);
      if (s.state === 'loaded' || s.state === 'running') runs.push([]);
      else if (last && last.state === s.state && cause(last) === cause(s)) runs.at(-1)!.push(s);
      else runs.push([s]);
    }
    for (const run of runs.filter((r) => r.length)) {
      const [first, last] = [run[0]!, run.at(-1)!];
      const [a, b] = [first.hour.slice(0, 13) + 'Z', last.hour.slice(0, 13) + 'Z'];
      const when = run.length === 1 ? a : `${a} to ${b} (${run.length} hours)`;
      let fix = options.fix(first);
      if (fix && run.length > 1) fix = fix.includes(`--to ${a}`) ? fix.replace(`--to ${a}`, `--to ${b}`) : `${fix} (and the same for each of the ${run.length} hours)`;
      const alike = run.every((s) => s.reason === first.reason);
      lines.push(`  ${when}  ${first.state}: ${alike ? '' : `(the first) `}${first.reason ?? ''}`.trimEnd(), ...(fix ? [`    fix: ${fix}`] : []));
    }
  }
  return lines.join('\n') + '\n';
}
