import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { FsObjectStore } from '../../src/adapters/local/fs-store.js';
import { parseConfig, type PipelineConfig } from '../../src/core/config.js';
import { StoreUnavailableError } from '../../src/core/errors.js';
import type { ObjectStore } from '../../src/core/ports.js';
import { scheduledHour } from '../../src/core/layout.js';
import { queryLake } from '../../src/cli/lake-query.js';
import { runHour } from '../../src/cli/twin/run.js';
import { projectConfig } from '../helpers/synth.js';
import { clockOf, definition, stateOf, everythingProduced, filesUnder, localStack, RECOGNISABLE_KEY, runAgainstDemo, tempLake, type TwinRun } from '../helpers/twin.js';

beforeAll(() => {
  definition();
}, 60_000);

const message = (run: { notifications: { message: string }[] }) => JSON.parse(run.notifications.at(-1)!.message) as Record<string, unknown>;
/** The failed step's error message, out of the Lambda-shaped cause the notification carries. */
const causeMessage = (run: { notifications: { message: string }[] }) => (JSON.parse(String(message(run).cause)) as { errorMessage: string }).errorMessage;

/** A port on 127.0.0.1 that nothing listens on. */
async function closedPort(): Promise<number> {
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
const dataFiles = (run: TwinRun, zone: 'raw' | 'curated') => filesUnder(join(run.lake, zone)).filter((f) => !f.endsWith('.meta.json') && !f.includes('_schemas'));
const withSource = (patch: Record<string, unknown>) => (c: PipelineConfig) => parseConfig({ ...c, source: { ...c.source, ...patch } });
const runs: TwinRun[] = [];
const track = async (run: Promise<TwinRun>) => {
  const r = await run;
  runs.push(r);
  return r;
};

/** Runs the state machine against a source URL nothing answers correctly at (no demo API behind it). */
async function runAgainstUrl(url: string, patch: Record<string, unknown> = {}): Promise<TwinRun> {
  const lake = tempLake();
  const base = projectConfig();
  const config = parseConfig({ ...base, source: { ...base.source, url, ...patch } });
  const progress: TwinRun['progress'][number][] = [];
  const result = await runHour({ config, stack: localStack(), lakeDir: lake, hour: scheduledHour('2026-11-25T18:00:00Z'), now: clockOf(scheduledHour('2026-11-25T18:00:00Z')), fast: true, apiKey: RECOGNISABLE_KEY, onProgress: (e) => progress.push(e) });
  return { ...result, lake, progress, apiCalls: 0 };
}

describe('the API is unavailable', () => {
  it.each([
    ['refuses connections', 'closed-port', /could not be reached: ECONNREFUSED/],
    ['has no DNS name', 'https://api-lake-test.invalid/v1/current.json', /could not be reached: (ENOTFOUND|EAI_AGAIN)/],
  ])('%s: retried, then the hour is skipped with a notification and no objects', async (_what, url, cause) => {
    const target = url === 'closed-port' ? `http://127.0.0.1:${await closedPort()}/v1/current.json` : url;
    const run = await track(runAgainstUrl(target));
    expect(run.status).toBe('SKIPPED');
    expect(run.progress.filter((e) => e.kind === 'state-retry' && e.state === 'Fetch')).toHaveLength(3);
    expect(message(run)).toMatchObject({ outcome: 'SKIPPED', error: 'ApiUnavailableError' });
    expect(causeMessage(run)).toMatch(cause);
    expect(dataFiles(run, 'raw')).toEqual([]);
  });

  it('hangs past the request timeout: retried, then skipped', async () => {
    const run = await track(runAgainstDemo({ latencyMs: 1500 }, { config: withSource({ timeoutSeconds: 1 }) }));
    expect(run.status).toBe('SKIPPED');
    expect(causeMessage(run)).toContain('did not answer within the request timeout');
    expect(dataFiles(run, 'raw')).toEqual([]);
  });

  it.each([500, 502, 503, 504])('answers %i twice, then 200: one raw and one curated object, one row', async (status) => {
    const run = await track(runAgainstDemo({ failFirst: 2, failStatus: status }));
    expect(run.status).toBe('SUCCEEDED');
    expect(dataFiles(run, 'raw')).toHaveLength(1);
    expect(dataFiles(run, 'curated')).toHaveLength(1);
    expect((await queryLake(run.lake, 'SELECT count(*)::INT AS n FROM weather')).rows).toEqual([{ n: 1 }]);
  });
});

describe('429 with Retry-After', () => {
  it('a short one (seconds) is honoured inside the step: one state attempt, two calls', async () => {
    const run = await track(runAgainstDemo({ failFirst: 1, failStatus: 429, retryAfter: '1' }));
    expect(run.status).toBe('SUCCEEDED');
    expect(run.apiCalls).toBe(2);
    expect(run.progress.filter((e) => e.kind === 'state-retry')).toEqual([]);
  });

  it('an HTTP date a moment away is honoured the same way', async () => {
    const at = new Date(Date.now() + 1000).toUTCString();
    const run = await track(runAgainstDemo({ failFirst: 1, failStatus: 429, retryAfter: at }));
    expect(run.status).toBe('SUCCEEDED');
    expect(run.apiCalls).toBe(2);
  });

  it('Retry-After: 0 on every answer is no tight loop: two calls per state attempt at most', async () => {
    const run = await track(runAgainstDemo({ failFirst: 1000, failStatus: 429, retryAfter: '0' }));
    expect(run.status).toBe('SKIPPED');
    expect(run.apiCalls).toBe(8); // 4 state attempts x 2 calls
  });

  it('an absurdly large one is not waited for in the step: the state machine retries with its own bounded backoff', async () => {
    // Waiting it in the step would hang this test far past its timeout; one call per state attempt shows it was handed on.
    const run = await track(runAgainstDemo({ failFirst: 1000, failStatus: 429, retryAfter: '999999999' }));
    expect(run.status).toBe('SKIPPED');
    expect(run.apiCalls).toBe(4);
    expect(stateOf('Fetch').Retry).toContainEqual(expect.objectContaining({ ErrorEquals: ['ApiUnavailableError'], MaxDelaySeconds: 300 }));
  });
});

describe('the key is refused', () => {
  it.each([401, 403])('%i: FAILED with a notification that says the key is wrong, after one call', async (status) => {
    const run = await track(runAgainstDemo({ status }));
    expect(run.status).toBe('FAILED');
    expect(run.apiCalls).toBe(1);
    expect(message(run)).toMatchObject({ outcome: 'FAILED', step: 'Fetch', error: 'ApiAuthError' });
    expect(causeMessage(run)).toContain('the API refused the key');
  });
});

describe('a 200 with a body that is not the records', () => {
  it.each([
    ['HTML', '<html><body>Maintenance</body></html>', /is not JSON .*starts with "<html>/],
    ['truncated JSON', '{"location": {"name": "Heal', /is not JSON/],
    ['an empty body', '', /is empty, not JSON/],
    ['a JSON scalar', '42', /is a number \(42\); expected a JSON object/],
  ])('%s: raw kept as received, failure notification naming the problem and the raw key', async (_what, body, problem) => {
    const run = await track(runAgainstDemo({ body }));
    expect(run.status).toBe('FAILED');
    const failure = message(run);
    expect(failure).toMatchObject({ step: 'Transform', error: 'InvalidResponseError', rawKeys: ['weather/dt=2026-11-25/hour=18/weather_20261125T18Z.json'] });
    expect(causeMessage(run)).toMatch(problem);
    const [raw] = dataFiles(run, 'raw');
    expect((await import('node:fs')).readFileSync(raw!, 'utf8')).toBe(body);
    expect(dataFiles(run, 'curated')).toEqual([]);
  });

  it('the wrong recordsPath: the notification names the path and what is there', async () => {
    const run = await track(runAgainstDemo({}, { config: withSource({ recordsPath: 'data.items' }) }));
    expect(run.status).toBe('FAILED');
    expect(causeMessage(run)).toMatch(/recordsPath "data.items" was not found .*there is no "data" in an object with keys "location", "current"/);
  });
});

describe('the schema moves between hours', () => {
  it('a column that changes type fails with the column, both types and both hours; curated data is untouched', async () => {
    const lake = tempLake();
    const first = await runAgainstDemo({ body: '{"station": "a", "reading": 15}' }, { lake, hour: '2026-11-25T18:00:00Z' });
    expect(first.status).toBe('SUCCEEDED');
    const before = filesUnder(join(lake, 'curated')).sort();
    const second = await track(runAgainstDemo({ body: '{"station": "a", "reading": "high"}' }, { lake, hour: '2026-11-25T19:00:00Z' }));
    expect(second.status).toBe('FAILED');
    expect(message(second)).toMatchObject({ step: 'Transform', error: 'SchemaError' });
    expect(causeMessage(second)).toMatch(/"reading" is double since hour 2026-11-25T18:00:00.000Z but string in hour 2026-11-25T19:00:00.000Z/);
    expect(filesUnder(join(lake, 'curated')).sort()).toEqual(before);
  });

  it('a new column appears and an old one disappears: both hours load; older hours read the new column as NULL', async () => {
    const lake = tempLake();
    await runAgainstDemo({ body: '{"station": "a", "old": 1}' }, { lake, hour: '2026-11-25T18:00:00Z' });
    const later = await runAgainstDemo({ body: '{"station": "a", "new": true}' }, { lake, hour: '2026-11-25T19:00:00Z' });
    expect(later.status).toBe('SUCCEEDED');
    const { rows } = await queryLake(lake, 'SELECT hour, old, new FROM weather ORDER BY hour');
    expect(rows).toEqual([
      { hour: 18, old: 1, new: null },
      { hour: 19, old: null, new: true },
    ]);
  });
});

describe('a field named like a partition key', () => {
  it('is stored as source_dt, and the partition dt still names the scheduled hour', async () => {
    const run = await track(
      runAgainstDemo({ body: '{"dt": 1764093600, "temp": 12.5}' }, { config: withSource({ columns: { source_dt: 'timestamp' } }) }),
    );
    expect(run.status).toBe('SUCCEEDED');
    const { rows } = await queryLake(run.lake, 'SELECT dt, hour, source_dt::VARCHAR AS source_dt, temp FROM weather');
    expect(rows).toEqual([{ dt: '2026-11-25', hour: 18, source_dt: '2025-11-25 18:00:00', temp: 12.5 }]);
  });
});

/** A zone that fails its first `failures` writes (or all of them), like S3 during an outage. */
function flakyStore(inner: ObjectStore, failures: number): ObjectStore & { writes: number } {
  const store = {
    location: inner.location,
    writes: 0,
    get: (key: string) => inner.get(key),
    list: (prefix: string) => inner.list(prefix),
    put: async (key: string, body: Uint8Array, options: { contentType: string; metadata?: Record<string, string> }) => {
      store.writes++;
      if (store.writes <= failures) throw new StoreUnavailableError(`writing ${inner.location}/${key} failed: SlowDown: Please reduce your request rate`);
      return inner.put(key, body, options);
    },
  };
  return store;
}

describe('the object store fails on write', () => {
  async function runWithRawStore(failures: number) {
    const lake = tempLake();
    const raw = flakyStore(new FsObjectStore(join(lake, 'raw')), failures);
    const base = projectConfig();
    const { startDemoApi } = await import('../../src/demo/weather-api.js');
    const api = await startDemoApi({ key: RECOGNISABLE_KEY });
    try {
      const config = parseConfig({ ...base, source: { ...base.source, url: `${api.url}/v1/current.json` } });
      const result = await runHour({ config, stack: localStack(), lakeDir: lake, hour: scheduledHour('2026-11-25T18:00:00Z'), now: clockOf(scheduledHour('2026-11-25T18:00:00Z')), fast: true, apiKey: RECOGNISABLE_KEY, stores: { raw } });
      return { result, raw, lake };
    } finally {
      await api.close();
    }
  }

  it('transiently: classified StoreUnavailableError, retried, then succeeds', async () => {
    const { result, raw } = await runWithRawStore(2);
    expect(result.status).toBe('SUCCEEDED');
    expect(raw.writes).toBe(3);
  });

  it('for good: a clear failure notification after the retries', async () => {
    const { result, raw } = await runWithRawStore(1000);
    expect(result.status).toBe('FAILED');
    expect(raw.writes).toBe(4);
    expect(message(result)).toMatchObject({ step: 'Fetch', error: 'StoreUnavailableError' });
  });
});

describe('size and concurrency', () => {
  it('a response over source.maxResponseBytes is refused with a clear error and nothing is stored', async () => {
    const run = await track(runAgainstDemo({}, { config: (c) => parseConfig({ ...c, source: { ...c.source, url: c.source.url.replace('current.json', 'bulk.json'), params: { ...c.source.params, n: '20000' }, maxResponseBytes: 1_000_000 } }) }));
    expect(run.status).toBe('FAILED');
    expect(message(run)).toMatchObject({ step: 'Fetch', error: 'ResponseTooLargeError' });
    expect(causeMessage(run)).toContain('source.maxResponseBytes (1000000');
    expect(dataFiles(run, 'raw')).toEqual([]);
  });

  it('the same hour run twice at the same time: the lake holds the hour once', async () => {
    const lake = tempLake();
    const both = await Promise.all([runAgainstDemo({}, { lake }), runAgainstDemo({}, { lake })]);
    expect(both.map((r) => r.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    expect((await queryLake(lake, 'SELECT count(*)::INT AS n FROM weather')).rows).toEqual([{ n: 1 }]);
    expect(filesUnder(join(lake, 'curated')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});

describe('bad execution input', () => {
  it.each([[{}], [{ time: 'yesterday' }], [{ time: 42 }], [{ time: '2026-11-25' }], ['just a string'], [null]])(
    'input %j: a clear failure, nothing written under any hour',
    async (input) => {
      const run = await track(runAgainstDemo({}, { input }));
      expect(run.status).toBe('FAILED');
      expect(run.apiCalls).toBe(0);
      expect(message(run)).toMatchObject({ step: 'CheckInput', error: 'InvalidInputError' });
      expect(filesUnder(join(run.lake, 'raw'))).toEqual([]);
    },
  );
});

describe('secrets, whatever fails', () => {
  it('the recognisable key appears in no output, file, log, notification or step output of any fault above', () => {
    expect(runs.length).toBeGreaterThan(20);
    for (const run of runs) expect(everythingProduced(run)).not.toContain(RECOGNISABLE_KEY);
  });
});
