import { describe, expect, it } from 'vitest';
import { ByteSink } from '../../src/parquet/byte-sink.js';

describe('ByteSink', () => {
  it('writes little-endian numbers as Buffer writes them, growing as it goes', () => {
    const sink = new ByteSink(2);
    sink.u8(7);
    sink.u32(0xdeadbeef);
    sink.f64(-1.5);
    sink.f64s(new Float64Array([1, Number.MAX_VALUE]));
    for (const value of [0, -1, 2 ** 53 - 1, -(2 ** 53) + 1]) sink.i64(value);
    sink.i64(-(2n ** 63n));
    const expected = Buffer.alloc(1 + 4 + 8 + 16 + 5 * 8);
    let at = expected.writeUInt8(7, 0);
    at = expected.writeUInt32LE(0xdeadbeef, at);
    at = expected.writeDoubleLE(-1.5, at);
    at = expected.writeDoubleLE(1, at);
    at = expected.writeDoubleLE(Number.MAX_VALUE, at);
    for (const value of [0n, -1n, 2n ** 53n - 1n, -(2n ** 53n) + 1n, -(2n ** 63n)]) at = expected.writeBigInt64LE(value, at);
    expect(Buffer.from(sink.contents())).toEqual(expected);
  });

  it('writes a length known only afterwards at an earlier position', () => {
    const sink = new ByteSink(4);
    sink.u32(0);
    const n = sink.utf8('hello');
    sink.u32At(0, n);
    expect(Buffer.from(sink.contents()).readUInt32LE(0)).toBe(5);
  });

  it('writes ULEB128 varints up to 2^53', () => {
    for (const value of [0, 127, 128, 300, 2 ** 35 + 1, 2 ** 53 - 1]) {
      const sink = new ByteSink(1);
      sink.varint(value);
      let decoded = 0;
      [...sink.contents()].forEach((byte, i) => (decoded += (byte & 0x7f) * 2 ** (7 * i)));
      expect(decoded).toBe(value);
    }
  });

  it('writes strings as UTF-8, short ASCII ones and others alike, and says how many bytes', () => {
    for (const text of ['', 'abc', 'x'.repeat(40), 'é', 'naïve café', '日本語のテキスト', '😀 emoji', `${'a'.repeat(31)}é`]) {
      const sink = new ByteSink(1);
      const written = sink.utf8(text);
      expect(written).toBe(Buffer.byteLength(text));
      expect(Buffer.from(sink.contents()).toString('utf8')).toBe(text);
    }
  });
});
