import { EnvSecretStore } from '../../src/adapters/local/env-secret.js';
import { describe, expect, it } from 'vitest';
import { FsObjectStore } from '../../src/adapters/local/fs-store.js';
import { parseConfig } from '../../src/core/config.js';
import type { HttpClient } from '../../src/core/ports.js';
import { pageBudgetMs, runFetchStep, type FetchOutput } from '../../src/core/steps/fetch.js';
import { tempDir } from '../helpers/temp-dirs.js';

const BASE = 'https://api.example.com/v1/items';
const source = (fields: Record<string, unknown> = {}) =>
  parseConfig({
    source: { name: 'items', url: BASE, params: { since: '{{hour.start}}' }, auth: { in: 'bearer' }, recordsPath: 'data', pagination: { type: 'next-url', path: 'next' }, ...fields },
    table: 'items',
    schedule: 'rate(1 hour)',
  }).source;
/** An API of `pages` pages, each naming the next; every request it got, with its headers. */
function pagedApi(pages: number) {
  const requests: { url: string; auth?: string }[] = [];
  const http: HttpClient = async (request) => {
    requests.push({ url: request.url, auth: request.headers.authorization });
    const page = Number(new URL(request.url).searchParams.get('page') ?? 0);
    const body = { data: [{ id: page }], next: page + 1 < pages ? `${BASE}?page=${page + 1}` : null };
    return { status: 200, header: () => 'application/json', body: new TextEncoder().encode(JSON.stringify(body)) };
  };
  return { http, requests };
}
const deps = (s: ReturnType<typeof source>, http: HttpClient, extra: Record<string, unknown> = {}) => ({
  source: s,
  raw: new FsObjectStore(tempDir('api-lake-chain-')),
  secrets: new EnvSecretStore({}, 'KEY'),
  http,
  now: () => Date.parse('2026-11-25T18:05:00Z'),
  sleep: async () => {},
  logger: { info: () => {} },
  ...extra,
});

describe('a request chain in the Fetch step', () => {
  it('asks for every page with the key, and reports them', async () => {
    const { http, requests } = pagedApi(4);
    const out = await runFetchStep({ time: '2026-11-25T18:00:00Z' }, deps(source(), http));
    expect(out.pages).toBe(4);
    expect(out.continuation).toBeUndefined();
    expect(requests.map((r) => r.url)).toEqual([`${BASE}?since=2026-11-25T18%3A00%3A00Z`, `${BASE}?page=1`, `${BASE}?page=2`, `${BASE}?page=3`]);
    expect(requests.every((r) => r.auth === 'Bearer KEY')).toBe(true);
  });

  it('paces its requests to rateLimit, shared among the fan-out requests that run at once', async () => {
    const { http } = pagedApi(3);
    const waits: number[] = [];
    await runFetchStep({ time: '2026-11-25T18:00:00Z' }, deps(source({ rateLimit: { requestsPerSecond: 4 } }), http, { sleep: async (ms: number) => void waits.push(ms) }));
    expect(waits).toHaveLength(2); // before the 2nd and the 3rd request
    for (const wait of waits) expect(wait).toBeGreaterThan(200); // 1/4 s apart, less the time the previous page took
    const shared: number[] = [];
    const fanned = source({ rateLimit: { requestsPerSecond: 4 }, fanOut: { param: 'q', values: ['a', 'b'], concurrency: 2 } });
    await runFetchStep({ time: '2026-11-25T18:00:00Z', request: { index: 1 } }, deps(fanned, pagedApi(2).http, { sleep: async (ms: number) => void shared.push(ms) }));
    expect(shared[0]).toBeGreaterThan(450); // two chains at once: each 2 a second
  });

  it('hands on a continuation when its budget would not fit another page, and goes on from it', async () => {
    const { http, requests } = pagedApi(3);
    const s = source();
    let left = pageBudgetMs(s) + 1000;
    const first = await runFetchStep({ time: '2026-11-25T18:00:00Z' }, deps(s, http, { timeLeftMs: () => (left -= 2000) }));
    expect(first).toMatchObject({ pages: 1, continuation: { page: 1, url: `${BASE}?page=1` } });
    const second = (await runFetchStep({ time: '2026-11-25T18:00:00Z', fetch: first }, deps(s, http))) as FetchOutput;
    expect(second).toMatchObject({ pages: 3, chain: first.chain });
    expect(second.continuation).toBeUndefined();
    expect(requests).toHaveLength(3);
    // A continuation is checked: another host's URL, or one without the chain, is refused.
    await expect(runFetchStep({ time: '2026-11-25T18:00:00Z', fetch: { continuation: { ...first.continuation, url: 'https://evil.example/' } } }, deps(s, http))).rejects.toThrow(/not one this source hands on/);
  });
});
