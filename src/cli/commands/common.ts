import { ConfigError } from '../../core/errors.js';
import { hourFromEpochMs, scheduledHour, type Hour } from '../../core/layout.js';
import { parseConfig, type AppConfig, type PipelineConfig } from '../../core/config.js';
import { loadConfigFile } from '../../adapters/config-file.js';
import { UsageError } from '../args.js';

/** The `--pipeline` option of every command that works on one pipeline. */
export const PIPELINE_OPTION = { pipeline: { type: 'string' } } as const;

/** The options that find a deployed stack: its region, and `-c stackName=NAME` as cdk takes it. */
export const STACK_OPTIONS = { region: { type: 'string' }, context: { type: 'string', short: 'c', multiple: true } } as const;

/** The options that say which pipeline and lake, as a command line repeats them (the default lake left out). */
export function whereArgs(values: { config?: string; pipeline?: string; lake?: string }): string[] {
  return [values.config !== undefined && `--config ${values.config}`, values.pipeline !== undefined && `--pipeline ${values.pipeline}`, values.lake !== undefined && values.lake !== 'lake' && `--lake ${values.lake}`].filter(
    (a): a is string => typeof a === 'string',
  );
}

/** The pipeline `--pipeline` names; the only one when the config has one. A wrong or missing name lists the config's. */
export function selectPipeline(app: AppConfig, name: string | undefined, usage?: string): PipelineConfig {
  const names = app.pipelines.map((p) => p.name).join(', ');
  if (name === undefined) {
    if (app.pipelines.length === 1) return app.pipelines[0]!;
    throw new UsageError(`this config has ${app.pipelines.length} pipelines (${names}): choose one with --pipeline NAME`, usage);
  }
  const found = app.pipelines.find((p) => p.name === name);
  if (!found) throw new UsageError(`--pipeline ${name}: the config has no such pipeline; it has ${names}`, usage);
  return found;
}

/**
 * Loads the config, selects the pipeline and applies `--api-url` to it, validating the result (a bad URL is
 * refused like in the file). The app is returned with that pipeline changed: the twin synthesizes the whole app.
 */
export function loadRunConfig(configFile: string | undefined, apiUrl?: string, pipeline?: string, usage?: string): { app: AppConfig; config: PipelineConfig } {
  const app = loadConfigFile(configFile);
  const selected = selectPipeline(app, pipeline, usage);
  if (!apiUrl) return { app, config: selected };
  let config: PipelineConfig;
  try {
    config = { ...parseConfig({ ...selected, source: { ...selected.source, url: apiUrl } }, '--api-url'), name: selected.name };
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(`--api-url: ${error.problems.map((p) => p.replace(/^source\.url: /, '')).join('; ')}`);
    throw error;
  }
  return { app: { ...app, pipelines: app.pipelines.map((p) => (p === selected ? config : p)) }, config };
}

/** What `--hour` may be: `2026-11-25T18Z`, `2026-11-25T18:00Z`, `2026-11-25T18:00:00Z`, or with an offset such as `+11:00`. */
const HOUR_ARGUMENT = /^(\d{4}-\d{2}-\d{2}T\d{2})(:\d{2})?(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * `--hour` as a scheduled hour; the current UTC hour when absent. Short forms are completed to the RFC 3339
 * form the state machine's CheckInput accepts (seconds required) before anything starts.
 */
export function hourOption(value: string | undefined, name = 'hour', now = Date.now()): Hour {
  if (value === undefined) return hourFromEpochMs(now);
  const match = HOUR_ARGUMENT.exec(value);
  try {
    if (!match) throw new Error('no match');
    return scheduledHour(`${match[1]}${match[2] ?? ':00'}${match[3] ?? ':00'}${match[5]}`);
  } catch {
    throw new UsageError(`--${name} must be an ISO-8601 time with a zone such as 2026-11-25T18Z, 2026-11-25T18:00Z or 2026-11-25T18:00:00+11:00 (a real date and time), got "${value}"`);
  }
}

/**
 * Refuses hours Athena would not show: with partition projection (`catalog.mode` "projection") the table covers
 * `catalog.firstDate` to now, so an hour before it would be written and never seen. Names the first such hour and
 * what to change.
 */
export function assertQueryable(config: PipelineConfig, hours: readonly Hour[], usage: string): void {
  if (config.catalog.mode !== 'projection') return;
  const early = hours.filter((hour) => hour.date < config.catalog.firstDate);
  if (early.length === 0) return;
  const more = early.length > 1 ? ` (${early.length} of the ${hours.length} hours are)` : '';
  throw new UsageError(
    `hour ${early[0]!.iso.slice(0, 13)}Z is before catalog.firstDate ${config.catalog.firstDate}${more}: the table's partition projection starts there, so Athena would never show it. ` +
      `Set catalog.firstDate to ${early[0]!.date} or earlier in the config (and \`npx cdk deploy\`), or choose later hours`,
    usage,
  );
}
