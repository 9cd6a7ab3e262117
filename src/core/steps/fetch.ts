import type { SourceConfig } from '../config.js';
import { buildRequest, callSource } from '../http.js';
import { InvalidInputError } from '../errors.js';
import { LATE_RUN_GRACE_MS, unfetchableHour } from '../fetchable-hour.js';
import { asksForTheHour } from '../hour-template.js';
import { hourFromEpochMs, rawObjectKey, scheduledHour, type Hour } from '../layout.js';
import type { HttpClient, ObjectStore, SecretStore, StepLogger } from '../ports.js';
import { redact } from '../redact.js';
import { fitMetadata } from '../store-limits.js';

/** What the state machine passes to the Fetch step: the execution input. */
export interface FetchInput {
  /** The scheduled time (EventBridge `time`); the hour is derived from it, never from the clock. */
  readonly time?: unknown;
  /** true: a source that answers only for "now" may store that answer under a past hour, marked as current data. */
  readonly allowCurrentData?: unknown;
}

/** What Fetch hands on: keys and counts only, never records or the key. */
export interface FetchOutput {
  readonly source: string;
  readonly hour: string;
  readonly rawKeys: string[];
  readonly bytes: number;
  readonly httpStatus: number;
}

export interface FetchDeps {
  readonly source: SourceConfig;
  readonly raw: ObjectStore;
  readonly secrets: SecretStore;
  readonly http: HttpClient;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly logger: StepLogger;
  /** The invocation's time budget (stepBudget): the secret read and the store write fail as transient when it runs out. */
  readonly signal?: AbortSignal;
}

/** Raw metadata marking an answer that describes the time of the call, not the scheduled hour. */
export const CURRENT_DATA_METADATA = 'current-data';

/** Whether a response of `source` fetched at `fetchedAt` describes another time than `hour`: the source asks for "now", and now is a later hour. */
export function isCurrentData(source: SourceConfig, hour: Hour, fetchedAt: number): boolean {
  return !asksForTheHour(source) && hourFromEpochMs(fetchedAt).iso !== hour.iso;
}

/**
 * The Fetch step: read the key, call the source, store the 2xx body in the raw zone exactly as
 * received. Error responses throw (classified) and store nothing under the hour's key.
 */
export async function runFetchStep(input: FetchInput, deps: FetchDeps): Promise<FetchOutput> {
  const hour = scheduledHour(input?.time);
  const { source, signal } = deps;
  const refused = unfetchableHour(hour, { source, now: deps.now(), allowCurrentData: input?.allowCurrentData === true, graceMs: LATE_RUN_GRACE_MS });
  if (refused) throw new InvalidInputError(refused);
  const apiKey = source.auth.in === 'none' ? undefined : await deps.secrets.getApiKey({ signal });
  const request = { ...buildRequest(source, apiKey, hour), signal };
  const fetchedAt = deps.now();
  const response = await callSource(request, apiKey, {
    http: deps.http,
    sleep: deps.sleep,
    now: deps.now,
    log: (message, fields) => deps.logger.info(message, fields),
  });
  const key = rawObjectKey(source.name, hour);
  // A long URL is cut to fit S3's 2 KB of metadata; the object is never refused for it.
  const metadata = fitMetadata(
    {
      source: source.name,
      'scheduled-hour': hour.iso,
      'fetched-at': new Date(fetchedAt).toISOString(),
      'http-status': String(response.status),
      attempt: String(response.attempt),
      // A "now"-only source called in a later hour: the answer describes fetched-at, not the scheduled hour.
      ...(isCurrentData(source, hour, fetchedAt) ? { [CURRENT_DATA_METADATA]: 'true' } : {}),
      url: redact(request.url, [apiKey]),
    },
    'url',
  );
  await deps.raw.put(key, response.body, { contentType: response.contentType, metadata, signal });
  deps.logger.info('stored raw response', { rawKey: key, bytes: response.body.byteLength, httpStatus: response.status });
  return { source: source.name, hour: hour.iso, rawKeys: [key], bytes: response.body.byteLength, httpStatus: response.status };
}
