import { afterEach, describe, expect, it } from 'vitest';
import { startDemoApi, type DemoApi } from '../../src/demo/weather-api.js';

let api: DemoApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

const get = async (url: string) => {
  const response = await fetch(url);
  return { status: response.status, headers: response.headers, text: await response.text() };
};

describe('demo API (WeatherAPI.com look-alike)', () => {
  it('requires the key as query parameter, with WeatherAPI-style errors', async () => {
    api = await startDemoApi({ key: 'k1' });
    expect(await get(`${api.url}/v1/current.json?q=1,2`)).toMatchObject({ status: 401, text: '{"error":{"code":1002,"message":"API key not provided."}}' });
    expect(await get(`${api.url}/v1/current.json?key=nope&q=1,2`)).toMatchObject({ status: 401, text: '{"error":{"code":2006,"message":"API key provided is invalid"}}' });
    expect((await get(`${api.url}/v1/current.json?key=k1`)).status).toBe(400);
  });

  it('answers the same body for the same location and hour, another for the next hour', async () => {
    let now = Date.parse('2026-11-25T18:10:00Z');
    api = await startDemoApi({ key: 'k1', now: () => now });
    const first = await get(`${api.url}/v1/current.json?key=k1&q=-37.5,145.7`);
    now = Date.parse('2026-11-25T18:50:00Z');
    const same = await get(`${api.url}/v1/current.json?key=k1&q=-37.5,145.7`);
    now = Date.parse('2026-11-25T19:10:00Z');
    const next = await get(`${api.url}/v1/current.json?key=k1&q=-37.5,145.7`);
    expect(same.text).toBe(first.text);
    expect(next.text).not.toBe(first.text);
    const body = JSON.parse(first.text);
    expect(body.location.name).toBe('Healesville');
    expect(body.current.condition).toEqual({ text: expect.any(String), icon: expect.any(String), code: expect.any(Number) });
  });

  it('fails a seeded, reproducible fraction of calls with --failure-rate', async () => {
    const statuses = async () => {
      api = await startDemoApi({ key: 'k1', failureRate: 0.5, seed: 7 });
      const seen: number[] = [];
      for (let i = 0; i < 40; i++) seen.push((await get(`${api.url}/v1/current.json?key=k1&q=1,2`)).status);
      await api.close();
      api = undefined;
      return seen;
    };
    const first = await statuses();
    expect(first.filter((s) => s === 503).length).toBeGreaterThan(8);
    expect(first.filter((s) => s === 200).length).toBeGreaterThan(8);
    expect(await statuses()).toEqual(first);
  });

  it('injects faults: first N calls 503 with Retry-After, a fixed status, a truncated body, N bulk records', async () => {
    api = await startDemoApi({ key: 'k1', failFirst: 1, retryAfter: '3' });
    const failed = await get(`${api.url}/v1/current.json?key=k1&q=1,2`);
    expect(failed.status).toBe(503);
    expect(failed.headers.get('retry-after')).toBe('3');
    expect((await get(`${api.url}/v1/current.json?key=k1&q=1,2`)).status).toBe(200);
    await api.close();
    api = await startDemoApi({ key: 'k1', malformed: true });
    const truncated = await get(`${api.url}/v1/current.json?key=k1&q=1,2`);
    expect(truncated.status).toBe(200);
    expect(() => JSON.parse(truncated.text)).toThrow();
    // Every endpoint's 200 is cut, so a history, bulk or paged source can be tried against a broken body too.
    const past = new Date(Date.now() - 86_400_000).toISOString();
    for (const path of [
      `/v1/history.json?key=k1&q=1,2&dt=${past.slice(0, 10)}&hour=3`,
      '/v1/bulk.json?key=k1&n=3',
      `/v1/events/cursor?key=k1&since=${past.slice(0, 13)}:00:00Z&until=${past.slice(0, 13)}:59:59Z`,
    ]) {
      const cut = await get(`${api.url}${path}`);
      expect(cut.status, path).toBe(200);
      expect(() => JSON.parse(cut.text), path).toThrow();
    }
    await api.close();
    api = await startDemoApi({ key: 'k1' });
    const bulk = JSON.parse((await get(`${api.url}/v1/bulk.json?key=k1&n=250`)).text);
    expect(bulk.bulk).toHaveLength(250);
  });
});
