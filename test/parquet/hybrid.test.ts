import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteSink } from '../../src/parquet/byte-sink.js';
import { bitWidthOf, writeHybrid } from '../../src/parquet/hybrid.js';
import { decodeHybrid } from '../helpers/hybrid-decode.js';

const encode = (values: number[], bitWidth: number) => {
  const sink = new ByteSink(8);
  writeHybrid(sink, Uint32Array.from(values), values.length, bitWidth);
  return sink.contents();
};

describe('RLE / bit-packing hybrid', () => {
  it('decodes, by an independent decoder, to exactly the values written, for every bit width used', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 24 }), fc.array(fc.nat(), { maxLength: 300 }), fc.array(fc.nat({ max: 40 }), { maxLength: 8 }), (bitWidth, raw, repeats) => {
        const max = 2 ** bitWidth - 1;
        // Runs of repeats among scattered values, so both kinds of run occur.
        const values = raw.flatMap((v, i) => Array.from({ length: 1 + (repeats[i % Math.max(1, repeats.length)] ?? 0) * (i % 3 === 0 ? 1 : 0) }, () => v % (max + 1)));
        const bytes = encode(values, bitWidth);
        const decoded = decodeHybrid(bytes, 0, values.length, bitWidth);
        expect(decoded.values).toEqual(values);
        expect(decoded.end).toBe(bytes.length);
      }),
      { numRuns: 300 },
    );
  });

  it('writes a run of 8 or more equal values as one RLE run, and anything shorter bit-packed', () => {
    expect(decodeHybrid(encode(Array(100).fill(1), 1), 0, 100, 1).runs).toEqual(['rle']);
    expect(decodeHybrid(encode([1, 0, 1, 0, 1, 1, 1], 1), 0, 7, 1).runs).toEqual(['packed']);
    expect(decodeHybrid(encode([...Array(8).fill(3), 1, 2, ...Array(16).fill(0)], 2), 0, 26, 2).runs).toEqual(['rle', 'packed', 'rle']);
  });

  it('sizes bit widths from the largest value, at least 1, and refuses more than 24 bits', () => {
    expect([0, 1, 2, 3, 255, 256, 2 ** 24 - 1].map(bitWidthOf)).toEqual([1, 1, 2, 2, 8, 9, 24]);
    expect(() => writeHybrid(new ByteSink(8), new Uint32Array(1), 1, 25)).toThrow(/bit width 25/);
  });
});
