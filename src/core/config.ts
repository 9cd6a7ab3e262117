import * as z from 'zod/mini';
import { ConfigError } from './errors.js';
import { HOUR_PLACEHOLDERS, isHourPlaceholder, placeholdersIn } from './hour-template.js';

/** Defaults, held as named constants so docs, code and tests agree (README "Configuration"). */
export const DEFAULTS = {
  requestTimeoutSeconds: 10,
  // The transform peaks at about 11x the JSON size (about 280 MB for 25 MB, docs/benchmarks.md): 32 MiB stays well inside 1,769 MB.
  maxResponseBytes: 32 * 1024 * 1024,
  retryMaxAttempts: 3,
  retryIntervalSeconds: 20,
  retryBackoffRate: 2,
  retryMaxDelaySeconds: 300,
  rawInfrequentAccessAfterDays: 30,
  crawlerSchedule: 'cron(30 0 * * ? *)',
  catalogMode: 'projection',
  // The first date Athena's partition projection covers. A fixed date, not "the deploy date": a default that
  // moved would change the table on a later deploy and hide the hours before it.
  catalogFirstDate: '2026-01-01',
  fetchMemoryMb: 512,
  transformMemoryMb: 1769,
  logRetentionDays: 30,
  athenaResultsExpireDays: 7,
  secretField: 'apiKey',
  stackName: 'ApiLake',
  removal: 'destroy',
} as const;

/** Keeps the Fetch Lambda's timeout (2 request timeouts + 25 s) under Lambda's 900 s. */
export const MAX_REQUEST_TIMEOUT_SECONDS = 400;

const NAME = /^[a-z][a-z0-9_]{0,62}$/;
const SCHEDULE = /^(cron\(\S+( \S+){5}\)|rate\(\d+ (minute|minutes|hour|hours|day|days)\))$/;
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** True for http(s) URLs whose host is this machine: the only place a key may travel over plain http. */
export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname) || /^127(\.\d{1,3}){3}$/.test(hostname);
}

const sourceUrl = z.string().check(
  z.superRefine((value, ctx) => {
    checkPlaceholders(value, ctx);
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      ctx.addIssue({ code: 'custom', message: `must be an absolute https URL, got "${value}"`, input: value });
      return;
    }
    if (url.protocol === 'https:') return;
    if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) return;
    ctx.addIssue({
      code: 'custom',
      message: 'must be an https URL (plain http is allowed only for loopback hosts: the API key must never travel unencrypted)',
      input: value,
    });
  }),
);

const nonEmpty = z.string().check(z.minLength(1, 'must not be empty'));

/** An unknown hour placeholder (hour-template.ts) is an error that lists the known ones. */
function checkPlaceholders(value: string, ctx: z.core.$RefinementCtx<string>): void {
  for (const name of placeholdersIn(value)) {
    if (isHourPlaceholder(name)) continue;
    ctx.addIssue({ code: 'custom', message: `unknown placeholder {{${name}}}; the known ones are ${Object.keys(HOUR_PLACEHOLDERS).map((k) => `{{${k}}}`).join(', ')}`, input: value });
  }
}
/** A text that may hold hour placeholders. */
const templated = z.string().check(z.superRefine(checkPlaceholders));
/** How the key is sent: `auth.in`. */
export const AUTH_KINDS = ['query', 'header', 'bearer', 'none'] as const;
const auth = z.discriminatedUnion('in', [
  z.strictObject({ in: z.literal('query'), name: nonEmpty }),
  z.strictObject({ in: z.literal('header'), name: nonEmpty }),
  z.strictObject({ in: z.literal('bearer') }),
  z.strictObject({ in: z.literal('none') }),
]);

/** Column types a config may declare; undeclared numbers are DOUBLE (see README "Type mapping"). */
export const COLUMN_TYPES = ['double', 'bigint', 'string', 'boolean', 'timestamp'] as const;
export type ColumnType = (typeof COLUMN_TYPES)[number];

const integer = (min: number, max = Number.MAX_SAFE_INTEGER) => z.number().check(z.int(), z.gte(min), z.lte(max));
const withDefault = <T extends z.ZodMiniType>(schema: T, value: z.output<T>) => z._default(schema, value as never);
const NAME_RULE = 'must be lowercase letters, digits and _, starting with a letter (at most 63)';
/** CloudFormation's rule for a stack name. */
const STACK_NAME = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;
/**
 * Who keeps the Glue table: `projection`, the stack defines it with partition projection and the pipeline
 * adds new columns as they arrive; `crawler`, a scheduled Glue crawler catalogs the curated prefix.
 */
export const CATALOG_MODES = ['projection', 'crawler'] as const;
export type CatalogMode = (typeof CATALOG_MODES)[number];

/** A real calendar date, `YYYY-MM-DD`. */
const calendarDate = z.string().check(
  z.refine((value) => {
    const ms = /^\d{4}-\d{2}-\d{2}$/.test(value) ? Date.parse(`${value}T00:00:00Z`) : NaN;
    return !Number.isNaN(ms) && new Date(ms).toISOString().startsWith(value); // 2026-02-30 parses as 2026-03-02
  }, 'must be a date YYYY-MM-DD that exists on the calendar'),
);

/** What `cdk destroy` does with the raw and curated buckets: delete them with their data, or keep them. */
export const REMOVAL_POLICIES = ['destroy', 'retain'] as const;
const SCHEDULE_RULE = 'must be an EventBridge schedule expression: cron(m h dom mon dow y) or rate(N unit)';

const sourceSchema = z.strictObject({
  name: z.string().check(z.regex(NAME, NAME_RULE)),
  url: sourceUrl,
  params: withDefault(z.record(z.string(), templated), {}),
  headers: withDefault(z.record(z.string(), templated), {}),
  auth,
  recordsPath: withDefault(z.string().check(z.regex(/^$|^[^.]+(\.[^.]+)*$/, 'must be "" or a dotted path such as "data.items"')), ''),
  columns: withDefault(
    z.record(
      z.string().check(z.refine((name) => name !== 'dt' && name !== 'hour', 'dt and hour are the partition keys: a field of that name is stored as source_dt / source_hour, so declare that name')),
      z.enum(COLUMN_TYPES),
    ),
    {},
  ),
  // At most 400: the Fetch Lambda's timeout is 2x this plus 25 s (infra/timeouts.ts), and Lambda allows 900 s.
  timeoutSeconds: withDefault(integer(1, MAX_REQUEST_TIMEOUT_SECONDS), DEFAULTS.requestTimeoutSeconds),
  maxResponseBytes: withDefault(integer(1), DEFAULTS.maxResponseBytes),
  secretName: z.optional(nonEmpty),
  secretField: withDefault(nonEmpty, DEFAULTS.secretField),
});

const configSchema = z.strictObject({
  /** One config, one deployment: the stack every command (cdk, destroy, verify) works on. `-c stackName=` overrides it. */
  stackName: withDefault(z.string().check(z.regex(STACK_NAME, 'must be a CloudFormation stack name: letters, digits and -, starting with a letter (at most 128)')), DEFAULTS.stackName),
  source: sourceSchema,
  table: z.string().check(z.regex(NAME, NAME_RULE)),
  schedule: z.string().check(z.regex(SCHEDULE, SCHEDULE_RULE)),
  retry: z.prefault(
    z.strictObject({
      maxAttempts: withDefault(integer(0, 10), DEFAULTS.retryMaxAttempts),
      intervalSeconds: withDefault(integer(1), DEFAULTS.retryIntervalSeconds),
      backoffRate: withDefault(z.number().check(z.gte(1), z.lte(10)), DEFAULTS.retryBackoffRate),
      maxDelaySeconds: withDefault(integer(1), DEFAULTS.retryMaxDelaySeconds),
    }),
    {},
  ),
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
  crawler: z.prefault(z.strictObject({ schedule: withDefault(z.string().check(z.regex(SCHEDULE, SCHEDULE_RULE)), DEFAULTS.crawlerSchedule) }), {}),
  lambda: z.prefault(
    z.strictObject({
      fetchMemoryMb: withDefault(integer(128, 10240), DEFAULTS.fetchMemoryMb),
      transformMemoryMb: withDefault(integer(128, 10240), DEFAULTS.transformMemoryMb),
    }),
    {},
  ),
});

/** The validated pipeline configuration, with every default applied. */
export type PipelineConfig = z.output<typeof configSchema>;
export type SourceConfig = PipelineConfig['source'];

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
  // reportInput lets a missing field be told apart from a wrong one; a config never holds the key.
  const result = configSchema.safeParse(input, { reportInput: true });
  if (result.success) return result.data;
  throw new ConfigError(result.error.issues.map(formatIssue), origin);
}

/** Parses config text (JSON), naming the file in every message. */
export function parseConfigText(text: string, origin: string): PipelineConfig {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError([`not valid JSON: ${(error as Error).message}`], origin);
  }
  return parseConfig(json, origin);
}

/**
 * `path: rule` for one issue. zod/mini ships no message locale (it keeps the Lambda bundle about
 * 400 KB smaller than zod), so every rule is worded here or in the schema.
 */
function formatIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.length ? issue.path.map(String).join('.') : '(root)';
  const rule = (() => {
    switch (issue.code) {
      case 'unrecognized_keys':
        return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')} (remove or fix the spelling)`;
      case 'invalid_type':
        return issue.input === undefined ? 'is required' : `must be ${issue.expected === 'int' ? 'an integer' : `a ${issue.expected}`}, got ${JSON.stringify(issue.input)}`;
      case 'too_small':
        return `must be at least ${issue.minimum}`;
      case 'too_big':
        return `must be at most ${issue.maximum}`;
      case 'invalid_value':
        return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
      case 'invalid_key':
        // A record's key broke its rule (source.columns): the rule's own message says which and why.
        return issue.issues[0]?.message ?? 'is not an allowed key';
      case 'invalid_union':
        // The only union is `auth`, discriminated by `in`.
        return `must be one of ${AUTH_KINDS.map((k) => `"${k}"`).join(', ')}`;
      default:
        return issue.message && issue.message !== 'Invalid input' ? issue.message : `is invalid (${issue.code})`;
    }
  })();
  return `${path}: ${issue.code === 'invalid_format' || issue.code === 'custom' ? issue.message : rule}`;
}
