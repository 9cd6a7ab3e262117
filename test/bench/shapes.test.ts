/**
 * The shapes `npm run bench` measures are converted correctly: each through the real encodeHour, read back by
 * DuckDB (an independent reader) and compared with JSON.parse of the same text, column by column, with the
 * columns an independent flattening of the records expects (nested objects joined by `_`, lists of scalars as
 * lists, lists holding objects as JSON text, absent keys as null).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHAPES, type Shape } from '../../bench/shapes.js';
import { parseConfig } from '../../src/core/config.js';
import { scheduledHour } from '../../src/core/layout.js';
import { encodeHour, LINEAGE_COLUMNS } from '../../src/core/steps/transform.js';
import { readParquet } from '../helpers/duckdb.js';
import { tempDir } from '../helpers/temp-dirs.js';

const RECORDS = 150;
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Each leaf of a record by its flattened column name. */
function flatten(record: { [key: string]: Json }, prefix = '', out = new Map<string, Json>()): Map<string, Json> {
  for (const [key, value] of Object.entries(record)) {
    const name = prefix + key;
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) flatten(value, `${name}_`, out);
    else out.set(name, value);
  }
  return out;
}

/** The Parquet file of `count` records of `shape`, its rows as DuckDB reads them, and the records JSON.parse reads. */
async function convert(shape: Shape, count = RECORDS) {
  const text = shape.generate(count);
  const source = parseConfig({ source: { name: 'bench', url: 'https://bench.example/x', auth: { in: 'none' }, columns: shape.columns }, table: 'bench', schedule: 'rate(1 hour)' }).source;
  const encoded = encodeHour([{ key: 'bench/raw.json', body: new TextEncoder().encode(text) }], { source, table: 'bench', hour: scheduledHour('2026-11-25T18:00:00Z'), ingestedAt: Date.now() });
  const file = join(tempDir('api-lake-shapes-'), `${shape.name}.parquet`);
  writeFileSync(file, encoded!.body);
  const { types } = await readParquet(file, 'SELECT * FROM t LIMIT 0');
  // Values DuckDB's JSON would round or reformat are read as text: 64-bit integers, and timestamps as epoch ms.
  const select = Object.entries(types).map(([name, type]) => (type === 'BIGINT' ? `CAST("${name}" AS VARCHAR) AS "${name}"` : type.startsWith('TIMESTAMP') ? `epoch_ms("${name}")::DOUBLE AS "${name}"` : `"${name}"`));
  const { rows } = await readParquet(file, `SELECT ${select.join(', ')} FROM t`);
  const records = (JSON.parse(text) as { [key: string]: Json }[]).map((record) => flatten(record));
  return { types, rows, records };
}

/** What a column of `type` should hold for a JSON value: the expectation, from the input alone. */
function expected(value: Json | undefined, type: string): unknown {
  if (value === undefined || value === null) return null;
  if (type === 'BIGINT') return BigInt(value as string | number).toString();
  if (type.startsWith('TIMESTAMP')) return Date.parse(value as string);
  return value;
}

describe.each(SHAPES.map((shape) => [shape.name, shape] as const))('the %s shape read back by DuckDB', (_, shape) => {
  it('holds every leaf of every record, as JSON.parse reads it, with the declared types', async () => {
    const { types, rows, records } = await convert(shape);
    expect(rows).toHaveLength(RECORDS);
    const names = new Set(records.flatMap((record) => [...record.keys()]));
    const lineage = new Set<string>(Object.values(LINEAGE_COLUMNS));
    expect(Object.keys(types).filter((name) => !lineage.has(name)).sort()).toEqual([...names].sort());
    for (const [name, declared] of Object.entries(shape.columns)) expect(types[name]).toBe(declared === 'bigint' ? 'BIGINT' : 'TIMESTAMP WITH TIME ZONE');
    for (const name of names) {
      const type = types[name]!;
      const holdsObjects = records.some((record) => JSON.stringify(record.get(name) ?? null).startsWith('[{'));
      rows.forEach((row, i) => {
        const value = records[i]!.get(name);
        if (holdsObjects) {
          expect(type, name).toBe('VARCHAR');
          expect(row[name] === null ? null : JSON.parse(row[name] as string), `${name} of record ${i}`).toEqual(value ?? null);
        } else expect(row[name], `${name} of record ${i}`).toEqual(expected(value, type));
      });
    }
  });
});

describe('the shapes hold what issue 17 asks of them', () => {
  const shape = (name: string) => SHAPES.find((s) => s.name === name)!;

  it('events: a nested list of objects, kept as JSON text with escapes and non-ASCII text intact', async () => {
    const { types, rows, records } = await convert(shape('events'));
    expect(types.payload_commits).toBe('VARCHAR');
    const pushes = rows.map((row, i) => [row.payload_commits, records[i]!.get('payload_commits')] as const).filter(([, commits]) => commits !== undefined);
    expect(pushes.length).toBeGreaterThan(RECORDS / 3);
    const messages = pushes.flatMap(([text]) => (JSON.parse(text as string) as { message: string }[]).map((commit) => commit.message));
    expect(messages.some((message) => message.includes('\n') && /[^\x00-\x7f]/.test(message))).toBe(true);
    expect(messages.some((message) => message.includes('"') && message.includes('\\'))).toBe(true);
  });

  it('long text: 2-5 KB of non-ASCII UTF-8 a record, read back byte for byte', async () => {
    const { types, rows, records } = await convert(shape('long-text'), 40);
    expect(types.body).toBe('VARCHAR');
    for (const [i, row] of rows.entries()) {
      const body = records[i]!.get('body') as string;
      expect(Buffer.byteLength(body)).toBeGreaterThanOrEqual(2000);
      expect(Buffer.byteLength(body)).toBeLessThan(5200);
      expect(body).toMatch(/[^\x00-\x7f]/);
      expect(row.body).toBe(body);
    }
  });

  it('wide numeric: 80 fields, doubles of 17 significant digits, some written with an exponent, exactly as JSON.parse reads them', async () => {
    const text = shape('wide-numeric').generate(20);
    expect(text).toMatch(/"m07":-?\d\.\d{15,16}e-\d/);
    const { types, rows, records } = await convert(shape('wide-numeric'), 20);
    expect(records[0]!.size).toBe(80);
    expect(types.m07).toBe('DOUBLE');
    const digits = (x: number) => String(Math.abs(x)).replace(/e.*$/, '').replace('.', '').replace(/^0+/, '').length;
    expect(rows.some((row) => digits(row.m01 as number) === 17)).toBe(true);
    rows.forEach((row, i) => {
      expect(Object.is(row.m07, records[i]!.get('m07'))).toBe(true);
      expect(Object.is(row.m01, records[i]!.get('m01'))).toBe(true);
    });
  });

  it('sparse: 8-12 of 40 optional keys a record, so most of each column is null', async () => {
    const { types, rows, records } = await convert(shape('sparse'));
    const optional = Object.keys(types).filter((name) => /^(attr|prop|field|meta)_/.test(name));
    expect(optional).toHaveLength(40);
    for (const record of records) expect(record.size - 2).toBeGreaterThanOrEqual(8);
    for (const record of records) expect(record.size - 2).toBeLessThanOrEqual(12);
    for (const name of optional) {
      const nulls = rows.filter((row) => row[name] === null).length;
      expect(nulls, name).toBeGreaterThan(RECORDS / 2);
      expect(nulls, name).toBe(records.filter((record) => !record.has(name)).length);
    }
  });

  it('deeply nested: objects six levels and more, few leaves', async () => {
    const { types, records } = await convert(shape('nested'));
    const depths = [...records[0]!.keys()].map((name) => name.split('_').length);
    expect(Math.max(...depths)).toBeGreaterThanOrEqual(7);
    const lineage = new Set<string>(Object.values(LINEAGE_COLUMNS));
    expect(Object.keys(types).filter((name) => !lineage.has(name)).length).toBeLessThanOrEqual(6);
  });
});
