import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseConfig, type SourceConfig } from '../../src/core/config.js';
import { PaginationError } from '../../src/core/errors.js';
import { scheduledHour, rawObjectKey, rawPagePositionOf } from '../../src/core/layout.js';
import { firstPageParams, nextLink, nextPageUrl, valueAt } from '../../src/core/request-chain.js';
import { requestsOf } from '../../src/core/source-config.js';

const BASE = 'https://api.example.com/v1/events';
const source = (fields: Record<string, unknown>): SourceConfig =>
  parseConfig({ source: { name: 'events', url: BASE, auth: { in: 'query', name: 'key' }, recordsPath: 'data', ...fields }, table: 'events', schedule: 'rate(1 hour)' }).source;
const seen = (url: string, body: unknown, page = 0, linkHeader: string | null = null) => ({ url, page, body, linkHeader, rawKey: `events_p${page}.json` });
const records = (n: number) => ({ data: Array.from({ length: n }, (_, i) => ({ id: i })) });

describe('the next page of each pagination type', () => {
  it('cursor: sends the value at cursorPath as param, and stops at a missing, null or empty one', () => {
    const s = source({ pagination: { type: 'cursor', cursorPath: 'meta.next', param: 'cursor' } });
    expect(nextPageUrl(s, seen(`${BASE}?limit=10`, { ...records(10), meta: { next: 'abc=' } }))).toBe(`${BASE}?limit=10&cursor=abc%3D`);
    expect(nextPageUrl(s, seen(`${BASE}?cursor=abc`, { meta: { next: 42 } }, 1))).toBe(`${BASE}?cursor=42`);
    for (const next of [undefined, null, '']) expect(nextPageUrl(s, seen(BASE, { meta: { next } }))).toBeUndefined();
    expect(() => nextPageUrl(s, seen(BASE, { meta: { next: { deep: 1 } } }))).toThrow(/cursor must be a string or a number/);
  });

  it('offset: adds the limit, and stops on a short or empty page or at the total', () => {
    const s = source({ pagination: { type: 'offset', limitParam: 'limit', offsetParam: 'offset', limit: 10, totalPath: 'total' } });
    expect(firstPageParams(s)).toEqual({ limit: '10', offset: '0' });
    expect(nextPageUrl(s, seen(`${BASE}?limit=10&offset=0`, { ...records(10), total: 25 }))).toBe(`${BASE}?limit=10&offset=10`);
    expect(nextPageUrl(s, seen(`${BASE}?limit=10&offset=20`, { ...records(5), total: 25 }, 2))).toBeUndefined(); // short page
    expect(nextPageUrl(s, seen(`${BASE}?limit=10&offset=10`, { ...records(10), total: 20 }, 1))).toBeUndefined(); // the total is reached
    expect(nextPageUrl(s, seen(`${BASE}?limit=10&offset=0`, { data: [], total: 0 }))).toBeUndefined();
    expect(() => nextPageUrl(s, seen(BASE, { ...records(10), total: 'many' }))).toThrow(/expected a number/);
  });

  it('page: counts from start, and stops on an empty page or at the last of totalPagesPath', () => {
    const s = source({ pagination: { type: 'page', param: 'page', totalPagesPath: 'pages' } });
    expect(firstPageParams(s)).toEqual({ page: '1' });
    expect(nextPageUrl(s, seen(`${BASE}?page=1`, { ...records(10), pages: 3 }))).toBe(`${BASE}?page=2`);
    expect(nextPageUrl(s, seen(`${BASE}?page=3`, { ...records(3), pages: 3 }, 2))).toBeUndefined();
    const fromZero = source({ pagination: { type: 'page', param: 'p', start: 0 } });
    expect(nextPageUrl(fromZero, seen(`${BASE}?p=0`, records(1)))).toBe(`${BASE}?p=1`);
    expect(nextPageUrl(fromZero, seen(`${BASE}?p=4`, records(0), 4))).toBeUndefined();
  });

  it('link-header: follows rel="next" of RFC 8288, relative or absolute, among other links', () => {
    const s = source({ pagination: { type: 'link-header' }, recordsPath: '' });
    expect(nextPageUrl(s, seen(`${BASE}?page=1`, [], 0, `<${BASE}?page=2>; rel="next", <${BASE}?page=9>; rel="last"`))).toBe(`${BASE}?page=2`);
    expect(nextPageUrl(s, seen(`${BASE}?page=2`, [], 1, '</v1/events?page=3>; rel="prev next"'))).toBe(`${BASE}?page=3`);
    expect(nextPageUrl(s, seen(`${BASE}?page=9`, [], 8, `<${BASE}?page=1>; rel=first`))).toBeUndefined();
    expect(nextLink('<a>; rel=next, <b>; rel="last"')).toBe('a');
    expect(nextLink(null)).toBeUndefined();
  });

  it('next-url: follows the URL at path until it is missing or null', () => {
    const s = source({ pagination: { type: 'next-url', path: 'links.next' } });
    expect(nextPageUrl(s, seen(BASE, { links: { next: '/v1/events?after=5' } }))).toBe(`${BASE}?after=5`);
    expect(nextPageUrl(s, seen(BASE, { links: { next: null } }))).toBeUndefined();
    expect(() => nextPageUrl(s, seen(BASE, { links: { next: 5 } }))).toThrow(/must be a URL/);
  });
});

describe('what a chain never does', () => {
  const nextUrl = source({ pagination: { type: 'next-url', path: 'next' }, maxPages: 3 });

  it('sends the key to another host, or downgrades to http: the next page must be on source.url\'s origin', () => {
    for (const next of ['https://elsewhere.example/v1/events?page=2', 'http://api.example.com/v1/events?page=2', 'https://api.example.com:8443/x']) {
      expect(() => nextPageUrl(nextUrl, seen(BASE, { next }))).toThrow(PaginationError);
    }
    expect(() => nextPageUrl(nextUrl, seen(BASE, { next: 'https://elsewhere.example/' }))).toThrow(/never sent to another host/);
  });

  it('keeps the key in a URL: an API that echoes it in its next link has it removed', () => {
    expect(nextPageUrl(nextUrl, seen(BASE, { next: `${BASE}?page=2&key=SECRET` }))).toBe(`${BASE}?page=2`);
  });

  it('asks for the same page twice, or goes past maxPages: both end the chain with an error naming the setting', () => {
    expect(() => nextPageUrl(nextUrl, seen(`${BASE}?page=2`, { next: `${BASE}?page=2` }, 1))).toThrow(/names itself as the next page/);
    expect(() => nextPageUrl(nextUrl, seen(`${BASE}?page=3`, { next: `${BASE}?page=4` }, 2))).toThrow(/more than source.maxPages \(3\) pages: raise maxPages/);
    expect(nextPageUrl(nextUrl, seen(`${BASE}?page=2`, { next: `${BASE}?page=3` }, 1))).toBe(`${BASE}?page=3`);
  });
});

describe('fan-out requests and their raw keys', () => {
  it('names each request in its keys, and reads back the request and page of any key', () => {
    const hour = scheduledHour('2026-11-25T18:00:00Z');
    fc.assert(
      fc.property(fc.array(fc.string({ minLength: 1, maxLength: 12 }), { minLength: 1, maxLength: 6 }), fc.nat({ max: 9999 }), (values, page) => {
        const unique = [...new Set(values)];
        let requests;
        try {
          requests = requestsOf(source({ fanOut: { param: 'q', values: unique } }));
        } catch {
          return; // two values with one name in the keys are refused (tested below)
        }
        for (const request of requests) {
          const key = rawObjectKey('events', hour, { request: request.id, page });
          expect(rawPagePositionOf('events', hour, key)).toEqual({ request: request.id, page });
        }
      }),
    );
    const keys = [0, 1, 2, 10].map((page) => rawObjectKey('events', hour, { request: 'London', page }));
    expect([...keys].sort()).toEqual(keys); // pages sort in order
    expect(rawPagePositionOf('events', hour, 'events/dt=2026-11-25/hour=18/events_20261125T18Z_p0000.json')).toBeUndefined();
  });

  it('refuses two values that get one name in the keys, and a parameter set twice', () => {
    expect(() => source({ fanOut: { param: 'q', values: ['a b', 'a-b'] } })).toThrow(/the requests "a b" and "a-b" get the same name in the raw keys \(a-b\)/);
    expect(() => source({ params: { q: 'x' }, fanOut: { param: 'q', values: ['a'] } })).toThrow(/source.fanOut.param and source.params.q both set the query parameter "q"/);
    expect(() => source({ pagination: { type: 'cursor', cursorPath: 'n', param: 'key' } })).toThrow(/source.pagination.param and source.auth.name both set/);
    expect(() => source({ fanOut: { param: 'q', values: Array.from({ length: 501 }, (_, i) => `v${i}`) } })).toThrow(/at most 500 values/);
    expect(() => source({ pagination: { type: 'scroll' } })).toThrow(/must be one of \{"type": "cursor", \.\.\.\}/);
  });

  it('labels a set of parameters by its query string', () => {
    const requests = requestsOf(source({ fanOut: { params: [{ q: 'London', days: '1' }, { q: 'Paris', days: '2' }], concurrency: 2 } }));
    expect(requests.map((r) => [r.label, r.id])).toEqual([
      ['q=London&days=1', 'q-London-days-1'],
      ['q=Paris&days=2', 'q-Paris-days-2'],
    ]);
  });

  it('reads a dotted path through objects and array elements', () => {
    expect(valueAt({ a: [{ b: 1 }, { b: 2 }] }, 'a.1.b')).toBe(2);
    expect(valueAt({ a: null }, 'a.b')).toBeUndefined();
    expect(valueAt({ ['__proto__']: 1 }, 'constructor')).toBeUndefined();
  });
});
