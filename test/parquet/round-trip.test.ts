import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { parquetReadObjects } from 'hyparquet';
import { describe, expect, it } from 'vitest';
import { PAGE_BYTES, ParquetFileWriter, PlainStringsBuilder, ROW_GROUP_ROWS, type ParquetColumn, type ParquetType, type ParquetValue } from '../../src/parquet/index.js';
import { readParquet } from '../helpers/duckdb.js';
import { ENCODING, PAGE, parquetPages } from '../helpers/parquet-pages.js';
import { tempDir } from '../helpers/temp-dirs.js';

const dir = tempDir('api-lake-parquet-');
let files = 0;
const column = (name: string, type: ParquetType, values: ParquetColumn['values'], list = false): ParquetColumn => ({ name, type, list, values });
const written = (columns: ParquetColumn[]) => {
  const file = join(dir, `f${files++}.parquet`);
  const writer = new ParquetFileWriter();
  writer.addRows(columns);
  writeFileSync(file, writer.finish({ 'api-lake.test': 'yes' }));
  return file;
};

/** Strings as PlainStrings (UTF-8 bytes in PLAIN layout), every other one given as bytes, the rest as strings. */
const plain = (values: readonly (string | null)[]) => {
  const builder = new PlainStringsBuilder(4);
  values.forEach((value, row) => {
    if (value === null) return;
    if (row % 2) builder.addString(row, value);
    else {
      const bytes = new TextEncoder().encode(`xx${value}`);
      builder.add(row, bytes, 2, bytes.length);
    }
  });
  return builder.finish(values.length);
};

describe('Parquet writer', () => {
  it('writes only V1 data pages (and dictionary pages), with booleans PLAIN', async () => {
    // Prepare: every type, with nulls, lists and more values than any RLE heuristic needs.
    const n = 40;
    const file = written([
      column('ok', 'BOOLEAN', Array.from({ length: n }, (_, i) => (i % 7 === 0 ? null : i % 3 === 0))),
      column('x', 'DOUBLE', Array.from({ length: n }, (_, i) => i / 4)),
      column('n', 'INT64', Array.from({ length: n }, (_, i) => (i % 2 ? BigInt(i) : i))),
      column('t', 'TIMESTAMP_MILLIS', Array.from({ length: n }, (_, i) => Date.UTC(2026, 10, 25, 0, i))),
      column('s', 'STRING', Array.from({ length: n }, (_, i) => `s${i % 3}`)),
      column('tags', 'STRING', Array.from({ length: n }, (_, i) => (i % 5 === 0 ? null : ['a', null, `t${i}`])), true),
    ]);
    // Act
    const pages = await parquetPages(file);
    // Assess
    expect(new Set(pages.map((p) => p.type))).toEqual(new Set([PAGE.DATA_PAGE, PAGE.DICTIONARY_PAGE]));
    expect(pages.filter((p) => p.column === 'ok').map((p) => [p.type, p.encoding])).toEqual([[PAGE.DATA_PAGE, ENCODING.PLAIN]]);
    expect(pages.filter((p) => p.column === 's').map((p) => p.type)).toEqual([PAGE.DICTIONARY_PAGE, PAGE.DATA_PAGE]);
    const { rows } = await readParquet(file, 'SELECT count(*) FILTER (WHERE ok) AS yes, count(ok) AS known, sum(len(tags)) AS slots FROM t');
    expect(rows).toEqual([{ yes: '12', known: '34', slots: '96' }]);
    const metadata = await readParquet(file, `SELECT decode(key) AS k, decode(value) AS v FROM parquet_kv_metadata('${file}')`);
    expect(metadata.rows).toEqual([{ k: 'api-lake.test', v: 'yes' }]);
  });

  it('dictionary-encodes columns with few distinct values and writes mostly-distinct ones PLAIN', async () => {
    const n = 20_000;
    const file = written([
      column('few', 'DOUBLE', Array.from({ length: n }, (_, i) => i % 300)),
      column('spread', 'DOUBLE', Array.from({ length: n }, (_, i) => i + 0.5)),
      column('words', 'STRING', Array.from({ length: n }, (_, i) => `word-${i % 5000}`)),
    ]);
    const encodingOf = async (name: string) => (await parquetPages(file)).filter((p) => p.column === name && p.type === PAGE.DATA_PAGE).map((p) => p.encoding);
    expect(await encodingOf('few')).toEqual([ENCODING.RLE_DICTIONARY]);
    expect(await encodingOf('spread')).toEqual([ENCODING.PLAIN]);
    expect(await encodingOf('words')).toEqual([ENCODING.RLE_DICTIONARY]);
    const { rows } = await readParquet(file, 'SELECT sum(few) AS f, sum(spread) AS u, count(DISTINCT words) AS w, max(words) AS m FROM t');
    expect(rows).toEqual([{ f: (Array.from({ length: n }, (_, i) => i % 300).reduce((a, b) => a + b, 0)), u: (n * (n - 1)) / 2 + n / 2, w: '5000', m: 'word-999' }]);
  });

  it('cuts data pages near PAGE_BYTES on row boundaries, and every value reads back', async () => {
    // 3,000 distinct strings of 1,000 characters: about 3 MB, too many distinct bytes for a dictionary.
    const long = Array.from({ length: 3000 }, (_, i) => `${i}:`.padEnd(1000, String.fromCharCode(97 + (i % 26))));
    const lists = long.map((s, i) => (i % 10 === 0 ? null : [s.slice(0, 400), s.slice(400, 800)]));
    const bytes = long.map((s, i) => (i % 7 === 0 ? null : s));
    const file = written([column('id', 'INT64', long.map((_, i) => i)), column('text', 'STRING', long), column('parts', 'STRING', lists, true), column('bytes', 'STRING', plain(bytes))]);
    const pages = (await parquetPages(file)).filter((p) => p.type === PAGE.DATA_PAGE);
    for (const name of ['text', 'parts', 'bytes']) {
      const mine = pages.filter((p) => p.column.startsWith(name));
      expect(mine.length).toBeGreaterThanOrEqual(2);
      for (const page of mine) expect(page.uncompressedSize).toBeLessThan(PAGE_BYTES + 4 * 1024);
    }
    const { rows } = await readParquet(file, 'SELECT text, parts, bytes FROM t ORDER BY id');
    expect(rows.map((r) => r.text)).toEqual(long);
    expect(rows.map((r) => r.parts)).toEqual(lists);
    expect(rows.map((r) => r.bytes)).toEqual(bytes);
  });

  it(`starts a row group every ${ROW_GROUP_ROWS.toLocaleString('en-US')} rows, each with its own min/max statistics`, async () => {
    const n = ROW_GROUP_ROWS * 2 + 7;
    const values = Array.from({ length: n }, (_, i) => (i % 1000 === 0 ? null : i - 50_000));
    const file = written([column('v', 'INT64', values), column('d', 'DOUBLE', values.map((v) => (v === null ? null : v / 2)))]);
    const { rows } = await readParquet(
      file,
      `SELECT row_group_id AS g, path_in_schema AS c, row_group_num_rows AS r, stats_min_value AS lo, stats_max_value AS hi, stats_null_count AS nulls
       FROM parquet_metadata('${file}') ORDER BY g, c`,
    );
    const group = (g: number) => values.slice(g * ROW_GROUP_ROWS, (g + 1) * ROW_GROUP_ROWS).filter((v): v is number => v !== null);
    const expected = [0, 1, 2].flatMap((g) => {
      const present = group(g);
      const lo = Math.min(...present);
      const hi = Math.max(...present);
      const r = String(Math.min(ROW_GROUP_ROWS, n - g * ROW_GROUP_ROWS));
      const nulls = String(Math.ceil(Math.min(ROW_GROUP_ROWS, n - g * ROW_GROUP_ROWS) / 1000));
      return [
        { g: String(g), c: 'd', r, lo: (lo / 2).toFixed(1), hi: (hi / 2).toFixed(1), nulls },
        { g: String(g), c: 'v', r, lo: String(lo), hi: String(hi), nulls },
      ];
    });
    expect(rows).toEqual(expected);
    expect((await readParquet(file, 'SELECT sum(v) AS s, count(v) AS c FROM t')).rows).toEqual([
      { s: String(values.reduce<number>((a, v) => a + (v ?? 0), 0)), c: String(values.filter((v) => v !== null).length) },
    ]);
  });

  it('keeps the sign of zero, in a dictionary too', async () => {
    const file = written([column('d', 'DOUBLE', new Float64Array([-0, 0, -0, 0, 1]))]);
    const { rows } = await readParquet(file, 'SELECT (1 / d)::VARCHAR AS inv FROM t');
    expect(rows.map((r) => r.inv)).toEqual(['-inf', 'inf', '-inf', 'inf', '1.0']);
  });

  it('writes 64-bit integers from numbers and bigints alike, negative and beyond 2^53', async () => {
    const values: ParquetValue[] = [0, -1, 2 ** 53 - 1, -(2 ** 53) + 1, 4294967296, -4294967297, 9223372036854775807n, -9223372036854775808n, null];
    const file = written([column('n', 'INT64', values), column('ts', 'TIMESTAMP_MILLIS', [Date.UTC(1969, 11, 31, 23, 59, 59, 999), ...values.slice(1, 3).map(() => Date.UTC(2026, 10, 25)), null, null, null, null, null, null])]);
    const { rows } = await readParquet(file, 'SELECT n::VARCHAR AS n, epoch_ms(ts) AS ts FROM t');
    expect(rows.map((r) => r.n)).toEqual(values.map((v) => (v === null ? null : String(v))));
    expect(rows.slice(0, 3).map((r) => Number(r.ts))).toEqual([Date.UTC(1969, 11, 31, 23, 59, 59, 999), Date.UTC(2026, 10, 25), Date.UTC(2026, 10, 25)]);
  });

  it('any mix of nulls, repeats, lists and cardinalities reads back as written', async () => {
    const cell = fc.oneof({ weight: 1, arbitrary: fc.constant(null) }, { weight: 4, arbitrary: fc.integer({ min: -3, max: 70_000 }) });
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(cell, fc.boolean(), fc.option(fc.array(fc.option(fc.string({ unit: 'grapheme', maxLength: 6 })), { maxLength: 3 }))), { minLength: 1, maxLength: 3000 }),
        fc.integer({ min: 1, max: 70_000 }),
        async (rows, modulus) => {
          const numbers = rows.map(([v]) => (v === null ? null : (v % modulus) + 0)); // + 0: no -0, which DuckDB's JSON rows print as 0
          const file = written([
            column('i', 'INT64', rows.map((_, i) => i)),
            column('d', 'DOUBLE', numbers),
            column('s', 'STRING', numbers.map((v) => (v === null ? null : `é${v}`))),
            column('b', 'BOOLEAN', rows.map(([v, b]) => (v === null ? null : b))),
            column('l', 'STRING', rows.map(([, , l]) => l), true),
            column('p', 'STRING', plain(numbers.map((v) => (v === null ? null : `é${v}`)))),
          ]);
          const back = (await readParquet(file, 'SELECT d, s, b, l, p FROM t ORDER BY i')).rows;
          const expected = rows.map(([v, b, l], k) => ({ d: numbers[k], s: numbers[k] === null ? null : `é${numbers[k]}`, b: v === null ? null : b, l }));
          expect(back).toEqual(expected.map((row) => ({ ...row, p: row.s })));
          // A second, independent reader: hyparquet decodes the pages, levels and dictionaries its own way.
          const bytes = readFileSync(file);
          const second = await parquetReadObjects({ file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer, columns: ['d', 's', 'b', 'l', 'p'] });
          expect(second).toEqual(expected.map((row) => ({ ...row, p: row.s })));
        },
      ),
      { numRuns: 25 },
    );
  });
});
