import type { SourceConfig } from './config.js';
import { ApiAuthError, ApiRequestError, ApiUnavailableError, ResponseTooLargeError } from './errors.js';
import type { HttpClient, HttpRequest, HttpResponse } from './ports.js';
import { expandHour } from './hour-template.js';
import type { Hour } from './layout.js';
import { redact } from './redact.js';
import { LOG_METRIC } from '../contract/metrics.js';

/** A longer Retry-After is handed back to the state machine instead of being waited for in the Lambda. */
export const MAX_IN_PROCESS_RETRY_AFTER_SECONDS = 5;
/** `Retry-After: 0` still waits this long, so a server saying "now" cannot drive a tight loop. */
export const MIN_RETRY_WAIT_SECONDS = 1;
/** In-process attempts per invocation: one Retry-After wait at most, then the state machine takes over. */
export const MAX_IN_PROCESS_ATTEMPTS = 2;

/**
 * The request for a source and a scheduled hour: the URL with its params and, per `auth`, the key; the
 * hour's placeholders filled in (URL-encoded in the URL, as query parameters are). `extra` adds parameters (a
 * fan-out value, the incremental cursor).
 */
export function buildRequest(source: SourceConfig, apiKey: string | undefined, hour: Hour, extra: Readonly<Record<string, string>> = {}): HttpRequest {
  return authorize(requestUrl(source, hour, extra), source, apiKey, hour);
}

/** The URL of a source's first request for an hour, without the key: the only form a URL is kept in (state, metadata). */
export function requestUrl(source: SourceConfig, hour: Hour, extra: Readonly<Record<string, string>> = {}): string {
  const url = new URL(expandHour(source.url, hour, encodeURIComponent));
  for (const [name, value] of Object.entries({ ...source.params, ...extra })) url.searchParams.set(name, expandHour(value, hour));
  return url.toString();
}

/** A keyless URL as the request to send: the headers, and the key where `auth` puts it. */
export function authorize(keylessUrl: string, source: SourceConfig, apiKey: string | undefined, hour: Hour, keyHint = 'store one with `npx api-lake set-key`'): HttpRequest {
  const url = new URL(keylessUrl);
  const headers: Record<string, string> = { accept: 'application/json' };
  for (const [name, value] of Object.entries(source.headers)) headers[name] = expandHour(value, hour);
  const needsKey = source.auth.in !== 'none';
  if (needsKey && !apiKey) throw new ApiAuthError(`no API key is set for source "${source.name}": ${keyHint}`);
  if (source.auth.in === 'query') url.searchParams.set(source.auth.name, apiKey!);
  if (source.auth.in === 'header') headers[source.auth.name] = apiKey!;
  if (source.auth.in === 'bearer') headers.authorization = `Bearer ${apiKey}`;
  return { url: url.toString(), headers, timeoutMs: source.timeoutSeconds * 1000, maxBytes: source.maxResponseBytes };
}

/** A successful (2xx) response and how many in-process attempts it took. */
export interface SourceResponse {
  readonly status: number;
  readonly contentType: string;
  readonly body: Uint8Array;
  readonly attempt: number;
  /** The `Link` header (RFC 8288), for link-header pagination. */
  readonly linkHeader: string | null;
}

export interface CallSourceDeps {
  readonly http: HttpClient;
  readonly sleep: (ms: number) => Promise<void>;
  readonly now: () => number;
  readonly log?: (message: string, fields: Record<string, unknown>) => void;
  /** How to give a valid key where this runs (the SecretStore's keyHint), for a refused key. */
  readonly keyHint?: string;
}

/**
 * Calls the source once, or twice when it answers 429/503 with a short `Retry-After`.
 * Classifies every outcome: 2xx is returned; everything else throws a named error
 * (ApiUnavailableError is transient, the others terminal). Messages never hold the key.
 */
export async function callSource(request: HttpRequest, apiKey: string | undefined, deps: CallSourceDeps): Promise<SourceResponse> {
  const safeUrl = redact(request.url, [apiKey]);
  for (let attempt = 1; ; attempt++) {
    deps.log?.('calling source', { url: safeUrl, attempt });
    let response: HttpResponse;
    try {
      response = await deps.http(request);
    } catch (error) {
      throw classifyTransportError(error, safeUrl, apiKey);
    }
    const { status } = response;
    if (status >= 200 && status < 300) {
      return { status, contentType: response.header('content-type') ?? 'application/octet-stream', body: response.body, attempt, linkHeader: response.header('link') };
    }
    const detail = redact(bodySnippet(response.body), [apiKey]);
    if (status === 429 || status >= 500) {
      const retryAfterSeconds = parseRetryAfter(response.header('retry-after'), deps.now());
      const waitSeconds = retryAfterSeconds === undefined ? undefined : Math.max(retryAfterSeconds, MIN_RETRY_WAIT_SECONDS);
      if (waitSeconds !== undefined && waitSeconds <= MAX_IN_PROCESS_RETRY_AFTER_SECONDS && attempt < MAX_IN_PROCESS_ATTEMPTS) {
        deps.log?.(LOG_METRIC.retryAfterWait.message, { url: safeUrl, status, [LOG_METRIC.retryAfterWait.valueField]: waitSeconds });
        await deps.sleep(waitSeconds * 1000);
        continue;
      }
      throw new ApiUnavailableError(`${safeUrl} answered HTTP ${status}${detail ? `: ${detail}` : ''}`, { status, retryAfterSeconds });
    }
    if (status === 401 || status === 403) {
      throw new ApiAuthError(
        `the API refused the key (HTTP ${status}${detail ? `: ${detail}` : ''}). Check the key and ${deps.keyHint ?? 'store a valid one with `npx api-lake set-key`'}`,
      );
    }
    if (status >= 300 && status < 400) {
      throw new ApiRequestError(`${safeUrl} answered a redirect (HTTP ${status}); redirects are not followed so the key is never sent elsewhere: point source.url at the final URL`);
    }
    throw new ApiRequestError(`${safeUrl} refused the request (HTTP ${status}${detail ? `: ${detail}` : ''}); check source.url and source.params`);
  }
}

/**
 * `Retry-After` as seconds from now: either delta-seconds or an HTTP date. Undefined when absent or
 * unparseable; a date in the past is 0.
 */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text);
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - nowMs) / 1000));
}

/** A request that got no response, as ApiUnavailableError, with the failure underneath as its cause. */
function classifyTransportError(error: unknown, safeUrl: string, apiKey: string | undefined): Error {
  if (error instanceof ResponseTooLargeError) return error;
  const err = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (err.name === 'TimeoutError' || err.name === 'AbortError') {
    return new ApiUnavailableError(`${safeUrl} did not answer within the request timeout`, {}, { cause: error });
  }
  return new ApiUnavailableError(`${safeUrl} could not be reached: ${redact(transportReason(err, safeUrl), [apiKey])}`, {}, { cause: error });
}

/**
 * What stopped the connection, as an operator looks it up: the system error with its address
 * (`ECONNREFUSED 127.0.0.1:8080`, `ENOTFOUND api.example.com`), or fetch's own refusal.
 */
function transportReason(err: { message?: string; cause?: { code?: string; message?: string } }, safeUrl: string): string {
  const { code, message } = err.cause ?? {};
  if (code) {
    const at = message?.indexOf(code) ?? -1;
    return at >= 0 ? message!.slice(at) : code;
  }
  if (message === 'bad port') {
    const port = /^[a-z]+:\/\/[^/]*:(\d+)/i.exec(safeUrl)?.[1];
    return `bad port: fetch never connects to port ${port ?? 'of this URL'} (a port browsers block), use another one`;
  }
  return message ?? err.message ?? 'unknown transport error';
}

function bodySnippet(body: Uint8Array): string {
  const text = new TextDecoder().decode(body.subarray(0, 300)).replace(/\s+/g, ' ').trim();
  return text.length > 200 ? `${text.slice(0, 200)}...` : text;
}
