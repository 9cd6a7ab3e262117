import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/core/config.js';
import { SchemaError } from '../../src/core/errors.js';
import { scheduledHour } from '../../src/core/layout.js';
import { encodeHour } from '../../src/core/steps/transform.js';
import { readParquet } from '../helpers/duckdb.js';
import { tempDir } from '../helpers/temp-dirs.js';

const source = (columns: Record<string, string> = {}) =>
  parseConfig({ source: { name: 'edge', url: 'https://x.example/a', auth: { in: 'none' }, columns }, table: 'edge', schedule: 'rate(1 hour)' }).source;

/** Encodes records through the real transform and reads the Parquet back with DuckDB. */
async function roundTrip(records: unknown, sql = 'SELECT * EXCLUDE (lake_scheduled_hour, lake_ingested_at, lake_raw_key, lake_current_data) FROM t', columns: Record<string, string> = {}) {
  const body = new TextEncoder().encode(typeof records === 'string' ? records : JSON.stringify(records));
  const encoded = encodeHour([{ key: 'edge/raw.json', body }], { source: source(columns), table: 'edge', hour: scheduledHour('2026-11-25T18:00:00Z'), ingestedAt: 0 });
  const file = join(tempDir('api-lake-edge-'), 'out.parquet');
  writeFileSync(file, encoded!.body);
  return readParquet(file, sql);
}

describe('unusual but valid data', () => {
  it('flattens 50 levels of nesting into one column', async () => {
    let record: Record<string, unknown> = { leaf: 'deep' };
    for (let i = 0; i < 49; i++) record = { n: record };
    const { types, rows } = await roundTrip([record]);
    const name = `${'n_'.repeat(49)}leaf`;
    expect(types).toMatchObject({ [name]: 'VARCHAR' });
    expect(Object.keys(types)).toHaveLength(1 + 4); // the column and the four lineage columns
    expect(rows).toEqual([{ [name]: 'deep' }]);
  });

  it('refuses nesting whose column name would pass 255 characters, with a clear error', () => {
    let record: Record<string, unknown> = { leaf: 1 };
    for (let i = 0; i < 60; i++) record = { level_x: record };
    expect(() => encodeHour([{ key: 'k', body: new TextEncoder().encode(JSON.stringify(record)) }], { source: source(), table: 'edge', hour: scheduledHour('2026-11-25T18:00:00Z'), ingestedAt: 0 })).toThrow(
      /column name of \d+ characters, over Athena's 255/,
    );
  });

  it('writes 2,000 fields as 2,000 columns', async () => {
    const record = Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`f${i}`, i]));
    const { types, rows } = await roundTrip([record, record]);
    expect(Object.keys(types)).toHaveLength(2000 + 4);
    expect(rows[1]!.f1999).toBe(1999);
  });

  it('keeps unicode values exactly and turns unicode keys into Athena-safe names (non-Latin letters become _)', async () => {
    const { rows } = await roundTrip([{ 'température': 'très chaud ☀️ 日本語', 'ключ': 'значение' }]);
    expect(rows).toEqual([{ temperature: 'très chaud ☀️ 日本語', c_____: 'значение' }]);
  });

  it('refuses keys that differ only by case or by "." and "_", naming both', () => {
    const encode = (record: unknown) => () =>
      encodeHour([{ key: 'k', body: new TextEncoder().encode(JSON.stringify([record])) }], { source: source(), table: 'edge', hour: scheduledHour('2026-11-25T18:00:00Z'), ingestedAt: 0 });
    expect(encode({ Temp: 1, temp: 2 })).toThrow(SchemaError);
    expect(encode({ 'a.b': 1, a_b: 2 })).toThrow(/fields "a.b" and "a_b" both become column "a_b"/);
  });

  it('stores numbers beyond 2^53 as the double JSON gives them, or refuses them as bigint', async () => {
    const { rows } = await roundTrip('[{"big": 123456789012345678901234567890, "max": 9007199254740993}]');
    expect(rows).toEqual([{ big: 1.2345678901234568e29, max: 9007199254740992 }]);
    await expect(roundTrip('[{"max": 9007199254740993}]', undefined, { max: 'bigint' })).rejects.toThrow(/within ±2\^53/);
  });

  it('keeps a 5 MB string whole', async () => {
    const long = 'x'.repeat(5 * 1024 * 1024) + 'end';
    const { rows } = await roundTrip([{ text: long }], 'SELECT length(text) AS n, right(text, 3) AS tail FROM t');
    expect(rows).toEqual([{ n: String(long.length), tail: 'end' }]);
  });
});
