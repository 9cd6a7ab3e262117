import { z } from 'zod';
import { ConfigError } from './errors.js';

/** Defaults, held as named constants so docs, code and tests agree (README "Configuration"). */
export const DEFAULTS = {
  requestTimeoutSeconds: 10,
  // The transform peaks near 23x the JSON size (about 580 MB for 25 MB, docs/benchmarks.md): 32 MiB stays inside 1,769 MB.
  maxResponseBytes: 32 * 1024 * 1024,
  retryMaxAttempts: 3,
  retryIntervalSeconds: 20,
  retryBackoffRate: 2,
  retryMaxDelaySeconds: 300,
  rawInfrequentAccessAfterDays: 30,
  crawlerSchedule: 'cron(30 0 * * ? *)',
  fetchMemoryMb: 512,
  transformMemoryMb: 1769,
  logRetentionDays: 30,
  athenaResultsExpireDays: 7,
  secretField: 'apiKey',
} as const;

const NAME = /^[a-z][a-z0-9_]{0,62}$/;
const SCHEDULE = /^(cron\(\S+( \S+){5}\)|rate\(\d+ (minute|minutes|hour|hours|day|days)\))$/;
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** True for http(s) URLs whose host is this machine: the only place a key may travel over plain http. */
export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname) || /^127(\.\d{1,3}){3}$/.test(hostname);
}

const sourceUrl = z.string().superRefine((value, ctx) => {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    ctx.addIssue({ code: 'custom', message: `must be an absolute https URL, got "${value}"` });
    return;
  }
  if (url.protocol === 'https:') return;
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) return;
  ctx.addIssue({
    code: 'custom',
    message: 'must be an https URL (plain http is allowed only for loopback hosts: the API key must never travel unencrypted)',
  });
});

const auth = z.discriminatedUnion('in', [
  z.strictObject({ in: z.literal('query'), name: z.string().min(1) }),
  z.strictObject({ in: z.literal('header'), name: z.string().min(1) }),
  z.strictObject({ in: z.literal('bearer') }),
  z.strictObject({ in: z.literal('none') }),
]);

/** Column types a config may declare; undeclared numbers are DOUBLE (see README "Type mapping"). */
export const COLUMN_TYPES = ['double', 'bigint', 'string', 'boolean', 'timestamp'] as const;
export type ColumnType = (typeof COLUMN_TYPES)[number];

const positiveInt = z.number().int().positive();

const sourceSchema = z.strictObject({
  name: z.string().regex(NAME, 'must be lowercase letters, digits and _, starting with a letter (at most 63)'),
  url: sourceUrl,
  params: z.record(z.string(), z.string()).default({}),
  headers: z.record(z.string(), z.string()).default({}),
  auth,
  recordsPath: z.string().regex(/^$|^[^.]+(\.[^.]+)*$/, 'must be "" or a dotted path such as "data.items"').default(''),
  columns: z.record(z.string(), z.enum(COLUMN_TYPES)).default({}),
  timeoutSeconds: positiveInt.max(600).default(DEFAULTS.requestTimeoutSeconds),
  maxResponseBytes: positiveInt.default(DEFAULTS.maxResponseBytes),
  secretName: z.string().min(1).optional(),
  secretField: z.string().min(1).default(DEFAULTS.secretField),
});

const configSchema = z.strictObject({
  source: sourceSchema,
  table: z.string().regex(NAME, 'must be lowercase letters, digits and _, starting with a letter (at most 63)'),
  schedule: z.string().regex(SCHEDULE, 'must be an EventBridge schedule expression: cron(m h dom mon dow y) or rate(N unit)'),
  retry: z
    .strictObject({
      maxAttempts: z.number().int().min(0).max(10).default(DEFAULTS.retryMaxAttempts),
      intervalSeconds: positiveInt.default(DEFAULTS.retryIntervalSeconds),
      backoffRate: z.number().min(1).max(10).default(DEFAULTS.retryBackoffRate),
      maxDelaySeconds: positiveInt.default(DEFAULTS.retryMaxDelaySeconds),
    })
    .prefault({}),
  storage: z
    .strictObject({
      rawInfrequentAccessAfterDays: z.number().int().min(30).default(DEFAULTS.rawInfrequentAccessAfterDays),
      logRetentionDays: positiveInt.default(DEFAULTS.logRetentionDays),
      athenaResultsExpireDays: positiveInt.default(DEFAULTS.athenaResultsExpireDays),
    })
    .prefault({}),
  crawler: z
    .strictObject({ schedule: z.string().regex(SCHEDULE, 'must be cron(...) or rate(...)').default(DEFAULTS.crawlerSchedule) })
    .prefault({}),
  lambda: z
    .strictObject({
      fetchMemoryMb: z.number().int().min(128).max(10240).default(DEFAULTS.fetchMemoryMb),
      transformMemoryMb: z.number().int().min(128).max(10240).default(DEFAULTS.transformMemoryMb),
    })
    .prefault({}),
});

/** The validated pipeline configuration, with every default applied. */
export type PipelineConfig = z.infer<typeof configSchema>;
export type SourceConfig = PipelineConfig['source'];

/** The Secrets Manager name of a source's API key. */
export function secretNameOf(source: Pick<SourceConfig, 'name' | 'secretName'>): string {
  return source.secretName ?? `api-lake/${source.name}/api-key`;
}

/**
 * Validates untrusted configuration. Reports every problem at once, each as `path: rule`,
 * so a user fixes them all in one go.
 */
export function parseConfig(input: unknown, origin = 'configuration'): PipelineConfig {
  const result = configSchema.safeParse(input);
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

function formatIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.length ? issue.path.map(String).join('.') : '(root)';
  if (issue.code === 'unrecognized_keys') {
    return `${path}: unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')} (remove or fix the spelling)`;
  }
  if (issue.code === 'invalid_type' && /received undefined/.test(issue.message)) return `${path}: is required`;
  return `${path}: ${issue.message}`;
}
