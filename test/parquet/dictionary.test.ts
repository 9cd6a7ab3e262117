import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildDictionary, MAX_DICTIONARY_BYTES } from '../../src/parquet/dictionary.js';
import { DoubleIndex } from '../../src/parquet/double-index.js';
import type { ParquetColumn } from '../../src/parquet/types.js';

const column = (values: ParquetColumn['values'], type: ParquetColumn['type'] = 'DOUBLE', list = false): ParquetColumn => ({ name: 'c', type, list, values });

describe('dictionary', () => {
  it('holds each distinct value once, in first-seen order, and the index of every non-null value', () => {
    const dictionary = buildDictionary(column(['b', 'a', null, 'b', 'b', 'a'], 'STRING'), 0, 6)!;
    expect(dictionary.values).toEqual(['b', 'a']);
    expect([...dictionary.indices.subarray(0, 5)]).toEqual([0, 1, 0, 0, 1]);
  });

  it('covers only the rows asked for, and the elements of lists', () => {
    const dictionary = buildDictionary(column([['x', 'y'], null, ['y', null, 'x'], ['z']], 'STRING', true), 0, 3)!;
    expect(dictionary.values).toEqual(['x', 'y']);
    expect([...dictionary.indices.subarray(0, 4)]).toEqual([0, 1, 1, 0]);
  });

  it('is not built when more than half the values are distinct at the end, for booleans, or when the values pass MAX_DICTIONARY_BYTES', () => {
    expect(buildDictionary(column(new Float64Array([1, 2, 3, 1])), 0, 4)).toBeNull();
    expect(buildDictionary(column([true, true, false, true], 'BOOLEAN'), 0, 4)).toBeNull();
    const big = Array.from({ length: 3000 }, (_, i) => `${i % 1000}`.padEnd(MAX_DICTIONARY_BYTES / 900, '-'));
    expect(buildDictionary(column(big, 'STRING'), 0, big.length)).toBeNull();
    expect(buildDictionary(column(new Float64Array([NaN, NaN])), 0, 2)).toBeNull();
  });

  it('is built for 10,000 distinct values in 100,000 rows in any order, and not for values mostly distinct in the first 10,000', () => {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    const n = 100_000;
    // About 63% of the first 10,000 are distinct: more than half, but the chunk's values are 10% distinct.
    const measurements = Float64Array.from({ length: n }, () => Math.round(random() * 1e4) / 100);
    expect(buildDictionary(column(measurements), 0, n)?.values.length).toBe(new Set(measurements).size);
    const strings = Array.from(measurements, (v) => `m${v}`);
    expect(buildDictionary(column(strings, 'STRING'), 0, n)?.values.length).toBe(new Set(strings).size);
    // Distinct at first, repeated later: given up at the trial (PLAIN), though half would be distinct in all.
    const ids = Float64Array.from({ length: n }, (_, i) => (i < 10_000 ? i : i % 100));
    expect(buildDictionary(column(ids), 0, n)).toBeNull();
  });

  it('tells doubles apart by their bits: 0 and -0 are two entries', () => {
    const dictionary = buildDictionary(column(new Float64Array([0, -0, 0, -0, 0, 0])), 0, 6)!;
    expect(dictionary.values.map((v) => Object.is(v, -0))).toEqual([false, true]);
  });

  it('indexes distinct doubles by their bits, through growth, as a Map of their bit patterns would', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.double({ noNaN: true }), fc.integer({ min: -50, max: 5000 }), fc.constantFrom(0, -0, 1e-300, Infinity)), { maxLength: 5000 }), (values) => {
        const index = new DoubleIndex();
        const expected = new Map<string, number>();
        for (const value of values) {
          const bits = new BigUint64Array(new Float64Array([value]).buffer)[0]!.toString();
          if (!expected.has(bits)) expected.set(bits, expected.size);
          expect(index.indexOf(value)).toBe(expected.get(bits));
        }
        expect(index.size).toBe(expected.size);
      }),
      { numRuns: 50 },
    );
  });
});
