import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { describe, expect, it } from 'vitest';
import { parseConfig, type ColumnType } from '../../src/core/config.js';
import { SchemaError } from '../../src/core/errors.js';
import { scheduledHour } from '../../src/core/layout.js';
import { PAGE_BYTES } from '../../src/parquet/index.js';
import { encodeHour } from '../../src/core/steps/transform.js';
import { reconcileSchema } from '../../src/core/table-schema.js';
import { readParquet } from '../helpers/duckdb.js';
import { PAGE, parquetPages } from '../helpers/parquet-pages.js';
import { tempDir } from '../helpers/temp-dirs.js';

const dir = tempDir('api-lake-types-');
const hour = scheduledHour('2026-11-25T18:00:00Z');
const source = (columns: Record<string, ColumnType> = {}) =>
  parseConfig({ source: { name: 't', url: 'https://x.example/a', auth: { in: 'none' }, columns }, table: 't', schedule: 'rate(1 hour)' }).source;
let files = 0;

/** The hour's Parquet for a response body, written to a file; or the SchemaError it is refused with. */
function encode(body: string, columns: Record<string, ColumnType> = {}): string {
  const encoded = encodeHour([{ key: 'raw.json', body: new TextEncoder().encode(body) }], { source: source(columns), table: 't', hour, ingestedAt: 0 });
  const file = join(dir, `f${files++}.parquet`);
  writeFileSync(file, encoded!.body);
  return file;
}
const refusal = (body: string, columns: Record<string, ColumnType> = {}) => {
  try {
    encode(body, columns);
  } catch (error) {
    expect(error).toBeInstanceOf(SchemaError);
    return (error as Error).message;
  }
  throw new Error(`${body} was stored`);
};
/** Rows as hyparquet (a second, independent reader) reads them. */
const hyparquetRows = async (file: string) => {
  const bytes = readFileSync(file);
  return parquetReadObjects({ file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer });
};

describe('declared bigint', () => {
  it('refuses "9223372036854775808", one past the 64-bit range, naming the value (it was stored as -9223372036854775808)', () => {
    expect(refusal('{"n": "9223372036854775808"}', { n: 'bigint' })).toMatch(/column "n" is declared bigint but record 0 holds a string \("9223372036854775808"\): an integer string beyond the 64-bit range/);
    expect(refusal('{"n": "-9223372036854775809"}', { n: 'bigint' })).toMatch(/beyond the 64-bit range/);
  });

  it('stores integer strings up to the ends of the 64-bit range exactly, and JSON integers within ±2^53', async () => {
    const strings = encode('[{"n": "9223372036854775807"}, {"n": "-9223372036854775808"}]', { n: 'bigint' });
    const { rows } = await readParquet(strings, 'SELECT n::VARCHAR AS n FROM t');
    expect(rows.map((r) => r.n)).toEqual(['9223372036854775807', '-9223372036854775808']);
    expect((await hyparquetRows(strings)).map((r) => r.n)).toEqual([9223372036854775807n, -9223372036854775808n]);
    const numbers = encode('[{"n": 9007199254740991}, {"n": -9007199254740991}]', { n: 'bigint' });
    expect((await hyparquetRows(numbers)).map((r) => r.n)).toEqual([9007199254740991n, -9007199254740991n]);
    expect(refusal('{"n": 9007199254740993}', { n: 'bigint' })).toMatch(/expected a JSON integer within ±2\^53/);
  });
});

describe('declared timestamp', () => {
  it.each([
    ['epoch seconds 1e20', '{"at": 1e20}', /holds a number \(100000000000000000000\): outside the years 0001 to 9999/],
    ['epoch seconds 1e13 (DuckDB then refused the whole table)', '{"at": 1e13}', /holds a number \(10000000000000\): outside the years 0001 to 9999/],
    ['year 0000', '{"at": "0000-12-31T00:00:00Z"}', /holds a string \("0000-12-31T00:00:00Z"\): outside the years 0001 to 9999/],
    ['30 February (it was stored as 2 March)', '{"at": "2026-02-30T00:00:00Z"}', /holds a string \("2026-02-30T00:00:00Z"\): expected an ISO-8601 timestamp string \(a real date and time\)/],
    ['31 April, zone-less form', '{"at": "2026-04-31 10:00"}', /expected an ISO-8601 timestamp string/],
  ])('refuses %s, naming the value', (_what, body, message) => {
    expect(refusal(body, { at: 'timestamp' })).toMatch(message);
    // The same refusal when the value is one of many records, read by the fast path.
    const first = body.includes('"at": "') ? '{"at": "2026-11-25T18:00:00Z"}' : '{"at": 1764093600}';
    expect(refusal(`[${first}, ${body}]`, { at: 'timestamp' })).toMatch(new RegExp(message.source));
  });

  it('stores the first and the last millisecond of the range, and every reader reads the table', async () => {
    const file = encode('[{"at": "0001-01-01T00:00:00Z"}, {"at": "9999-12-31T23:59:59.999Z"}]', { at: 'timestamp' });
    const { rows } = await readParquet(file, 'SELECT strftime("at", \'%Y-%m-%dT%H:%M:%S.%g\') AS "at" FROM t');
    expect(rows.map((r) => r.at)).toEqual(['0001-01-01T00:00:00.000', '9999-12-31T23:59:59.999']);
    expect((await hyparquetRows(file)).map((r) => (r.at as Date).toISOString())).toEqual(['0001-01-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z']);
    const epoch = encode('[{"at": -62135596800}, {"at": 253402300799.999}]', { at: 'timestamp' });
    expect((await hyparquetRows(epoch)).map((r) => (r.at as Date).toISOString())).toEqual(['0001-01-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z']);
  });
});

describe('arrays holding an object or an array', () => {
  it.each([
    ['[1,"a",{"z":null}]', '[1,"a",{"z":null}]'],
    ['[{"z":null},1,"a"]', '[{"z":null},1,"a"]'],
  ])('%s is JSON text whatever the order of its elements', async (array) => {
    const file = encode(`{"v": ${array}}`);
    const { types, rows } = await readParquet(file, 'SELECT v FROM t');
    expect(types.v).toBe('VARCHAR');
    expect(JSON.parse(rows[0]!.v as string)).toEqual(JSON.parse(array));
  });

  it('is JSON text whatever the order of the records: a mixed list first, an object in a later record', async () => {
    for (const body of ['[{"v": [1, "a"]}, {"v": [{"z": 1}]}]', '[{"v": [{"z": 1}]}, {"v": [1, "a"]}]']) {
      const { types, rows } = await readParquet(encode(body), 'SELECT v FROM t');
      expect(types.v).toBe('VARCHAR');
      expect(rows.map((r) => JSON.parse(r.v as string))).toEqual((JSON.parse(body) as { v: unknown }[]).map((r) => r.v));
    }
  });

  it('a list of scalars of two types, with no object or array anywhere, is refused; declared string it is a list of text', async () => {
    expect(refusal('[{"v": [1]}, {"v": ["a"]}]')).toMatch(/list column "v" mixes number and string elements \(record 1\); declare it as "string" in source.columns/);
    const { types, rows } = await readParquet(encode('[{"v": [1, "a", true]}]', { v: 'string' }), 'SELECT v FROM t');
    expect(types.v).toBe('VARCHAR[]');
    expect(rows[0]!.v).toEqual(['1', 'a', 'true']);
  });
});

describe('declared string', () => {
  it('keeps numbers, booleans and strings of one column as text, as the type-change error advises', async () => {
    const { types, rows } = await readParquet(encode('[{"v": 1015.5}, {"v": "high"}, {"v": true}]', { v: 'string' }), 'SELECT v FROM t');
    expect(types.v).toBe('VARCHAR');
    expect(rows.map((r) => r.v)).toEqual(['1015.5', 'high', 'true']);
  });

  it('a type change against earlier hours does not advise declaring what is declared already', () => {
    const earlier = reconcileSchema('t', undefined, [{ name: 'v', type: 'double', list: false }], scheduledHour('2026-11-25T17:00:00Z'));
    const declared = () => reconcileSchema('t', earlier, [{ name: 'v', type: 'string', list: false }], hour, { v: 'string' });
    expect(declared).toThrow(/"v" is double since hour 2026-11-25T17:00:00.000Z but string in hour 2026-11-25T18:00:00.000Z \(source.columns declares it string\).*To apply the declared type to every hour, move _schemas\/t.json aside and rewrite the table's earlier hours from raw with `npx api-lake reprocess/);
    expect(declared).not.toThrow(/declare the column's type/);
    expect(() => reconcileSchema('t', earlier, [{ name: 'v', type: 'string', list: false }], hour)).toThrow(/To keep both, declare the column's type in source.columns/);
  });
});

describe('list columns', () => {
  it('carry statistics for their element leaf: null count, and min/max for numbers', async () => {
    const file = encode('[{"v": [1.5, null, -2]}, {"v": null}, {"v": []}, {"v": [7]}]');
    const { rows } = await readParquet(file, `SELECT path_in_schema AS p, stats_null_count AS nulls, stats_min_value AS lo, stats_max_value AS hi FROM parquet_metadata('${file}') WHERE path_in_schema LIKE 'v%'`);
    expect(rows).toEqual([{ p: 'v, list, element', nulls: '3', lo: '-2.0', hi: '7.0' }]);
    const bytes = readFileSync(file);
    const metadata = parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
    const chunk = metadata.row_groups[0]!.columns.find((c) => c.meta_data?.path_in_schema.join('.') === 'v.list.element')!;
    expect(chunk.meta_data!.statistics).toMatchObject({ null_count: 3n, min_value: -2, max_value: 7 });
  });
});

describe('data pages', () => {
  it('stay within ~1 MiB: a page is cut before the value that would pass it, and only a single larger value has a page of its own', async () => {
    const big = (n: number) => `"${String.fromCharCode(97 + (n % 26)).repeat(700_000)}"`;
    const file = encode(`[${[0, 1, 2].map((n) => `{"s": ${big(n)}}`).join(',')}, {"s": "${'é'.repeat(800_000)}"}]`);
    const pages = (await parquetPages(file)).filter((p) => p.column === 's' && p.type === PAGE.DATA_PAGE);
    expect(pages.map((p) => p.numValues)).toEqual([1, 1, 1, 1]); // two 700 KB values never share a page
    for (const page of pages) expect(page.uncompressedSize).toBeLessThanOrEqual(1_600_000 + 64); // the 1.6 MB UTF-8 value alone
    expect(pages.filter((p) => p.uncompressedSize > PAGE_BYTES)).toHaveLength(1);
  });
});
