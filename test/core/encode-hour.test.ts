import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Column } from '../../src/core/columns.js';
import { ColumnsBuilder } from '../../src/core/columns-builder.js';
import { parseConfig, type ColumnType } from '../../src/core/config.js';
import { scheduledHour } from '../../src/core/layout.js';
import { extractRecords, type JsonRecord } from '../../src/core/records.js';
import { JsonColumnsReader } from '../../src/json-columns/index.js';
import { PlainStrings, ROW_GROUP_ROWS } from '../../src/parquet/index.js';
import { cellsOf, columnsOf } from '../helpers/columns.js';
import { encodeHour } from '../../src/core/steps/transform.js';
import { readParquet } from '../helpers/duckdb.js';
import { tempDir } from '../helpers/temp-dirs.js';

const bytesOf = (text: string | Uint8Array) => (typeof text === 'string' ? new TextEncoder().encode(text) : text);
/** The columns through the JSON reader, or null when it hands the response back to JSON.parse. */
const fast = (text: string | Uint8Array, recordsPath = '', declared: Record<string, ColumnType> = {}): Column[] | string | null => {
  let columns: Column[] = [];
  const builder = new ColumnsBuilder(declared, { rows: Infinity, onBatch: (batch) => (columns = batch) });
  if (!new JsonColumnsReader(builder).read(bytesOf(text), recordsPath ? recordsPath.split('.') : [])) return null;
  try {
    builder.finish(); // a list mixing element types is an error only once every record is read
    // Strings kept as bytes (PlainStrings) compared as the strings they hold.
    return columns.map((column) => (column.values instanceof PlainStrings ? { ...column, values: cellsOf(column.values) } : column));
  } catch (error) {
    return (error as Error).message;
  }
};
/** The general path: TextDecoder, JSON.parse, extractRecords, the builder; an error becomes its message. */
const general = (text: string | Uint8Array, recordsPath = '', declared: Record<string, ColumnType> = {}): Column[] | string => {
  try {
    return columnsOf(extractRecords(JSON.parse(new TextDecoder().decode(bytesOf(text))), recordsPath, 'k'), declared);
  } catch (error) {
    return (error as Error).message;
  }
};

const key = fc.oneof(fc.constantFrom('a', 'b', 'temp_c', 'A', 'x y', 'é', 'q"uote', 'back\\slash', '__proto__'), fc.string({ maxLength: 4 }));
const record = fc.dictionary(key, fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.dictionary(key, fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 })), { maxKeys: 5 });

describe('the columns of a response are the same through the JSON reader and through JSON.parse', () => {
  it('gives exactly the columns of JSON.parse, or hands the text back when JSON.parse must decide', () => {
    fc.assert(
      fc.property(fc.array(record, { maxLength: 6 }), fc.constantFrom(undefined, 0, 2, '\t'), (records, indent) => {
        const text = JSON.stringify(records, null, indent);
        const expected = general(text);
        const got = fast(text);
        if (got === null) {
          // Only what it may not read the same way: an error to report, or keys JavaScript objects reorder.
          expect(typeof expected === 'string' || records.some((r) => JSON.stringify(r).match(/"\d/))).toBe(true);
        } else expect(got).toEqual(expected);
      }),
      { numRuns: 400 },
    );
  });

  it('reads typical API records itself', () => {
    const text = JSON.stringify([
      { id: 1, station: { name: 'a', lat: -37.5 }, tags: ['x'], gust: null, ok: true, at: '2026-11-25T00:00:00Z' },
      { station: { lat: 1e-3, name: 'b\n"c"' }, id: 2, tags: [], extra: [{ nested: 1 }], ok: false },
    ]);
    expect(fast(text)).toEqual(general(text));
    expect(fast(`\n  ${text}  \n`)).toEqual(general(text));
    expect(fast('{"one": "record"}')).toEqual(general('{"one": "record"}'));
    expect(fast('[]')).toEqual([]);
  });

  it('decodes UTF-8 in strings as TextDecoder does the whole body, invalid sequences and a BOM included', () => {
    // Up to 90 bytes: strings longer than 64 bytes, and any with a byte above 0x7f, go to the builder as bytes.
    const stringBytes = fc.uint8Array({ maxLength: 90 }).map((b) => b.filter((x) => x !== 0x22 && x !== 0x5c && x >= 0x20));
    fc.assert(
      fc.property(fc.array(fc.tuple(stringBytes, stringBytes, fc.boolean()), { minLength: 1, maxLength: 5 }), fc.boolean(), (pairs, bom) => {
        const ascii = (t: string) => new TextEncoder().encode(t);
        const parts: Uint8Array[] = [ascii(bom ? '\ufeff[' : '[')];
        // Some values end in an escape, so they are unescaped before the builder gets them
        pairs.forEach(([value, element, escaped], i) => parts.push(ascii(`${i ? ',' : ''}{"v":"`), value, ascii(escaped ? '\\n","l":["' : '","l":["'), element, ascii('"]}')));
        parts.push(ascii(']'));
        const body = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
        parts.reduce((at, p) => (body.set(p, at), at + p.length), 0);
        expect(fast(body)).toEqual(general(body));
      }),
      { numRuns: 300 },
    );
    expect(fast(new Uint8Array([0x5b, 0x7b, 0x22, 0x61, 0x22, 0x3a, 0x31, 0x7d, 0xff, 0x5d]))).toBeNull(); // a stray byte outside strings
  });

  it('keeps long and non-ASCII strings as bytes, batch after batch, exactly as the strings JSON.parse reads', () => {
    const text = fc.oneof(fc.string({ maxLength: 8 }), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 90 }), fc.string({ unit: 'binary', minLength: 60, maxLength: 100 }));
    const field = fc.oneof(text, fc.constant(null));
    const row = fc.record({ v: field, w: fc.oneof(text, fc.integer(), fc.boolean(), fc.constant(null)), x: field, n: fc.option(fc.record({ t: text })) }, { requiredKeys: [] });
    fc.assert(
      fc.property(fc.array(row, { maxLength: 12 }), fc.integer({ min: 1, max: 4 }), (records, rows) => {
        const body = JSON.stringify(records);
        const batches = (read: (builder: ColumnsBuilder) => void) => {
          const out: unknown[] = [];
          // w is declared string, so its numbers and booleans are text beside its strings
          const builder = new ColumnsBuilder({ w: 'string' }, { rows, onBatch: (columns, first, n) => out.push([first, n, columns.map((c) => [c.name, c.type, cellsOf(c.values)])]) });
          read(builder);
          builder.finish();
          return out;
        };
        const fastBatches = batches((builder) => expect(new JsonColumnsReader(builder).read(bytesOf(body), [])).toBe(true));
        expect(fastBatches).toEqual(batches((builder) => builder.add(JSON.parse(body) as JsonRecord[])));
      }),
      { numRuns: 300 },
    );
  });

  it('keeps short strings that do not repeat as bytes once their column stops interning, as JSON.parse reads them', () => {
    // 5,000 records: ids unique (interning switches off after 2,048 lookups), codes repeated, notes mixed
    const records = Array.from({ length: 5000 }, (_, i) => ({ id: `u${i}`, code: ['a', 'b', 'c'][i % 3], note: i % 4 ? `n${i}\t"é"` : 'same', n: i }));
    const text = JSON.stringify(records);
    const got = fast(text);
    expect(got).toEqual(general(text));
    let columns: Column[] = [];
    const builder = new ColumnsBuilder({}, { rows: Infinity, onBatch: (batch) => (columns = batch) });
    new JsonColumnsReader(builder).read(bytesOf(text), []);
    builder.finish();
    expect(columns.find((c) => c.name === 'id')!.values).toBeInstanceOf(PlainStrings);
    expect(columns.find((c) => c.name === 'code')!.values).not.toBeInstanceOf(PlainStrings);
  });

  it('reads declared timestamps as the general path does, in every form it accepts or refuses', () => {
    const stamp = fc.oneof(
      fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }).map((d) => d.toISOString()),
      fc.date({ noInvalidDate: true, min: new Date('1900-01-01Z'), max: new Date('2100-01-01Z') }).map((d) => d.toISOString().slice(0, 19) + 'Z'),
      fc.constantFrom('2026-02-30T00:00:00Z', '2026-11-25 10:00', '2026-11-25T10:00:00+11:00', '2026-11-25', 'soon', '2026-11-25T10:00:00.1234Z', 'é026-11-25T10:00:00Z'),
      fc.integer({ min: 0, max: 2e9 }),
      fc.constant(null),
    );
    fc.assert(
      fc.property(fc.array(stamp, { minLength: 1, maxLength: 6 }), (stamps) => {
        const text = JSON.stringify(stamps.map((at, i) => ({ i, at })));
        const expected = general(text, '', { at: 'timestamp' });
        const got = fast(text, '', { at: 'timestamp' });
        if (typeof expected === 'string') expect(got).toBeNull();
        else expect(got).toEqual(expected);
      }),
      { numRuns: 400 },
    );
  });

  it('reads every number to the same double as JSON.parse', () => {
    const numbers = fc.oneof(
      fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => JSON.stringify(n)),
      fc.tuple(fc.boolean(), fc.bigInt({ min: 0n, max: 10n ** 20n }), fc.integer({ min: 0, max: 20 }), fc.integer({ min: -30, max: 30 })).map(
        ([minus, digits, point, exponent]) => {
          const text = String(digits);
          const cut = Math.min(point, text.length - 1);
          return `${minus ? '-' : ''}${text.slice(0, text.length - cut)}${cut ? `.${text.slice(text.length - cut)}` : ''}e${exponent}`;
        },
      ),
      fc.constantFrom('0', '-0', '-0.0', '1e400', '-1e-400', '123456789012345678901234567890', '0.1', '9007199254740993', '1E+2', '5e-324'),
    );
    fc.assert(
      fc.property(fc.array(numbers, { minLength: 1, maxLength: 8 }), (texts) => {
        const text = `[${texts.map((t) => `{"v":${t}}`).join(',')}]`;
        const got = cellsOf((fast(text) as Column[])[0]!.values) as number[];
        const expected = texts.map((t) => JSON.parse(t) as number);
        expect(got.map((v) => Object.is(v, -0) ? '-0' : v)).toEqual(expected.map((v) => (Object.is(v, -0) ? '-0' : v)));
      }),
      { numRuns: 500 },
    );
  });

  it('hands back invalid JSON, duplicate keys and keys that start with a digit', () => {
    for (const text of ['', '[', '[{"a":1},]', '[{"a":01}]', '[{"a":1.}]', '[{"a":"x\u0001"}]', '[{"a":tru}]', '[{"a":1}] x', '[1]', '"s"', '[{"a":1,"a":2}]', '[{"a":{"b":1},"a":null}]', '[{"1":1,"a":2}]'])
      expect(fast(text), text).toBeNull();
  });

  it('walks down recordsPath, reading the rest of the document too', () => {
    const text = JSON.stringify({ meta: { page: 1, links: [{ next: null }] }, data: { items: [{ v: 1 }, { v: 2.5 }] }, after: 'x' });
    expect(fast(text, 'data.items')).toEqual(general(text, 'data.items'));
    expect(fast(text, 'data.missing')).toBeNull();
    expect(fast('{"data":[{"v":1}],"data":[]}', 'data')).toBeNull();
    expect(fast('{"data":[{"v":1}],"after":[1,}', 'data')).toBeNull();
  });
});

describe('the transform on a large response', () => {
  const bytes = (text: string) => new TextEncoder().encode(text);
  const encode = (body: string, recordsPath: string) => {
    const source = parseConfig({ source: { name: 's', url: 'https://x.example/a', auth: { in: 'none' }, recordsPath }, table: 't', schedule: 'rate(1 hour)' }).source;
    return encodeHour([{ key: 'k', body: bytes(body) }], { source, table: 't', hour: scheduledHour('2026-11-25T18:00:00Z'), ingestedAt: 0 })!;
  };

  it('writes the same Parquet whether it reads the text itself or JSON.parse does', async () => {
    const records = Array.from({ length: 60_000 }, (_, i) => ({ id: i, name: `n${i % 97}`, nested: { v: i / 7, flag: i % 2 === 0 }, tags: i % 5 ? ['a'] : [] }));
    const text = JSON.stringify(records);
    const direct = encode(text, '');
    // A key that starts with a digit sends the whole response through JSON.parse.
    const general = encode(JSON.stringify([{ '0': null }, ...records]), '');
    expect(general.columns).toEqual(['c_0 string', ...direct.columns]);
    const dir = tempDir('api-lake-json-');
    writeFileSync(join(dir, 'direct.parquet'), direct.body);
    writeFileSync(join(dir, 'general.parquet'), general.body);
    const digest =
      "SELECT count(id) AS n, sum(id) AS ids, md5(string_agg(name, '' ORDER BY id)) AS names, sum(nested_v) AS v, count(*) FILTER (WHERE nested_flag) AS flags, sum(len(tags)) AS tags FROM t";
    expect((await readParquet(join(dir, 'direct.parquet'), digest)).rows).toEqual((await readParquet(join(dir, 'general.parquet'), digest)).rows);
  });

  it('keeps records that have no fields at all, as rows of lineage only', async () => {
    const out = encode('[{}, {"empty": {}}, {}]', '');
    const dir = tempDir('api-lake-json-');
    writeFileSync(join(dir, 'empty.parquet'), out.body);
    expect(out.records).toBe(3);
    expect((await readParquet(join(dir, 'empty.parquet'), 'SELECT count(*) AS rows, count(lake_raw_key) AS keys FROM t')).rows).toEqual([{ rows: '3', keys: '3' }]);
  });

  it('names the raw object of every record, page by page, on both paths', async () => {
    const source = parseConfig({ source: { name: 's', url: 'https://x.example/a', auth: { in: 'none' } }, table: 't', schedule: 'rate(1 hour)' }).source;
    const dir = tempDir('api-lake-json-');
    for (const odd of ['', '"1":0,']) {
      const pages = [
        { key: 'raw/p1.json', body: bytes(`[{${odd}"n":1},{"n":2}]`) },
        { key: 'raw/p2.json', body: bytes('{"n":3}') },
        { key: 'raw/p3.json', body: bytes('[{"n":4},{"n":5},{"n":6}]') },
      ];
      const out = encodeHour(pages, { source, table: 't', hour: scheduledHour('2026-11-25T18:00:00Z'), ingestedAt: 0 })!;
      const file = join(dir, `pages${odd ? '-general' : ''}.parquet`);
      writeFileSync(file, out.body);
      const { rows } = await readParquet(file, 'SELECT n, lake_raw_key AS k FROM t');
      expect(rows).toEqual([1, 2, 3, 4, 5, 6].map((n) => ({ n, k: n <= 2 ? 'raw/p1.json' : n === 3 ? 'raw/p2.json' : 'raw/p3.json' })));
    }
  });

  it('reports a bad element of a large array with the message of JSON.parse and extractRecords', () => {
    const records = Array.from({ length: 60_000 }, (_, i) => (i === 59_999 ? 7 : { id: i, pad: 'x'.repeat(60) }));
    expect(() => encode(JSON.stringify(records), '')).toThrow(/holds a number \(7\) at index 59999/);
  });
});

describe('a large hour, a row group at a time', () => {
  const source = parseConfig({ source: { name: 's', url: 'https://x.example/a', auth: { in: 'none' } }, table: 't', schedule: 'rate(1 hour)' }).source;
  const encodePages = (...texts: string[]) =>
    encodeHour(
      texts.map((text, i) => ({ key: `raw/p${i}.json`, body: new TextEncoder().encode(text) })),
      { source, table: 't', hour: scheduledHour('2026-11-25T18:00:00Z'), ingestedAt: 0 },
    )!;
  const records = (from: number, to: number, make: (i: number) => object = (i) => ({ n: i, s: `s${i % 7}` })) =>
    JSON.stringify(Array.from({ length: to - from }, (_, k) => make(from + k)));
  const saved = (body: Uint8Array) => {
    const file = join(tempDir('api-lake-groups-'), 'out.parquet');
    writeFileSync(file, body);
    return file;
  };
  const total = ROW_GROUP_ROWS * 2 + 500;

  it(`writes a row group every ${ROW_GROUP_ROWS.toLocaleString('en-US')} records, across pages, each record with its raw key`, async () => {
    const out = encodePages(records(0, 130_000), records(130_000, total));
    const file = saved(out.body);
    expect(out.records).toBe(total);
    const groups = await readParquet(file, `SELECT row_group_id AS g, any_value(row_group_num_rows) AS r FROM parquet_metadata('${file}') GROUP BY g ORDER BY g`);
    expect(groups.rows).toEqual([{ g: '0', r: String(ROW_GROUP_ROWS) }, { g: '1', r: String(ROW_GROUP_ROWS) }, { g: '2', r: '500' }]);
    const digest = await readParquet(
      file,
      "SELECT lake_raw_key AS k, count(*) AS c, min(n) AS lo, max(n) AS hi, count(DISTINCT s) AS s FROM t GROUP BY k ORDER BY k",
    );
    expect(digest.rows).toEqual([
      { k: 'raw/p0.json', c: '130000', lo: 0, hi: 129_999, s: '7' },
      { k: 'raw/p1.json', c: String(total - 130_000), lo: 130_000, hi: total - 1, s: '7' },
    ]);
  });

  it('encodes the hour again, held whole, when a later row group brings new columns', async () => {
    // `late` first appears after the first row group; `sparse` is null until then, then numbers.
    const out = encodePages(records(0, total, (i) => (i < ROW_GROUP_ROWS + 10 ? { n: i, sparse: null } : { n: i, sparse: i / 2, late: 'x' })));
    expect(out.columns.slice(0, 3)).toEqual(['n double', 'sparse double', 'late string']);
    const { rows } = await readParquet(saved(out.body), 'SELECT count(late) AS late, count(sparse) AS sparse, sum(n) AS n FROM t');
    expect(rows).toEqual([{ late: String(total - ROW_GROUP_ROWS - 10), sparse: String(total - ROW_GROUP_ROWS - 10), n: (total * (total - 1)) / 2 }]);
  });

  it('numbers records from the start of the hour in errors, whatever the row group', () => {
    const bad = ROW_GROUP_ROWS + 1234;
    expect(() => encodePages(records(0, total, (i) => ({ n: i === bad ? 'one' : i })))).toThrow(new RegExp(`is number in an earlier record but string in record ${bad}`));
  });
});
