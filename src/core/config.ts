import * as z from 'zod/mini';
import { calendarDate, integer, name, withDefault } from './config-rules.js';
import { DEFAULTS } from './defaults.js';
import { ConfigError } from './errors.js';
import { AUTH_KINDS, PAGINATION_TYPES, sourceSchema } from './source-config.js';

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

const configSchema = z.strictObject({
  /** One config, one deployment: the stack every command (cdk, destroy, verify) works on. `-c stackName=` overrides it. */
  stackName: withDefault(z.string().check(z.regex(STACK_NAME, 'must be a CloudFormation stack name: letters, digits and -, starting with a letter (at most 128)')), DEFAULTS.stackName),
  source: sourceSchema,
  table: name,
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
        return issue.message && issue.message !== 'Invalid input' ? issue.message : `must be at least ${issue.minimum}`;
      case 'too_big':
        return issue.message && issue.message !== 'Invalid input' ? issue.message : `must be at most ${issue.maximum}`;
      case 'invalid_value':
        return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
      case 'invalid_key':
        // A record's key broke its rule (source.columns): the rule's own message says which and why.
        return issue.issues[0]?.message ?? 'is not an allowed key';
      case 'invalid_union': {
        // A discriminated union names its kinds; fanOut is one of two shapes.
        const last = String(issue.path.at(-1) ?? '');
        if (last === 'auth') return `must be one of ${AUTH_KINDS.map((k) => `{"in": "${k}", ...}`).join(', ')}`;
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
