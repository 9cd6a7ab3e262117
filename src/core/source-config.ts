import * as z from 'zod/mini';
import { integer, jsonPath, name, nonEmpty, withDefault } from './config-rules.js';
import { DEFAULTS } from './defaults.js';
import { HOUR_PLACEHOLDERS, isHourPlaceholder, placeholdersIn } from './hour-template.js';

/** Keeps the Fetch Lambda's timeout (2 request timeouts + 25 s) under Lambda's 900 s. */
export const MAX_REQUEST_TIMEOUT_SECONDS = 400;
/**
 * Requests of one hour a fan-out may make. Beyond it an inline Map would pass Step Functions' 256 KB state
 * payload (the plan and the results travel in the state) and its 25,000 history events; that is where a
 * Distributed Map is needed (README "Fan-out").
 */
export const MAX_FAN_OUT = 500;
/** Pages of one request chain at most (`maxPages`): the page number has 4 digits in the raw key. */
export const MAX_PAGES = 9999;

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** True for http(s) URLs whose host is this machine: the only place a key may travel over plain http. */
/**
 * The ports fetch refuses to connect to (the Fetch standard's "port blocking"; Node's fetch, undici, on Lambda
 * as here): a URL on one of them fails every call, so it is a config error rather than an hour skipped for ever.
 */
const BLOCKED_PORTS = new Set([
  1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102, 103, 104, 109, 110, 111, 113, 115, 117, 119, 123, 135, 137,
  139, 143, 161, 179, 389, 427, 465, 512, 513, 514, 515, 526, 530, 531, 532, 540, 548, 554, 556, 563, 587, 601, 636, 989, 990, 993, 995, 1719, 1720, 1723,
  2049, 3659, 4045, 4190, 5060, 5061, 6000, 6566, 6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080,
]);

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
    if (url.port && BLOCKED_PORTS.has(Number(url.port))) {
      ctx.addIssue({ code: 'custom', message: `port ${url.port} is one fetch never connects to (the Fetch standard's "bad ports", blocked as browsers block them): use another port`, input: value });
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

/** An unknown hour placeholder (hour-template.ts) is an error that lists the known ones. */
function checkPlaceholders(value: string, ctx: z.core.$RefinementCtx<string>): void {
  for (const placeholder of placeholdersIn(value)) {
    if (isHourPlaceholder(placeholder)) continue;
    ctx.addIssue({ code: 'custom', message: `unknown placeholder {{${placeholder}}}; the known ones are ${Object.keys(HOUR_PLACEHOLDERS).map((k) => `{{${k}}}`).join(', ')}`, input: value });
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

/** How the next page of a request chain is asked for: `pagination.type` (README "How a request chain runs"). */
export const PAGINATION_TYPES = ['cursor', 'offset', 'page', 'link-header', 'next-url'] as const;
const pagination = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('cursor'), cursorPath: jsonPath, param: nonEmpty }),
  z.strictObject({ type: z.literal('offset'), limitParam: nonEmpty, offsetParam: nonEmpty, limit: integer(1), totalPath: z.optional(jsonPath) }),
  z.strictObject({ type: z.literal('page'), param: nonEmpty, start: withDefault(integer(0), 1), totalPagesPath: z.optional(jsonPath) }),
  z.strictObject({ type: z.literal('link-header') }),
  z.strictObject({ type: z.literal('next-url'), path: jsonPath }),
]);

const concurrency = withDefault(integer(1, 40), DEFAULTS.fanOutConcurrency);
const fanOut = z.union([
  z.strictObject({ param: nonEmpty, values: z.array(templated).check(z.minLength(1, 'must hold at least one value'), z.maxLength(MAX_FAN_OUT, `must hold at most ${MAX_FAN_OUT} values`)), concurrency }),
  z.strictObject({
    params: z.array(z.record(z.string(), templated)).check(z.minLength(1, 'must hold at least one set of parameters'), z.maxLength(MAX_FAN_OUT, `must hold at most ${MAX_FAN_OUT} sets`)),
    concurrency,
  }),
]);

export const sourceSchema = z
  .strictObject({
    name,
    url: sourceUrl,
    params: withDefault(z.record(z.string(), templated), {}),
    headers: withDefault(z.record(z.string(), templated), {}),
    auth,
    recordsPath: withDefault(z.string().check(z.regex(/^$|^[^.]+(\.[^.]+)*$/, 'must be "" or a dotted path such as "data.items"')), ''),
    columns: withDefault(
      z.record(
        z.string().check(z.refine((column) => column !== 'dt' && column !== 'hour', 'dt and hour are the partition keys: a field of that name is stored as source_dt / source_hour, so declare that name')),
        z.enum(COLUMN_TYPES),
      ),
      {},
    ),
    // At most 400: the Fetch Lambda's timeout is 2x this plus 25 s (infra/timeouts.ts), and Lambda allows 900 s.
    timeoutSeconds: withDefault(integer(1, MAX_REQUEST_TIMEOUT_SECONDS), DEFAULTS.requestTimeoutSeconds),
    maxResponseBytes: withDefault(integer(1), DEFAULTS.maxResponseBytes),
    secretName: z.optional(nonEmpty),
    secretField: withDefault(nonEmpty, DEFAULTS.secretField),
    pagination: z.optional(pagination),
    maxPages: withDefault(integer(1, MAX_PAGES), DEFAULTS.maxPages),
    fanOut: z.optional(fanOut),
    incremental: z.optional(z.strictObject({ cursorPath: jsonPath, param: nonEmpty, initial: nonEmpty })),
    rateLimit: z.optional(z.strictObject({ requestsPerSecond: z.number().check(z.gt(0), z.lte(1000)) })),
  })
  .check(z.superRefine((source, ctx) => checkRequestParams(source as SourceShape, ctx)));

type SourceShape = z.output<typeof sourceSchema>;

/** One parameter set by two settings would be sent with one value silently dropped: refused, naming both. */
function checkRequestParams(source: SourceShape, ctx: z.core.$RefinementCtx<unknown>): void {
  const owners = new Map<string, string>();
  const claim = (param: string | undefined, owner: string) => {
    if (param === undefined) return;
    const other = owners.get(param);
    if (other) ctx.addIssue({ code: 'custom', message: `${owner} and ${other} both set the query parameter "${param}": keep one`, input: param, path: owner.split('.').slice(1) });
    else owners.set(param, owner);
  };
  for (const param of Object.keys(source.params)) claim(param, `source.params.${param}`);
  if (source.auth.in === 'query') claim(source.auth.name, 'source.auth.name');
  const p = source.pagination;
  if (p?.type === 'cursor' || p?.type === 'page') claim(p.param, 'source.pagination.param');
  if (p?.type === 'offset') {
    claim(p.limitParam, 'source.pagination.limitParam');
    claim(p.offsetParam, 'source.pagination.offsetParam');
  }
  claim(source.incremental?.param, 'source.incremental.param');
  const fan = source.fanOut;
  if (fan && 'param' in fan) claim(fan.param, 'source.fanOut.param');
  if (fan && 'params' in fan) for (const param of new Set(fan.params.flatMap((set) => Object.keys(set)))) claim(param, 'source.fanOut.params');
  // Each request of a fan-out is a raw object of its own: their names in the key must differ.
  const seen = new Map<string, string>();
  for (const request of fan ? requestsOf(source as SourceConfigLike) : []) {
    const first = seen.get(request.id);
    if (first !== undefined) ctx.addIssue({ code: 'custom', message: `the requests "${first}" and "${request.label}" get the same name in the raw keys (${request.id}): make them differ in letters or digits`, input: request.label, path: ['fanOut'] });
    else if (request.id.length > MAX_REQUEST_ID) ctx.addIssue({ code: 'custom', message: `the request "${request.label.slice(0, 40)}..." is longer than ${MAX_REQUEST_ID} characters in the raw key`, input: request.label, path: ['fanOut'] });
    else seen.set(request.id, request.label);
  }
}

/** The longest request name in a raw key (S3 keys are at most 1,024 bytes). */
export const MAX_REQUEST_ID = 100;

/** One request chain of an hour: a fan-out value (or the only request), its parameters and its name in raw keys. */
export interface PlannedRequest {
  readonly index: number;
  /** The fan-out value as configured (`London`), or `q=London&days=1` for a set of parameters; "" without a fan-out. */
  readonly label: string;
  /** The label in a raw key: letters, digits, `.` and `-` (every other character becomes `-`); "" without a fan-out. */
  readonly id: string;
  /** The parameters this request adds to source.params. */
  readonly params: Readonly<Record<string, string>>;
}

type SourceConfigLike = Pick<SourceShape, 'fanOut'>;

/** The request chains of an hour, in order: one per fan-out value, or one. */
export function requestsOf(source: SourceConfigLike): PlannedRequest[] {
  const fan = source.fanOut;
  if (!fan) return [{ index: 0, label: '', id: '', params: {} }];
  const sets = 'param' in fan ? fan.values.map((value) => ({ [fan.param]: value })) : fan.params;
  return sets.map((params, index) => {
    const label = 'param' in fan ? fan.values[index]! : new URLSearchParams(params).toString();
    return { index, label, id: requestIdOf(label), params };
  });
}

/** A request's name in raw keys. */
export function requestIdOf(label: string): string {
  return label.replace(/[^A-Za-z0-9.-]/g, '-');
}
