import { describe, expect, it } from 'vitest';
import { ByteSink } from '../../src/parquet/byte-sink.js';
import { buildDictionary } from '../../src/parquet/dictionary.js';
import { encodeDataPage, PAGE_BYTES, pageRanges } from '../../src/parquet/pages.js';
import type { ParquetColumn, ParquetType } from '../../src/parquet/types.js';
import { decodeHybrid } from '../helpers/hybrid-decode.js';

const column = (type: ParquetType, values: ParquetColumn['values'], list = false): ParquetColumn => ({ name: 'c', type, list, values });

/** A V1 page body read as parquet-format describes it: levels (4-byte length, hybrid), then the values' bytes. */
function readBody(bytes: Uint8Array, count: number, { list }: { list: boolean }) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  const levels = (bitWidth: number) => {
    const length = view.getUint32(at, true);
    const { values, end } = decodeHybrid(bytes, at + 4, count, bitWidth);
    expect(end).toBe(at + 4 + length); // the length prefix covers the levels exactly
    at = end;
    return values;
  };
  const repetition = list ? levels(1) : [];
  const definition = levels(list ? 2 : 1);
  return { repetition, definition, rest: bytes.subarray(at), view: new DataView(bytes.buffer, bytes.byteOffset + at) };
}

function encoded(col: ParquetColumn, from = 0, to = col.values.length, dictionary = false) {
  const sink = new ByteSink(16);
  const dict = dictionary ? buildDictionary(col, from, to) : null;
  if (dictionary) expect(dict).not.toBeNull();
  const count = encodeDataPage(sink, col, from, to, dict);
  return { bytes: sink.contents(), count, dict };
}

describe('V1 data pages', () => {
  it('writes a definition level per row and only the non-null values, PLAIN', () => {
    const { bytes, count } = encoded(column('INT64', [5, null, -(2n ** 63n), null, 2n ** 53n + 2n]));
    expect(count).toBe(5);
    const body = readBody(bytes, count, { list: false });
    expect(body.definition).toEqual([1, 0, 1, 0, 1]);
    expect(body.rest.length).toBe(3 * 8);
    expect([0, 1, 2].map((i) => body.view.getBigInt64(i * 8, true))).toEqual([5n, -(2n ** 63n), 2n ** 53n + 2n]);
  });

  it('takes a Float64Array with NaN as null, and a row range of it', () => {
    const { bytes, count } = encoded(column('DOUBLE', new Float64Array([9, 1.5, NaN, -0, 7])), 1, 4);
    expect(count).toBe(3);
    const body = readBody(bytes, count, { list: false });
    expect(body.definition).toEqual([1, 0, 1]);
    expect(body.view.getFloat64(0, true)).toBe(1.5);
    expect(Object.is(body.view.getFloat64(8, true), -0)).toBe(true);
    expect(body.rest.length).toBe(16);
  });

  it('writes strings as a 4-byte UTF-8 length and the bytes', () => {
    const { bytes, count } = encoded(column('STRING', ['é', null, '', 'a€']));
    const body = readBody(bytes, count, { list: false });
    expect(body.definition).toEqual([1, 0, 1, 1]);
    const strings: string[] = [];
    for (let at = 0; at < body.rest.length; ) {
      const length = body.view.getUint32(at, true);
      strings.push(new TextDecoder().decode(body.rest.subarray(at + 4, at + 4 + length)));
      at += 4 + length;
    }
    expect(strings).toEqual(['é', '', 'a€']);
  });

  it('bit-packs booleans least significant bit first', () => {
    const values = [true, false, null, true, true, false, false, false, true, true];
    const { bytes, count } = encoded(column('BOOLEAN', values));
    const body = readBody(bytes, count, { list: false });
    expect(body.definition).toEqual(values.map((v) => (v === null ? 0 : 1)));
    // nine non-null values: 1,0,1,1,0,0,0,1 | 1
    expect([...body.rest]).toEqual([0b10001101, 0b1]);
  });

  it('writes a list column with repetition levels and definition levels 0 null list, 1 empty, 2 null element, 3 element', () => {
    const { bytes, count } = encoded(column('DOUBLE', [null, [], [1, null, 2], [3]], true));
    expect(count).toBe(6); // one level entry per element, and one for a null or empty list
    const body = readBody(bytes, count, { list: true });
    expect(body.repetition).toEqual([0, 0, 0, 1, 1, 0]);
    expect(body.definition).toEqual([0, 1, 3, 2, 3, 3]);
    expect([0, 1, 2].map((i) => body.view.getFloat64(i * 8, true))).toEqual([1, 2, 3]);
    expect(body.rest.length).toBe(24);
  });

  it('writes dictionary indices as a bit-width byte and the hybrid, continuing where the last page stopped', () => {
    const values = ['a', 'b', null, 'c', 'a', 'b', 'c', 'd', 'a'];
    const col = column('STRING', values);
    const dictionary = buildDictionary(col, 0, values.length)!;
    const pages = [
      [0, 4],
      [4, 9],
    ].map(([from, to]) => {
      const sink = new ByteSink(16);
      const count = encodeDataPage(sink, col, from!, to!, dictionary);
      const body = readBody(sink.contents(), count, { list: false });
      const bitWidth = body.rest[0]!;
      const nonNull = body.definition.filter((d) => d === 1).length;
      return { bitWidth, indices: decodeHybrid(body.rest, 1, nonNull, bitWidth).values };
    });
    expect(dictionary.values).toEqual(['a', 'b', 'c', 'd']);
    expect(pages).toEqual([
      { bitWidth: 2, indices: [0, 1, 2] },
      { bitWidth: 2, indices: [0, 1, 2, 3, 0] },
    ]);
  });
});

describe('page boundaries', () => {
  it(`cuts fixed-width columns every ${PAGE_BYTES / 8} rows`, () => {
    const n = PAGE_BYTES / 8;
    expect(pageRanges(column('DOUBLE', new Float64Array(2 * n + 3)), 0, 2 * n + 3, false)).toEqual([
      [0, n],
      [n, 2 * n],
      [2 * n, 2 * n + 3],
    ]);
  });

  it('cuts PLAIN strings before the row that would pass PAGE_BYTES, counting UTF-8 bytes, not characters', () => {
    // 'é' is 2 bytes in UTF-8: 300,000 of them are 600,000 bytes, so two rows make a page and the third starts another.
    const wide = 'é'.repeat(300_000);
    const ranges = pageRanges(column('STRING', [wide, wide, wide, 'x']), 0, 4, false);
    expect(ranges).toEqual([
      [0, 1],
      [1, 2],
      [2, 4],
    ]);
    // the same characters in ASCII take half the bytes: three rows fit
    const narrow = 'e'.repeat(300_000);
    expect(pageRanges(column('STRING', [narrow, narrow, narrow, 'x']), 0, 4, false)).toEqual([[0, 4]]);
  });

  it('keeps a single row larger than PAGE_BYTES as a page of its own, and counts list elements', () => {
    const huge = 'x'.repeat(PAGE_BYTES + 10);
    expect(pageRanges(column('STRING', ['a', huge, 'b']), 0, 3, false)).toEqual([
      [0, 1],
      [1, 2],
      [2, 3],
    ]);
    const half = 'y'.repeat(PAGE_BYTES / 2);
    expect(pageRanges(column('STRING', [[half], [half, 'z'], null], true), 0, 3, false)).toEqual([
      [0, 1],
      [1, 3],
    ]);
  });
});
