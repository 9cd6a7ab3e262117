import * as z from 'zod/mini';
import { calendarDate, integer, name, withDefault } from './config-rules.js';
import { DEFAULTS } from './defaults.js';
import { ConfigError } from './errors.js';
import { jsonSyntaxErrorAt, lineAndColumn } from './json-syntax.js';
import { AUTH_KINDS, PAGINATION_TYPES, sourceSchema } from './source-config.js';
import { hourFromEpochMs } from './layout.js';
import { scheduledHours } from './schedule.js';

export { DEFAULTS } from './defaults.js';
export { AUTH_KINDS, COLUMN_TYPES, isLoopbackHost, MAX_REQUEST_TIMEOUT_SECONDS, type ColumnType } from './source-config.js';

const SCHEDULE = /^(cron\(\S+( \S+){5}\)|rate\(\d+ (minute|minutes|hour|hours|day|days)\))$/;
/** CloudFormation's rule for a stack name. */
const STACK_NAME = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;

/**
 * Who keeps the Glue table: `projection`, the stack defines it with partition projection and the pipeline
 * adds new columns as they arrive; `crawler`, a scheduled Glue crawler catalogs the curated prefix.
 */
export const CATALOG_MODES = ['projection', 'crawler'] as const;
export type CatalogMode = (typeof CATALOG_MODES)[number];

/** What `cdk destroy` does with the raw and curated buckets: delete them with their data, or keep them. */
export const REMOVAL_POLICIES = ['destroy', 'retain'] as const;
const SCHEDULE_RULE = 'must be an EventBridge schedule expression: cron(m h dom mon dow y) or rate(N unit)';

const stackName = withDefault(z.string().check(z.regex(STACK_NAME, 'must be a CloudFormation stack name: letters, digits and -, starting with a letter (at most 128)')), DEFAULTS.stackName);
const schedule = z.string().check(z.regex(SCHEDULE, SCHEDULE_RULE));

/** What each pipeline has of its own: its source, its table, its schedule, its retries and its functions' memory. */
const pipelineFields = {
  /** The pipeline's name (`--pipeline`, construct ids, outputs); default: the source's name. */
  name: z.optional(name),
  source: sourceSchema,
  table: name,
  schedule,
  retry: z.prefault(
    z.strictObject({
      maxAttempts: withDefault(integer(0, 10), DEFAULTS.retryMaxAttempts),
      intervalSeconds: withDefault(integer(1), DEFAULTS.retryIntervalSeconds),
      backoffRate: withDefault(z.number().check(z.gte(1), z.lte(10)), DEFAULTS.retryBackoffRate),
      maxDelaySeconds: withDefault(integer(1), DEFAULTS.retryMaxDelaySeconds),
    }),
    {},
  ),
  lambda: z.prefault(
    z.strictObject({
      fetchMemoryMb: withDefault(integer(128, 10240), DEFAULTS.fetchMemoryMb),
      transformMemoryMb: withDefault(integer(128, 10240), DEFAULTS.transformMemoryMb),
    }),
    {},
  ),
  /**
   * CloudWatch alarms on the pipeline's output (a day at most: an alarm evaluates at most 24 hourly periods); 0 turns
   * one off. An unset staleAfterHours follows the schedule (see staleAfterHoursFor).
   */
  alerts: z.prefault(
    z.strictObject({
      staleAfterHours: z.optional(integer(0, 24)),
      skippedHoursInARow: z.optional(integer(0, 24)),
    }),
    {},
  ),
};

/** What the pipelines of one app share: the stack, the zones, the catalog. */
const sharedFields = {
  /** One config, one deployment: the stack every command (cdk, destroy, verify) works on. `-c stackName=` overrides it. */
  stackName,
  storage: z.prefault(
    z.strictObject({
      rawInfrequentAccessAfterDays: withDefault(integer(30), DEFAULTS.rawInfrequentAccessAfterDays),
      logRetentionDays: withDefault(integer(1), DEFAULTS.logRetentionDays),
      athenaResultsExpireDays: withDefault(integer(1), DEFAULTS.athenaResultsExpireDays),
      removal: withDefault(z.enum(REMOVAL_POLICIES), DEFAULTS.removal),
    }),
    {},
  ),
  catalog: z.prefault(
    z.strictObject({
      mode: withDefault(z.enum(CATALOG_MODES), DEFAULTS.catalogMode),
      firstDate: withDefault(calendarDate, DEFAULTS.catalogFirstDate),
    }),
    {},
  ),
  crawler: z.prefault(z.strictObject({ schedule: withDefault(schedule, DEFAULTS.crawlerSchedule) }), {}),
};

/** One pipeline: the single form of a config file, and what each Lambda gets in PIPELINE_CONFIG. */
const configSchema = z.strictObject({ ...sharedFields, ...pipelineFields });
/** Several pipelines in one app: `pipelines` holds each one's own fields; the rest is shared. */
const appSchema = z.strictObject({ ...sharedFields, pipelines: z.array(z.strictObject(pipelineFields)).check(z.minLength(1, 'must hold at least one pipeline'), z.maxLength(20, 'must hold at most 20 pipelines')) });

type ParsedPipeline = z.output<typeof configSchema>;
/** One pipeline's validated configuration, with every default applied and its name set. */
export type PipelineConfig = Omit<ParsedPipeline, 'alerts'> & {
  readonly name: string;
  readonly alerts: { readonly staleAfterHours: number; readonly skippedHoursInARow: number };
};

/** A config file: one pipeline, or several that share the stack, the zones and the catalog. */
export interface AppConfig {
  readonly stackName: string;
  readonly pipelines: readonly PipelineConfig[];
}
export type SourceConfig = PipelineConfig['source'];

/** The longest gap between a schedule's hours (1 for an hourly one), over a sample fortnight. */
function longestGapHours(expression: string): number {
  const from = Date.UTC(2026, 0, 5); // a Monday
  const hours = scheduledHours(expression, hourFromEpochMs(from), hourFromEpochMs(from + 14 * 86_400_000 - 1)).map((h) => Date.parse(h.iso) / 3_600_000);
  return hours.slice(1).reduce((gap, h, i) => Math.max(gap, h - hours[i]!), hours.length ? 1 : 24 * 14);
}

/**
 * The freshness alarm's default: DEFAULTS.staleAfterHours for an hourly schedule, the longest gap between runs
 * plus 2 (a late Transform's slack) for a sparser one, off (0) when runs are a day or more apart.
 */
export function staleAfterHoursFor(schedule: string): number {
  const gap = longestGapHours(schedule);
  return gap >= 24 ? 0 : Math.min(24, Math.max(DEFAULTS.staleAfterHours, gap + 2));
}

/**
 * The period, in hours, over which the skipped-runs alarm counts skips: an hour for an hourly schedule, the
 * longest gap between runs for a sparser one (so that each period holds a run), a day at most (CloudWatch).
 */
export function skippedPeriodHours(schedule: string): number {
  return Math.min(24, longestGapHours(schedule));
}

/**
 * The skipped-runs alarm's default: DEFAULTS.skippedHoursInARow runs in a row, or as many periods as fit in the
 * day an alarm can look back (one for a schedule a day or more apart).
 */
export function skippedInARowFor(schedule: string): number {
  return Math.min(DEFAULTS.skippedHoursInARow, Math.floor(24 / skippedPeriodHours(schedule)));
}

/** A config in either form as an app: one pipeline is an app of one. */
export function asAppConfig(config: PipelineConfig | AppConfig): AppConfig {
  return 'pipelines' in config ? config : { stackName: config.stackName, pipelines: [config] };
}

/** The stack a command works on: `-c stackName=` (CDK context) when given, else the config's `stackName`. */
export function stackNameOf(config: Pick<PipelineConfig, 'stackName'>, contextStackName?: string): string {
  return contextStackName ?? config.stackName;
}

/** The Secrets Manager name of a source's API key. */
export function secretNameOf(source: Pick<SourceConfig, 'name' | 'secretName'>): string {
  return source.secretName ?? `api-lake/${source.name}/api-key`;
}

/**
 * Validates untrusted configuration. Reports every problem at once, each as `path: rule`,
 * so a user fixes them all in one go.
 */
export function parseConfig(input: unknown, origin = 'configuration'): PipelineConfig {
  const app = parseAppConfig(input, origin);
  if (app.pipelines.length !== 1) throw new ConfigError([`pipelines: ${app.pipelines.length} pipelines where one is expected`], origin);
  return app.pipelines[0]!;
}

/**
 * Validates a config file in either form: one pipeline (source, table, schedule at the top) or several
 * (`pipelines`). Names, tables and sources must differ between pipelines: two writing one table or one raw
 * prefix would overwrite each other.
 */
export function parseAppConfig(input: unknown, origin = 'configuration'): AppConfig {
  // reportInput lets a missing field be told apart from a wrong one; a config never holds the key.
  const several = typeof input === 'object' && input !== null && 'pipelines' in input;
  const result = (several ? appSchema : configSchema).safeParse(input, { reportInput: true });
  if (!result.success) throw new ConfigError(result.error.issues.map(formatIssue), origin);
  const { pipelines: listed, ...shared } = (several ? result.data : { ...result.data, pipelines: [result.data] }) as z.output<typeof appSchema>;
  const pipelines = listed.map(
    (own): PipelineConfig => ({
      ...shared,
      ...own,
      name: own.name ?? own.source.name,
      alerts: {
        staleAfterHours: own.alerts.staleAfterHours ?? staleAfterHoursFor(own.schedule),
        skippedHoursInARow: own.alerts.skippedHoursInARow ?? skippedInARowFor(own.schedule),
      },
    }),
  );
  const problems: string[] = [];
  for (const [field, of] of [
    ['name', (p: PipelineConfig) => p.name],
    ['table', (p: PipelineConfig) => p.table],
    ['source.name', (p: PipelineConfig) => p.source.name],
  ] as const) {
    const seen = new Map<string, number>();
    pipelines.forEach((p, i) => {
      const value = of(p);
      if (seen.has(value)) problems.push(`pipelines.${i}.${field}: "${value}" is also pipeline ${seen.get(value)}'s; each pipeline needs its own ${field === 'name' ? 'name' : field === 'table' ? 'table' : 'source name (its raw prefix)'}`);
      else seen.set(value, i);
    });
  }
  listed.forEach((own, i) => {
    // The freshness alarm fires when no hour landed for staleAfterHours: shorter than the schedule's gaps, it always would.
    const p = pipelines[i]!;
    const gap = longestGapHours(p.schedule);
    if (own.alerts.staleAfterHours !== undefined && p.alerts.staleAfterHours > 0 && gap >= p.alerts.staleAfterHours) {
      const advice = gap < 24 ? `set it above ${gap} (at most 24)` : 'a schedule with a day or more between runs cannot be watched by it: set it to 0 (off)';
      problems.push(`${several ? `pipelines.${i}.` : ''}alerts.staleAfterHours: ${p.alerts.staleAfterHours} hours, but the schedule ${p.schedule} leaves ${gap} hours between runs: ${advice}`);
    }
    // The skipped-runs alarm looks at one period per run: N of them must fit in the day an alarm can look back.
    const period = skippedPeriodHours(p.schedule);
    if (own.alerts.skippedHoursInARow !== undefined && p.alerts.skippedHoursInARow * period > 24) {
      problems.push(
        `${several ? `pipelines.${i}.` : ''}alerts.skippedHoursInARow: ${p.alerts.skippedHoursInARow} skipped runs of the schedule ${p.schedule} span up to ${p.alerts.skippedHoursInARow * period} hours, but an alarm looks back 24 hours at most: set it to at most ${Math.floor(24 / period)}, or 0 (off)`,
      );
    }
  });
  if (problems.length) throw new ConfigError(problems, origin);
  return { stackName: shared.stackName, pipelines };
}

/** Parses config text (JSON), naming the file in every message and the line and column of a JSON error. */
export function parseConfigText(text: string, origin: string): AppConfig {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError([jsonProblem(text, error as Error)], origin, { cause: error });
  }
  return parseAppConfig(json, origin);
}

/**
 * `line L, column C: not valid JSON: reason`. The reason is JSON.parse's, less what Node 20 appends ("in JSON at
 * position N", or an excerpt: `, ..."text"... is not valid JSON`), with a control character such as an
 * unexpected line break written as an escape. The place is found here: Node 20 gives none for some errors.
 */
function jsonProblem(text: string, error: Error): string {
  const reason = error.message
    .replace(/ in JSON at position \d+.*$|, (\.\.\.)?".*is not valid JSON$/s, '')
    .replace(/[\u0000-\u001f]/g, (char) => JSON.stringify(char).slice(1, -1));
  const offset = jsonSyntaxErrorAt(text);
  const place = offset === undefined ? undefined : lineAndColumn(text, offset);
  return `${place ? `line ${place.line}, column ${place.column}: ` : ''}not valid JSON: ${reason.charAt(0).toLowerCase()}${reason.slice(1)}`;
}

/**
 * `path: rule` for one issue. zod/mini ships no message locale (it keeps the Lambda bundle about
 * 400 KB smaller than zod), so every rule is worded here or in the schema.
 */
function formatIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_union' && issue.path.at(-1) === 'fanOut') {
    // Of fanOut's two shapes, the one the input comes closest to (a single problem) says what is wrong with it.
    const closest = issue.errors.reduce<z.core.$ZodIssue[] | undefined>((best, list) => (!best || list.length < best.length ? list : best), undefined);
    if (closest?.length === 1) return formatIssue({ ...closest[0]!, path: [...issue.path, ...closest[0]!.path] } as z.core.$ZodIssue);
  }
  const path = issue.path.length ? issue.path.map(String).join('.') : '(root)';
  const rule = (() => {
    switch (issue.code) {
      case 'unrecognized_keys':
        return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')} (remove or fix the spelling)`;
      case 'invalid_type':
        return issue.input === undefined ? 'is required' : `must be ${typeName(issue.expected)}, got ${excerpt(issue.input)}`;
      case 'too_small':
      case 'too_big':
        return issue.message && issue.message !== 'Invalid input' ? issue.message : boundRule(issue);
      case 'invalid_value':
        return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
      case 'invalid_key':
        // A record's key broke its rule (source.columns): the rule's own message says which and why.
        return issue.issues[0]?.message ?? 'is not an allowed key';
      case 'invalid_union': {
        // A discriminated union names its kinds; fanOut is one of two shapes.
        // A wrong discriminator (`in`, `type`) is reported at its own path: name the union it belongs to.
        const last = String(issue.path.filter((key) => key !== 'in' && key !== 'type').at(-1) ?? '');
        if (last === 'auth') return `must be one of ${AUTH_KINDS.map((k) => `"${k}"`).join(', ')}`;
        if (last === 'pagination') return `must be one of ${PAGINATION_TYPES.map((k) => `{"type": "${k}", ...}`).join(', ')}, each with its fields (README "How a request chain runs")`;
        if (last === 'fanOut') return 'must be {"param": NAME, "values": [...]} or {"params": [{...}, ...]}, with an optional "concurrency"';
        return 'is not one of the allowed shapes';
      }
      default:
        return issue.message && issue.message !== 'Invalid input' ? issue.message : `is invalid (${issue.code})`;
    }
  })();
  return `${path}: ${issue.code === 'invalid_format' || issue.code === 'custom' ? issue.message : rule}`;
}

/** A JSON type with its article, in JSON's words: a zod record is an object (of values keyed by name). */
function typeName(expected: string): string {
  const name = expected === 'int' ? 'integer' : expected === 'record' ? 'object' : expected;
  return `${/^[aeio]|^u(?!ni)/.test(name) ? 'an' : 'a'} ${name}`;
}

/** A value as JSON, cut short: enough to find it in the file. */
function excerpt(value: unknown): string {
  const json = JSON.stringify(value) ?? String(value);
  return json.length > 40 ? `${json.slice(0, 37)}...` : json;
}

/** A bound that was crossed: of a number (strict or not), of a text's length or of a list's items. */
function boundRule(issue: z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig): string {
  const [bound, word] = issue.code === 'too_small' ? [issue.minimum, issue.inclusive === false ? 'more than' : 'at least'] : [issue.maximum, issue.inclusive === false ? 'less than' : 'at most'];
  const plural = Number(bound) === 1 ? '' : 's';
  if (issue.origin === 'string') return `must be ${word} ${bound} character${plural} long`;
  if (issue.origin === 'array') return `must hold ${word} ${bound} item${plural}`;
  return `must be ${word} ${bound}`;
}
