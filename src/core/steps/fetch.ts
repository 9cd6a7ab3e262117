import type { SourceConfig } from '../config.js';
import { InvalidInputError, InvalidResponseError, PipelineError } from '../errors.js';
import { LATE_RUN_GRACE_MS, unfetchableHour } from '../fetchable-hour.js';
import { asksForTheHour } from '../hour-template.js';
import { authorize, callSource, MAX_IN_PROCESS_ATTEMPTS, MAX_IN_PROCESS_RETRY_AFTER_SECONDS, requestUrl } from '../http.js';
import { cursorFor, readIncrementalState } from '../incremental.js';
import { hourFromEpochMs, rawObjectKey, scheduledHour, type Hour } from '../layout.js';
import type { HttpClient, ObjectStore, SecretStore, StepLogger } from '../ports.js';
import { redact } from '../redact.js';
import { firstPageParams, nextPageUrl } from '../request-chain.js';
import { requestsOf, type PlannedRequest } from '../source-config.js';
import { fitMetadata } from '../store-limits.js';

/**
 * What the state machine passes to the Fetch step: one request chain of the hour (a Map iteration) with the
 * execution input, and, from the second invocation of a long chain on, the previous invocation's output.
 * The execution input alone (`time`, `allowCurrentData`) is the only request of a source without a fan-out.
 */
export interface FetchInput {
  /** The scheduled time (EventBridge `time`); the hour is derived from it, never from the clock. */
  readonly time?: unknown;
  /** true: a source that answers only for "now" may store that answer under a past hour, marked as current data. */
  readonly allowCurrentData?: unknown;
  /** The execution input, as the Map passes it to each request. */
  readonly execution?: { readonly time?: unknown; readonly allowCurrentData?: unknown };
  /** The request of the Map's plan: its index in requestsOf(source). */
  readonly request?: { readonly index?: unknown };
  /** The previous invocation's output for this chain, when it handed on a continuation. */
  readonly fetch?: { readonly continuation?: unknown };
}

/** Where a chain goes on when an invocation's time budget ends before its last page. */
export interface Continuation {
  /** The chain's id, in every page's metadata: pages of two runs of an hour are never taken for one chain. */
  readonly chain: string;
  /** The next page's number. */
  readonly page: number;
  /** The next page's URL, without the key. */
  readonly url: string;
  readonly bytes: number;
}

/** What Fetch hands on: counts and keys only, never records or the key. */
export interface FetchOutput {
  readonly outcome: 'ok';
  readonly source: string;
  readonly hour: string;
  readonly request: number;
  readonly label: string;
  readonly chain: string;
  /** The raw key of the chain's first page. */
  readonly firstKey: string;
  /** Pages stored so far (every page when the chain is done). */
  readonly pages: number;
  readonly bytes: number;
  readonly httpStatus: number;
  /** Present when pages remain: the state machine invokes Fetch again with this output. */
  readonly continuation?: Continuation;
}

export interface FetchDeps {
  readonly source: SourceConfig;
  readonly raw: ObjectStore;
  /** The curated zone, where the incremental cursor is kept (`source.incremental` only). */
  readonly curated?: ObjectStore;
  readonly secrets: SecretStore;
  readonly http: HttpClient;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly logger: StepLogger;
  /** The invocation's time budget (stepBudget): the secret read and the store write fail as transient when it runs out. */
  readonly signal?: AbortSignal;
  /** Milliseconds left in the time budget: a chain hands on a continuation rather than start a page it may not finish. */
  readonly timeLeftMs?: () => number;
  /** A new chain id. */
  readonly newId?: () => string;
}

/** Raw metadata marking an answer that describes the time of the call, not the scheduled hour. */
export const CURRENT_DATA_METADATA = 'current-data';
/** Raw metadata of a chain's pages: the chain's id, the page number, and `true` on its last page. */
export const CHAIN_METADATA = { chain: 'chain', page: 'page', lastPage: 'last-page', request: 'request' } as const;

/** Whether a response of `source` fetched at `fetchedAt` describes another time than `hour`: the source asks for "now", and now is a later hour. */
export function isCurrentData(source: SourceConfig, hour: Hour, fetchedAt: number): boolean {
  return !asksForTheHour(source) && hourFromEpochMs(fetchedAt).iso !== hour.iso;
}

/** The longest one page can take: every in-process attempt at the request timeout, one short Retry-After wait, the store. */
export function pageBudgetMs(source: SourceConfig): number {
  return (MAX_IN_PROCESS_ATTEMPTS * source.timeoutSeconds + MAX_IN_PROCESS_RETRY_AFTER_SECONDS + 20) * 1000;
}

/**
 * The Fetch step: one request chain of the hour (README "How a request chain runs"). It reads the key, asks for
 * the first page (or the page a continuation names), stores each page in the raw zone exactly as received, and
 * asks for the next page as `source.pagination` says, pacing requests to `source.rateLimit`. It hands on a
 * continuation when its time budget would not fit another page. Error responses throw (classified), naming the
 * request; the pages stored so far stay in raw.
 */
export async function runFetchStep(input: FetchInput, deps: FetchDeps): Promise<FetchOutput> {
  const execution = input?.execution ?? input;
  const hour = scheduledHour(execution?.time);
  const request = plannedRequest(deps.source, input?.request?.index);
  try {
    return await runChain(input, deps, hour, request, execution?.allowCurrentData === true);
  } catch (error) {
    // A fan-out names the request that failed: the failure notice then says which value.
    if (request.label && error instanceof PipelineError && !error.message.startsWith('request ')) error.message = `request "${request.label}": ${error.message}`;
    throw error;
  }
}

async function runChain(input: FetchInput, deps: FetchDeps, hour: Hour, request: PlannedRequest, allowCurrentData: boolean): Promise<FetchOutput> {
  const { source, signal } = deps;
  const continuation = continuationOf(input?.fetch?.continuation, source);
  if (!continuation) {
    const refused = unfetchableHour(hour, { source, now: deps.now(), allowCurrentData, graceMs: LATE_RUN_GRACE_MS });
    if (refused) throw new InvalidInputError(refused);
  }
  const apiKey = source.auth.in === 'none' ? undefined : await deps.secrets.getApiKey({ signal });
  let url = continuation?.url ?? (await firstUrl(deps, hour, request));
  const chain = continuation?.chain ?? (deps.newId ?? (() => globalThis.crypto.randomUUID()))();
  let page = continuation?.page ?? 0;
  let bytes = continuation?.bytes ?? 0;
  const firstKey = rawObjectKey(source.name, hour, { request: request.id });
  const interval = source.rateLimit ? (1000 * (source.fanOut?.concurrency ?? 1)) / source.rateLimit.requestsPerSecond : 0;
  let lastStart = -Infinity;
  for (let inThisInvocation = 0; ; inThisInvocation++) {
    if (inThisInvocation > 0 && deps.timeLeftMs && deps.timeLeftMs() < pageBudgetMs(source) + interval) {
      deps.logger.info('handing the request chain on to the next invocation', { page, chain });
      return output(source, hour, request, chain, firstKey, page, bytes, 200, { chain, page, url, bytes });
    }
    // rateLimit: the hour's requests share it; each of the Map's parallel requests takes its share.
    const wait = lastStart + interval - performance.now();
    if (wait > 0) await deps.sleep(wait);
    lastStart = performance.now();
    const fetchedAt = deps.now();
    const response = await callSource({ ...authorize(url, source, apiKey, hour, deps.secrets.keyHint), signal }, apiKey, {
      keyHint: deps.secrets.keyHint,
      http: deps.http,
      sleep: deps.sleep,
      now: deps.now,
      log: (message, fields) => deps.logger.info(message, fields),
    });
    const key = rawObjectKey(source.name, hour, { request: request.id, page });
    let next: string | undefined;
    let stop: unknown;
    if (source.pagination) {
      try {
        const body = parseForPaging(response.body, key, page);
        next = nextPageUrl(source, { url, page, body, linkHeader: response.linkHeader, rawKey: key });
      } catch (error) {
        stop = error; // the page is stored first: raw keeps what was received
      }
    }
    const metadata = fitMetadata(
      {
        source: source.name,
        'scheduled-hour': hour.iso,
        'fetched-at': new Date(fetchedAt).toISOString(),
        'http-status': String(response.status),
        attempt: String(response.attempt),
        // A "now"-only source called in a later hour: the answer describes fetched-at, not the scheduled hour.
        ...(isCurrentData(source, hour, fetchedAt) ? { [CURRENT_DATA_METADATA]: 'true' } : {}),
        [CHAIN_METADATA.chain]: chain,
        [CHAIN_METADATA.page]: String(page),
        ...(next === undefined && stop === undefined ? { [CHAIN_METADATA.lastPage]: 'true' } : {}),
        ...(request.label ? { [CHAIN_METADATA.request]: encodeURIComponent(request.label) } : {}),
        url: redact(url, [apiKey]),
      },
      'url',
    );
    await deps.raw.put(key, response.body, { contentType: response.contentType, metadata, signal });
    bytes += response.body.byteLength;
    deps.logger.info('stored raw response', { rawKey: key, bytes: response.body.byteLength, httpStatus: response.status, page });
    if (stop !== undefined) throw stop;
    page++;
    if (next === undefined) return output(source, hour, request, chain, firstKey, page, bytes, response.status);
    url = next;
  }
}

function output(source: SourceConfig, hour: Hour, request: PlannedRequest, chain: string, firstKey: string, pages: number, bytes: number, httpStatus: number, continuation?: Continuation): FetchOutput {
  return { outcome: 'ok', source: source.name, hour: hour.iso, request: request.index, label: request.label, chain, firstKey, pages, bytes, httpStatus, ...(continuation ? { continuation } : {}) };
}

/** The first page's keyless URL: source.params, the request's fan-out parameters, where pagination starts, the incremental cursor. */
async function firstUrl(deps: FetchDeps, hour: Hour, request: PlannedRequest): Promise<string> {
  const { source } = deps;
  const extra: Record<string, string> = { ...request.params, ...firstPageParams(source) };
  if (source.incremental) {
    if (!deps.curated) throw new Error('an incremental source needs the curated zone, where its cursor is kept');
    const state = await readIncrementalState(deps.curated, source, { signal: deps.signal });
    extra[source.incremental.param] = String(cursorFor(state, source, hour));
  }
  return requestUrl(source, hour, extra);
}

function parseForPaging(body: Uint8Array, key: string, page: number): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(body));
  } catch (error) {
    throw new InvalidResponseError(`page ${page} of the request is not JSON, so its next page cannot be found; it is kept as received at ${key}`, { cause: error });
  }
}

/** The request a Map iteration names; the only one without a fan-out. */
function plannedRequest(source: SourceConfig, index: unknown): PlannedRequest {
  const requests = requestsOf(source);
  if (index === undefined) return requests[0]!;
  const request = typeof index === 'number' ? requests[index] : undefined;
  if (!request) throw new InvalidInputError(`the request ${JSON.stringify(index)} is not one of the ${requests.length} requests of source ${source.name}`);
  return request;
}

/** A continuation from the state machine, checked: it must be this source's, on its host, without the key. */
function continuationOf(value: unknown, source: SourceConfig): Continuation | undefined {
  if (value === undefined || value === null) return undefined;
  const c = value as Partial<Continuation>;
  const valid =
    typeof c.chain === 'string' &&
    Number.isInteger(c.page) &&
    c.page! >= 1 &&
    c.page! < source.maxPages &&
    typeof c.bytes === 'number' &&
    typeof c.url === 'string' &&
    URL.canParse(c.url) &&
    new URL(c.url).origin === new URL(source.url).origin;
  if (!valid) throw new InvalidInputError(`the continuation of the request chain is not one this source hands on: ${JSON.stringify(value).slice(0, 200)}`);
  return c as Continuation;
}
