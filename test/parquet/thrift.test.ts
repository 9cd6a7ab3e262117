import { describe, expect, it } from 'vitest';
import { ByteSink } from '../../src/parquet/byte-sink.js';
import { binary, bool, i32, i64, struct, structType, writeStruct } from '../../src/parquet/thrift.js';
import { readStruct } from '../helpers/parquet-pages.js';

const Inner = structType('Inner', { name: 1 });
const Everything = structType('Everything', { negative: 1, big: 2, yes: 3, no: 4, text: 5, bytes: 6, inner: 7, ints: 8, names: 9, many: 10, far: 40 });

describe('Thrift compact protocol writer', () => {
  it('writes every field type Parquet uses, in id order, as an independent reader reads it back', () => {
    const sink = new ByteSink(16);
    writeStruct(
      sink,
      struct(Everything, {
        // given out of id order: the struct type decides the order
        far: i32(7),
        negative: i32(-3),
        big: i64(2 ** 40 + 5),
        yes: bool(true),
        no: bool(false),
        text: binary('é€'),
        bytes: binary(new Uint8Array([0, 255])),
        inner: struct(Inner, { name: binary('x') }),
        ints: { list: { i32: [1, -1, 300] } },
        names: { list: { binary: ['a', 'b'] } },
        many: { list: { struct: Array.from({ length: 20 }, (_, i) => struct(Inner, { name: binary(`n${i}`) }).struct) } },
      }).struct,
    );
    const read = readStruct({ bytes: sink.contents(), at: 0 });
    const text = (v: unknown) => new TextDecoder().decode(v as Uint8Array);
    expect(read[1]).toBe(-3);
    expect(read[2]).toBe(2 ** 40 + 5);
    expect([read[3], read[4]]).toEqual([true, false]);
    expect(text(read[5])).toBe('é€');
    expect([...(read[6] as Uint8Array)]).toEqual([0, 255]);
    expect(text((read[7] as Record<number, unknown>)[1])).toBe('x');
    expect(read[8]).toEqual([1, -1, 300]);
    expect((read[9] as Uint8Array[]).map(text)).toEqual(['a', 'b']);
    expect((read[10] as Record<number, unknown>[]).map((s) => text(s[1]))).toEqual(Array.from({ length: 20 }, (_, i) => `n${i}`));
    expect(read[40]).toBe(7); // a delta over 15 is written with its full id
  });

  it('leaves undefined fields out, as Thrift optional fields are', () => {
    const sink = new ByteSink(16);
    writeStruct(sink, struct(Everything, { negative: i32(1), big: undefined }).struct);
    expect(readStruct({ bytes: sink.contents(), at: 0 })).toEqual({ 1: 1 });
    expect(sink.length).toBe(3); // one field header, one varint, the stop byte
  });
});
