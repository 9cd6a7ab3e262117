import { EnvSecretStore } from '../../src/adapters/local/env-secret.js';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FsObjectStore } from '../../src/adapters/local/fs-store.js';
import { parseConfig } from '../../src/core/config.js';
import { STORE_LIMITS, type HttpClient, type StepLogger } from '../../src/core/ports.js';
import { metadataBytes } from '../../src/core/store-limits.js';
import { StoreRequestError } from '../../src/core/errors.js';
import { failureOf } from '../helpers/errors.js';
import { runFetchStep } from '../../src/core/steps/fetch.js';
import { runTransformStep } from '../../src/core/steps/transform.js';
import { readParquet } from '../helpers/duckdb.js';
import { tempDir } from '../helpers/temp-dirs.js';

const KEY = 'recognisable-KEY-7f3a9';
const FIXTURE = readFileSync(new URL('../fixtures/weatherapi-current.json', import.meta.url));
const config = parseConfig({
  source: {
    name: 'weather',
    url: 'https://api.weatherapi.com/v1/current.json',
    params: { q: '-37.5,145.7' },
    auth: { in: 'query', name: 'key' },
    columns: { location_localtime_epoch: 'bigint', location_localtime: 'timestamp' },
  },
  table: 'weather',
  schedule: 'cron(0 * * * ? *)',
});

function lake() {
  const root = tempDir('api-lake-steps-');
  const lines: string[] = [];
  const logger: StepLogger = { info: (m, f) => lines.push(JSON.stringify({ m, ...f })) };
  return { root, raw: new FsObjectStore(join(root, 'raw')), curated: new FsObjectStore(join(root, 'curated')), lines, logger };
}

const answer = (status: number, body: Buffer | string): HttpClient => async () => ({
  status,
  body: typeof body === 'string' ? new TextEncoder().encode(body) : new Uint8Array(body),
  header: (name) => (name === 'content-type' ? 'application/json' : null),
});

function allFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? allFiles(path) : [path];
  });
}

describe('fetch step', () => {
  it('stores the 2xx body byte for byte under the scheduled hour, with metadata and no key anywhere', async () => {
    // Prepare
    const l = lake();
    const now = Date.parse('2026-11-25T18:07:13Z');
    // Act
    const out = await runFetchStep(
      { time: '2026-11-25T18:00:00Z' },
      { source: config.source, raw: l.raw, secrets: new EnvSecretStore({}, KEY), http: answer(200, FIXTURE), now: () => now, sleep: async () => {}, logger: l.logger },
    );
    // Assess
    expect(out).toEqual({
      outcome: 'ok',
      source: 'weather',
      hour: '2026-11-25T18:00:00.000Z',
      request: 0,
      label: '',
      chain: expect.any(String),
      firstKey: 'weather/dt=2026-11-25/hour=18/weather_20261125T18Z.json',
      pages: 1,
      bytes: FIXTURE.length,
      httpStatus: 200,
    });
    const stored = await l.raw.get(out.firstKey);
    expect(Buffer.from(stored.body).equals(FIXTURE)).toBe(true);
    expect(stored.metadata).toMatchObject({ source: 'weather', 'scheduled-hour': '2026-11-25T18:00:00.000Z', 'fetched-at': '2026-11-25T18:07:13.000Z', 'http-status': '200', attempt: '1', chain: out.chain, page: '0', 'last-page': 'true' });
    const everything = [JSON.stringify(out), ...l.lines, ...allFiles(l.root).map((f) => readFileSync(f, 'latin1'))].join('\n');
    expect(everything).not.toContain(KEY);
    expect(everything).toContain('key=***');
  });

  it('stores nothing when the API answers with an error', async () => {
    const l = lake();
    const deps = { source: config.source, raw: l.raw, secrets: new EnvSecretStore({}, KEY), now: () => Date.parse('2026-11-25T18:03:00Z'), sleep: async () => {}, logger: l.logger };
    await expect(runFetchStep({ time: '2026-11-25T18:00:00Z' }, { ...deps, http: answer(401, '{"error":{"code":2006}}') })).rejects.toThrow(/refused the key/);
    await expect(runFetchStep({ time: '2026-11-25T18:00:00Z' }, { ...deps, http: answer(503, 'busy') })).rejects.toThrow(/HTTP 503/);
    expect(allFiles(l.root)).toEqual([]);
  });
});

describe("S3's limits on a PUT", () => {
  it('a URL too long for 2 KB of metadata is cut to fit, and the response is stored', async () => {
    const l = lake();
    const long = parseConfig({ ...config, source: { ...config.source, params: { q: 'x'.repeat(3000) } } });
    const out = await runFetchStep(
      { time: '2026-11-25T18:00:00Z' },
      { source: long.source, raw: l.raw, secrets: new EnvSecretStore({}, KEY), http: answer(200, FIXTURE), now: () => Date.parse('2026-11-25T18:03:00Z'), sleep: async () => {}, logger: l.logger },
    );
    const { metadata } = await l.raw.get(out.firstKey);
    expect(metadataBytes(metadata)).toBeLessThanOrEqual(STORE_LIMITS.metadataBytes);
    expect(metadata.url).toMatch(/^https:\/\/api\.weatherapi\.com\/v1\/current\.json\?q=x+\.\.\.$/);
  });

  it('the local store refuses what S3 refuses: a key over 1,024 bytes, metadata over 2 KB', async () => {
    const l = lake();
    const body = new Uint8Array([1]);
    const longKey = await failureOf(l.raw.put(`weather/${'é'.repeat(510)}.json`, body, { contentType: 'application/json' }));
    expect(longKey).toBeInstanceOf(StoreRequestError);
    expect(longKey.message).toMatch(/failed: KeyTooLongError \(HTTP 400\): Your key is too long \(1033 bytes, at most 1024\)/);
    const bigMetadata = await failureOf(l.raw.put('weather/a.json', body, { contentType: 'application/json', metadata: { note: 'n'.repeat(2000) } }));
    expect(bigMetadata.message).toMatch(/failed: MetadataTooLarge \(HTTP 400\)/);
    expect(allFiles(l.root)).toEqual([]);
  });
});

describe('transform step', () => {
  async function transformed(body: string | Buffer, declared = config) {
    const l = lake();
    const rawKey = 'weather/dt=2026-11-25/hour=18/weather_20261125T18Z.json';
    await l.raw.put(rawKey, typeof body === 'string' ? new TextEncoder().encode(body) : body, { contentType: 'application/json' });
    const out = await runTransformStep(
      { hour: '2026-11-25T18:00:00.000Z', rawKeys: [rawKey] },
      { source: declared.source, table: declared.table, raw: l.raw, curated: l.curated, now: () => Date.parse('2026-11-25T18:08:00Z'), logger: l.logger },
    );
    return { l, out, rawKey };
  }

  it('writes Snappy Parquet that DuckDB reads back with the same values and stable types', async () => {
    // Act
    const { l, out, rawKey } = await transformed(FIXTURE);
    // Assess
    expect(out.curatedKey).toBe('weather/dt=2026-11-25/hour=18/weather_20261125T18Z.parquet');
    expect(out.records).toBe(1);
    expect(out.columns).toContain('current_pressure_mb double');
    const { types, rows } = await readParquet(join(l.root, 'curated', out.curatedKey!));
    expect(types).toMatchObject({
      current_pressure_mb: 'DOUBLE',
      current_humidity: 'DOUBLE',
      current_condition_text: 'VARCHAR',
      location_localtime_epoch: 'BIGINT',
      location_localtime: 'TIMESTAMP WITH TIME ZONE',
      lake_scheduled_hour: 'TIMESTAMP WITH TIME ZONE',
      lake_ingested_at: 'TIMESTAMP WITH TIME ZONE',
      lake_raw_key: 'VARCHAR',
    });
    const source = JSON.parse(FIXTURE.toString());
    expect(rows[0]).toMatchObject({
      current_pressure_mb: source.current.pressure_mb,
      current_temp_c: source.current.temp_c,
      current_condition_text: source.current.condition.text,
      location_localtime_epoch: String(source.location.localtime_epoch),
      lake_raw_key: rawKey,
    });
    const file = join(l.root, 'curated', out.curatedKey!);
    const utc = (column: string) => `strftime(${column} AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M')`;
    const [times] = (await readParquet(file, `SELECT ${utc('lake_scheduled_hour')} AS h, ${utc('location_localtime')} AS lt FROM t`)).rows;
    expect(times).toEqual({ h: '2026-11-25 18:00', lt: '2025-11-26 05:00' });
    const [meta] = (await readParquet(file, `SELECT DISTINCT compression FROM parquet_metadata('${file}')`)).rows;
    expect(meta).toEqual({ compression: 'SNAPPY' });
  });

  it('writes nothing for zero records and reports records: 0', async () => {
    const { l, out } = await transformed('[]');
    expect(out).toMatchObject({ curatedKey: null, records: 0, columns: [] });
    expect(allFiles(join(l.root))).toHaveLength(2); // the raw object and its metadata only
  });

  it('keeps the raw object when the body is not JSON', async () => {
    const l = lake();
    const rawKey = 'weather/dt=2026-11-25/hour=18/weather_20261125T18Z.json';
    await l.raw.put(rawKey, new TextEncoder().encode('<html>maintenance</html>'), { contentType: 'text/html' });
    await expect(
      runTransformStep({ hour: '2026-11-25T18:00:00Z', rawKeys: [rawKey] }, { source: config.source, table: 'weather', raw: l.raw, curated: l.curated, now: Date.now, logger: l.logger }),
    ).rejects.toThrow(new RegExp(`${rawKey} is not JSON`));
    expect(new TextDecoder().decode((await l.raw.get(rawKey)).body)).toBe('<html>maintenance</html>');
  });

  it('reads many records from recordsPath, lists included', async () => {
    const many = parseConfig({ ...config, source: { ...config.source, recordsPath: 'data', columns: {} } });
    const body = JSON.stringify({ data: [{ id: 1, tags: ['a'], ok: true }, { id: 2.5, tags: [], ok: null }] });
    const { l, out } = await transformed(body, many);
    const { types, rows } = await readParquet(join(l.root, 'curated', out.curatedKey!), 'SELECT id, tags, ok FROM t ORDER BY id');
    expect(types).toMatchObject({ id: 'DOUBLE', tags: 'VARCHAR[]', ok: 'BOOLEAN' });
    expect(rows).toEqual([{ id: 1, tags: ['a'], ok: true }, { id: 2.5, tags: [], ok: null }]);
  });
});

