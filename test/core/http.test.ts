import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/core/config.js';
import { ApiAuthError, ApiRequestError, ApiUnavailableError } from '../../src/core/errors.js';
import { buildRequest, callSource, parseRetryAfter } from '../../src/core/http.js';
import type { HttpClient, HttpResponse } from '../../src/core/ports.js';
import { scheduledHour } from '../../src/core/layout.js';
import { failureOf } from '../helpers/errors.js';

const KEY = 'k3y-SECRET/with+chars=';
const source = (auth: unknown) =>
  parseConfig({ source: { name: 'w', url: 'https://api.example.com/v1/c.json', params: { q: 'x' }, auth }, table: 't', schedule: 'rate(1 hour)' })
    .source;

function respond(...responses: (Partial<HttpResponse> & { headers?: Record<string, string> } | Error)[]) {
  const calls: string[] = [];
  const http: HttpClient = async (request) => {
    calls.push(request.url);
    const next = responses.shift();
    if (!next) throw new Error('no more responses');
    if (next instanceof Error) throw next;
    const headers = next.headers ?? {};
    return { status: next.status ?? 200, body: next.body ?? new TextEncoder().encode('{}'), header: (n) => headers[n.toLowerCase()] ?? null };
  };
  const sleeps: number[] = [];
  return { http, calls, sleeps, deps: { http, sleep: async (ms: number) => void sleeps.push(ms), now: () => Date.parse('2026-11-25T18:00:00Z') } };
}

const body = (text: string) => new TextEncoder().encode(text);
const HOUR = scheduledHour('2026-11-25T18:00:00Z');

describe('buildRequest', () => {
  it('sends the key as configured: query parameter, header or bearer', () => {
    expect(new URL(buildRequest(source({ in: 'query', name: 'key' }), KEY, HOUR).url).searchParams.get('key')).toBe(KEY);
    expect(buildRequest(source({ in: 'header', name: 'x-api-key' }), KEY, HOUR).headers['x-api-key']).toBe(KEY);
    expect(buildRequest(source({ in: 'bearer' }), KEY, HOUR).headers.authorization).toBe(`Bearer ${KEY}`);
    expect(buildRequest(source({ in: 'bearer' }), KEY, HOUR).url).not.toContain(KEY);
  });

  it('fills in the hour placeholders: URL-encoded in the URL path and the query, as they are in headers', () => {
    const templated = parseConfig({
      source: {
        name: 'w',
        url: 'https://api.example.com/v1/{{hour.date}}/{{hour.start}}.json',
        params: { since: '{{hour.start}}', until: '{{hour.end}}', from: '{{hour.start_epoch}}', to: '{{hour.end_epoch}}', hour: '{{ hour.hh }}' },
        headers: { 'x-window': '{{hour.start}}/{{hour.end}}' },
        auth: { in: 'none' },
      },
      table: 't',
      schedule: 'rate(1 hour)',
    }).source;
    const request = buildRequest(templated, undefined, HOUR);
    const url = new URL(request.url);
    expect(url.pathname).toBe('/v1/2026-11-25/2026-11-25T18%3A00%3A00Z.json');
    expect(Object.fromEntries(url.searchParams)).toEqual({ since: '2026-11-25T18:00:00Z', until: '2026-11-25T19:00:00Z', from: '1795629600', to: '1795633200', hour: '18' });
    expect(request.url).toContain('since=2026-11-25T18%3A00%3A00Z');
    expect(request.headers['x-window']).toBe('2026-11-25T18:00:00Z/2026-11-25T19:00:00Z');
  });

  it('refuses an unknown placeholder in the config, listing the known ones', () => {
    expect(() => parseConfig({ source: { name: 'w', url: 'https://a.example/{{hour.day}}', params: { at: '{{now}}' }, auth: { in: 'none' } }, table: 't', schedule: 'rate(1 hour)' })).toThrow(
      /source\.url: unknown placeholder \{\{hour\.day\}\}; the known ones are \{\{hour\.start\}\}, \{\{hour\.end\}\}, \{\{hour\.start_epoch\}\}, \{\{hour\.end_epoch\}\}, \{\{hour\.date\}\}, \{\{hour\.hh\}\}\n {2}- source\.params\.at: unknown placeholder \{\{now\}\}/,
    );
  });

  it('refuses to call without a key when the source needs one', () => {
    expect(() => buildRequest(source({ in: 'query', name: 'key' }), '', HOUR)).toThrow(/no API key is set.*set-key/);
  });
});

describe('callSource classification', () => {
  const request = buildRequest(source({ in: 'query', name: 'key' }), KEY, HOUR);

  it('returns a 2xx body as received with its content type', async () => {
    const { deps } = respond({ status: 200, body: body('{"a": 1.0}'), headers: { 'content-type': 'application/json; charset=utf-8' } });
    const response = await callSource(request, KEY, deps);
    expect(new TextDecoder().decode(response.body)).toBe('{"a": 1.0}');
    expect(response.contentType).toBe('application/json; charset=utf-8');
    expect(response.attempt).toBe(1);
  });

  it.each([500, 502, 503, 504, 429])('HTTP %i is ApiUnavailableError (transient)', async (status) => {
    const { deps } = respond({ status, body: body(`upstream ${KEY} down`) });
    const error = await failureOf(callSource(request, KEY, deps));
    expect(error).toBeInstanceOf(ApiUnavailableError);
    expect(error.name).toBe('ApiUnavailableError');
    expect(error.message).toContain(`HTTP ${status}`);
    expect(error.message).not.toContain(KEY);
  });

  it.each([401, 403])('HTTP %i is ApiAuthError that says the key is wrong', async (status) => {
    const { deps, calls } = respond({ status, body: body('{"error":{"code":2006,"message":"API key provided is invalid"}}') });
    const error = await failureOf(callSource(request, KEY, deps));
    expect(error).toBeInstanceOf(ApiAuthError);
    expect(error.name).toBe('ApiAuthError');
    expect(error.message).toMatch(/refused the key.*API key provided is invalid.*set-key/);
    expect(calls).toHaveLength(1);
  });

  it('other 4xx is ApiRequestError quoting the API message; redirects are not followed', async () => {
    const { deps } = respond({ status: 400, body: body('{"error":{"code":1006,"message":"No location found"}}') });
    const error = await failureOf(callSource(request, KEY, deps));
    expect(error).toBeInstanceOf(ApiRequestError);
    expect(error.message).toContain('No location found');
    const redirected = await failureOf(callSource(request, KEY, respond({ status: 302 }).deps));
    expect(redirected.message).toMatch(/redirect.*not followed/);
  });

  it('connection failures, DNS failures and timeouts are ApiUnavailableError, with the key redacted', async () => {
    const refused = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    const dns = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ENOTFOUND' } });
    const timeout = Object.assign(new Error('The operation was aborted due to timeout'), { name: 'TimeoutError' });
    for (const [failure, expected] of [
      [refused, /could not be reached: ECONNREFUSED/],
      [dns, /could not be reached: ENOTFOUND/],
      [timeout, /did not answer within the request timeout/],
    ] as const) {
      const error = await failureOf(callSource(request, KEY, respond(failure).deps));
      expect(error).toBeInstanceOf(ApiUnavailableError);
      expect(error.message).toMatch(expected);
      expect(error.message).toContain('key=***');
      expect(error.message).not.toContain(KEY);
    }
  });
});

describe('Retry-After', () => {
  const request = buildRequest(source({ in: 'none' }), undefined, HOUR);

  it('parses delta-seconds and HTTP dates', () => {
    const now = Date.parse('2026-11-25T18:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3);
    expect(parseRetryAfter('Wed, 25 Nov 2026 18:00:04 GMT', now)).toBe(4);
    expect(parseRetryAfter('Wed, 25 Nov 2026 17:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });

  it('waits a short Retry-After in process once, then succeeds', async () => {
    const { deps, sleeps, calls } = respond({ status: 429, headers: { 'retry-after': '2' } }, { status: 200 });
    const response = await callSource(request, undefined, deps);
    expect(response.attempt).toBe(2);
    expect(sleeps).toEqual([2000]);
    expect(calls).toHaveLength(2);
  });

  it('hands a long Retry-After to the state machine instead of waiting in the Lambda', async () => {
    const { deps, sleeps } = respond({ status: 503, headers: { 'retry-after': '86400' } });
    const error = (await failureOf(callSource(request, undefined, deps))) as ApiUnavailableError;
    expect(error).toBeInstanceOf(ApiUnavailableError);
    expect(error.detail.retryAfterSeconds).toBe(86400);
    expect(sleeps).toEqual([]);
  });

  it('never loops tightly on a repeated Retry-After: 0', async () => {
    const { deps, sleeps, calls } = respond(
      { status: 429, headers: { 'retry-after': '0' } },
      { status: 429, headers: { 'retry-after': '0' } },
      { status: 429, headers: { 'retry-after': '0' } },
    );
    await expect(callSource(request, undefined, deps)).rejects.toBeInstanceOf(ApiUnavailableError);
    expect(calls).toHaveLength(2);
    expect(sleeps).toEqual([1000]);
  });
});
