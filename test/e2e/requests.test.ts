import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FsObjectStore } from '../../src/adapters/local/fs-store.js';
import { queryLake } from '../../src/cli/lake-query.js';
import { localStackOf, type LocalStack } from '../../src/cli/twin/local-stack.js';
import { runHour, type RunResult } from '../../src/cli/twin/run.js';
import { asAppConfig, parseAppConfig, parseConfig, type AppConfig, type PipelineConfig } from '../../src/core/config.js';
import { rawHourPrefix, scheduledHour } from '../../src/core/layout.js';
import { EVENTS_PER_HOUR } from '../../src/demo/events-api.js';
import { DEMO_API_KEY, startDemoApi, type DemoApi } from '../../src/demo/weather-api.js';
import { synthesizeTemplate } from '../../infra/twin-template.js';
import { filesUnder, tempLake } from '../helpers/twin.js';

/** A past hour, fully updated by the demo's clock (two hours later). */
const HOUR = scheduledHour('2026-11-25T18:00:00Z');
let api: DemoApi;
beforeAll(async () => {
  api = await startDemoApi({ now: () => Date.parse(HOUR.iso) + 2 * 3_600_000 });
});
afterAll(() => api.close());

const example = (name: string, patch: Record<string, unknown> = {}): PipelineConfig => {
  const file = JSON.parse(readFileSync(join('examples', `${name}.json`), 'utf8')) as { source: { url: string } };
  return parseConfig({ ...file, ...patch, source: { ...file.source, url: file.source.url.replace(/^https:\/\/[^/]+/, api.url), ...((patch.source as object | undefined) ?? {}) } });
};
const stacks = new Map<string, LocalStack>();
/** The stack of an app as the twin runs it, for one of its pipelines (synthesized once per config). */
function stackOf(app: AppConfig, pipeline: string): LocalStack {
  const key = JSON.stringify(app.pipelines.map((p) => ({ ...p, source: { ...p.source, url: '' } }))) + pipeline;
  if (!stacks.has(key)) {
    const { template, stackName } = synthesizeTemplate(app);
    stacks.set(key, localStackOf(template, stackName, pipeline));
  }
  return stacks.get(key)!;
}
async function run(config: PipelineConfig, options: { lake?: string; hour?: string; stack?: LocalStack; app?: AppConfig; input?: unknown } = {}): Promise<RunResult & { lake: string; states: string[] }> {
  const lake = options.lake ?? tempLake();
  const states: string[] = [];
  const hour = scheduledHour(options.hour ?? HOUR.iso);
  const result = await runHour({
    config,
    stack: options.stack ?? stackOf(options.app ?? asAppConfig(config), config.name),
    lakeDir: lake,
    hour,
    fast: true,
    apiKey: DEMO_API_KEY,
    input: options.input,
    onProgress: (e) => e.kind === 'state-started' && states.push(e.state),
  });
  return { ...result, lake, states };
}
const rawPages = (lake: string, source: string) => filesUnder(join(lake, 'raw', source)).filter((f) => !f.endsWith('.meta.json')).sort();
const metaOf = (file: string) => (JSON.parse(readFileSync(`${file}.meta.json`, 'utf8')) as { metadata: Record<string, string> }).metadata;

describe('each pagination type, end to end through the twin against the demo API', () => {
  it.each([
    ['events-cursor', 'events'],
    ['events-offset', 'events_offset'],
    ['events-page', 'events_page'],
    ['events-link-header', 'events_link'],
    ['events-next-url', 'events_next'],
  ])('%s: every page stored as received, one chain, and the hour holds every event once', async (name, table) => {
    const config = example(name);
    const result = await run(config);
    expect(result.status).toBe('SUCCEEDED');
    const pages = rawPages(result.lake, config.source.name);
    expect(pages.map((f) => f.slice(f.lastIndexOf('_'))).sort()).toEqual([`_${HOUR.compact}Z.json`, '_p0001.json', '_p0002.json'].sort());
    const metadata = pages.map(metaOf);
    expect(new Set(metadata.map((m) => m.chain)).size).toBe(1);
    expect(metadata.map((m) => [m.page, m['last-page']])).toEqual([
      ['0', undefined],
      ['1', undefined],
      ['2', 'true'],
    ]);
    expect(JSON.stringify(metadata)).not.toContain(DEMO_API_KEY);
    const { rows } = await queryLake(result.lake, `SELECT count(*)::INT AS n, count(DISTINCT id)::INT AS d FROM ${table}`);
    expect(rows).toEqual([{ n: EVENTS_PER_HOUR, d: EVENTS_PER_HOUR }]);
    expect(result.output?.transformInput?.chains).toEqual([{ request: 0, firstKey: expect.any(String), pages: 3, bytes: expect.any(Number) }]);
  });

  it('goes on in a new invocation when the budget would not fit another page (MorePages loops)', async () => {
    const config = example('events-cursor');
    const base = stackOf(asAppConfig(config), config.name);
    // A Fetch timeout whose budget (less 3 s) is under one page's worst case (2 x 10 s + 25 s): every invocation stores one page and hands on.
    const short: LocalStack = { ...base, functions: Object.fromEntries(Object.entries(base.functions).map(([arn, fn]) => [arn, fn.environment.SECRET_NAME ? { ...fn, timeoutSeconds: 47 } : fn])) };
    const result = await run(config, { stack: short });
    expect(result.status).toBe('SUCCEEDED');
    expect(result.states.filter((s) => s === 'Fetch')).toHaveLength(3);
    expect(result.states.filter((s) => s === 'MorePages')).toHaveLength(3);
    expect((await queryLake(result.lake, 'SELECT count(DISTINCT id)::INT AS d FROM events')).rows).toEqual([{ d: EVENTS_PER_HOUR }]);
  });

  it('ends the hour FAILED at maxPages, naming the bound, with the pages so far kept in raw and nothing curated', async () => {
    const config = example('events-cursor', { source: { maxPages: 2 } });
    const result = await run(config);
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('PaginationError');
    expect(result.cause).toMatch(/more than source.maxPages \(2\) pages/);
    expect(rawPages(result.lake, 'events')).toHaveLength(2);
    expect(filesUnder(join(result.lake, 'curated')).filter((f) => f.endsWith('.parquet'))).toEqual([]);
  });

  it('refuses a next page on another host: the key is never sent there', async () => {
    const config = example('events-next-url', { source: { params: { since: '{{hour.start}}', until: '{{hour.end}}', per_page: '10', foreign: '1' } } });
    const result = await run(config);
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('PaginationError');
    expect(result.cause).toMatch(/names its next page on http:\/\/elsewhere.example.*the key is never sent to another host/);
    expect(rawPages(result.lake, 'events_next')).toHaveLength(1);
  });
});

describe('fan-out', () => {
  it('asks for each value (concurrency 2, paced), stores each as its own object, and names it in lake_request', async () => {
    const config = example('weather-fan-out');
    const result = await run(config, { hour: new Date(Date.now()).toISOString() });
    expect(result.status).toBe('SUCCEEDED');
    const { rows } = await queryLake(result.lake, 'SELECT lake_request, lake_raw_key FROM weather_cities ORDER BY lake_request');
    expect(rows.map((r) => r.lake_request)).toEqual(['-37.50,145.74', 'London', 'Paris']);
    expect(rows.map((r) => String(r.lake_raw_key).replace(/.*Z_/, ''))).toEqual(['r--37.50-145.74.json', 'r-London.json', 'r-Paris.json']);
  });

  it('one value the API refuses fails the whole hour: nothing curated, the notice names the value, and the Map stops as on AWS', async () => {
    const config = example('weather-fan-out', { source: { fanOut: { param: 'q', values: ['London', 'Atlantis', 'Paris', 'Oslo'], concurrency: 1 } } });
    const calls = api.calls();
    const result = await run(config, { hour: new Date(Date.now()).toISOString() });
    // Step Functions stops a failed Map's other iterations: Paris and Oslo, queued behind MaxConcurrency 1, are never asked for.
    expect(api.calls() - calls).toBe(2);
    expect(rawPages(result.lake, 'weather_cities').length).toBeLessThanOrEqual(1);
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('ApiRequestError');
    expect(result.cause).toMatch(/request \\?"Atlantis\\?": .*No location found/);
    expect(filesUnder(join(result.lake, 'curated')).filter((f) => f.endsWith('.parquet'))).toEqual([]);
    const failure = JSON.parse(result.notifications.at(-1)!.message) as { step: string };
    expect(failure.step).toBe('Fetch');
  });

  it('one value whose server stays down skips the whole hour, after its retries', async () => {
    const config = example('weather-fan-out', { source: { fanOut: { param: 'q', values: ['London', 'Down-Town'], concurrency: 2 } } });
    const result = await run(config, { hour: new Date(Date.now()).toISOString() });
    expect(result.status).toBe('SKIPPED');
    expect(filesUnder(join(result.lake, 'curated')).filter((f) => f.endsWith('.parquet'))).toEqual([]);
  });
});

describe('the incremental cursor', () => {
  const incremental = () => example('events-incremental', { source: { incremental: { cursorPath: 'updated_at', param: 'updated_since', initial: '2026-11-25T17:00:00Z' } } });
  const askedSince = (lake: string, hour: string) => {
    const prefix = rawHourPrefix('events_changes', scheduledHour(hour));
    return decodeURIComponent(metaOf(filesUnder(join(lake, 'raw', prefix)).filter((f) => !f.endsWith('.meta.json')).sort()[0]!).url!).match(/updated_since=([^&]+)/)?.[1];
  };

  it('asks each hour from the largest value the hours before it saw; a failed hour moves nothing; a rerun asks as before', async () => {
    const config = incremental();
    const lake = tempLake();
    const first = await run(config, { lake, hour: '2026-11-25T18:00:00Z', input: { time: '2026-11-25T18:00:00Z', allowCurrentData: true } });
    expect(first.status).toBe('SUCCEEDED');
    expect(askedSince(lake, '2026-11-25T18:00:00Z')).toBe('2026-11-25T17:00:00Z');
    const state = JSON.parse(readFileSync(join(lake, 'curated', '_state', 'events_changes.json'), 'utf8')) as { entries: { hour: string; value: string }[] };
    expect(state.entries).toEqual([{ hour: '2026-11-25T18:00:00.000Z', value: expect.stringMatching(/^2026-11-25T/), setAt: expect.any(String) }]);
    const cursor = state.entries[0]!.value;

    // An hour whose API is down is skipped; its cursor is not moved.
    const down = { ...config, source: { ...config.source, url: 'http://127.0.0.1:2/v1/events/cursor' } };
    const skipped = await run(down, { lake, hour: '2026-11-25T19:00:00Z', input: { time: '2026-11-25T19:00:00Z', allowCurrentData: true } });
    expect(skipped.status).toBe('SKIPPED');
    expect(JSON.parse(readFileSync(join(lake, 'curated', '_state', 'events_changes.json'), 'utf8')).entries).toHaveLength(1);

    const next = await run(config, { lake, hour: '2026-11-25T19:00:00Z', input: { time: '2026-11-25T19:00:00Z', allowCurrentData: true } });
    expect(next.status).toBe('SUCCEEDED');
    expect(askedSince(lake, '2026-11-25T19:00:00Z')).toBe(cursor);
    // The rerun of 18:00 asks from where 18:00 asked, not from what later hours saw.
    await run(config, { lake, hour: '2026-11-25T18:00:00Z', input: { time: '2026-11-25T18:00:00Z', allowCurrentData: true } });
    expect(askedSince(lake, '2026-11-25T18:00:00Z')).toBe('2026-11-25T17:00:00Z');
  });
});

describe('several pipelines in one app', () => {
  it('runs each pipeline with its own state machine and table, in one lake, sharing the database', async () => {
    const weather = JSON.parse(readFileSync('api-lake.config.json', 'utf8')) as Record<string, unknown>;
    const events = JSON.parse(readFileSync('examples/events-cursor.json', 'utf8')) as Record<string, unknown>;
    const app = parseAppConfig({ stackName: 'ApiLakeTwo', pipelines: [{ source: weather.source, table: weather.table, schedule: weather.schedule }, { name: 'events_feed', source: events.source, table: events.table, schedule: events.schedule }] });
    const withDemo = (p: PipelineConfig): PipelineConfig => ({ ...p, source: { ...p.source, url: p.source.url.replace(/^https:\/\/[^/]+/, api.url) } });
    const lake = tempLake();
    const [weatherRun, eventsRun] = [await run(withDemo(app.pipelines[0]!), { lake, app, hour: new Date().toISOString() }), await run(withDemo(app.pipelines[1]!), { lake, app })];
    expect([weatherRun.status, eventsRun.status]).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    expect(filesUnder(join(lake, '_catalog')).map((f) => f.slice(lake.length))).toEqual(expect.arrayContaining(['/_catalog/apilaketwo/weather.json', '/_catalog/apilaketwo/events.json']));
    expect((await queryLake(lake, 'SELECT (SELECT count(*) FROM weather)::INT AS w, (SELECT count(*) FROM events)::INT AS e')).rows).toEqual([{ w: 1, e: EVENTS_PER_HOUR }]);
    // The twin refuses a pipeline the app does not have.
    const { template, stackName } = synthesizeTemplate(app);
    expect(() => localStackOf(template, stackName, 'nope')).toThrow(/has no state machine of pipeline nope: it has weather, events_feed/);
  });

  it('refuses two pipelines with one table, one source or one name', () => {
    const p = (name: string, table: string, source = name) => ({ name, source: { name: source, url: 'https://a.example', auth: { in: 'none' } }, table, schedule: 'rate(1 hour)' });
    expect(() => parseAppConfig({ pipelines: [p('a', 't'), p('b', 't')] })).toThrow(/pipelines.1.table: "t" is also pipeline 0's/);
    expect(() => parseAppConfig({ pipelines: [p('a', 't', 's'), p('b', 'u', 's')] })).toThrow(/pipelines.1.source.name: "s" is also pipeline 0's; each pipeline needs its own source name/);
    expect(() => parseAppConfig({ pipelines: [] })).toThrow(/must hold at least one pipeline/);
  });
});

describe('reprocess of a paginated hour', () => {
  it('reads the pages of the last run and leaves out those an earlier, longer run left behind', async () => {
    const config = example('events-cursor');
    const lake = tempLake();
    const longer = await run(example('events-cursor', { source: { params: { since: '{{hour.start}}', until: '{{hour.end}}', limit: '5' } } }), { lake });
    expect(rawPages(longer.lake, 'events')).toHaveLength(5);
    expect((await run(config, { lake })).status).toBe('SUCCEEDED'); // 3 pages of 10 over the first three
    const keys = await new FsObjectStore(join(lake, 'raw')).list(rawHourPrefix('events', HOUR));
    expect(keys).toHaveLength(5);
    const again = await run(config, { lake, input: { time: HOUR.iso.replace('.000Z', 'Z'), reprocess: { rawKeys: keys } } });
    expect(again.status).toBe('SUCCEEDED');
    expect((await queryLake(lake, 'SELECT count(*)::INT AS n, count(DISTINCT id)::INT AS d FROM events')).rows).toEqual([{ n: EVENTS_PER_HOUR, d: EVENTS_PER_HOUR }]);
  });
});
