/**
 * Parquet's RLE / bit-packing hybrid, decoded as parquet-format's Encodings.md describes it, for the tests
 * (independent of the writer): `count` values of `bitWidth` bits from `bytes` at `at`.
 */
export function decodeHybrid(bytes: Uint8Array, at: number, count: number, bitWidth: number): { values: number[]; end: number; runs: ('rle' | 'packed')[] } {
  const values: number[] = [];
  const runs: ('rle' | 'packed')[] = [];
  let pos = at;
  const varint = () => {
    let result = 0;
    let shift = 0;
    for (;;) {
      const byte = bytes[pos++]!;
      result += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return result;
      shift += 7;
    }
  };
  while (values.length < count) {
    const header = varint();
    if (header % 2 === 0) {
      // RLE run: the count, then the value in ceil(bitWidth / 8) little-endian bytes.
      let value = 0;
      for (let b = 0; b < Math.ceil(bitWidth / 8); b++) value += bytes[pos++]! * 2 ** (8 * b);
      for (let i = 0; i < header / 2; i++) values.push(value);
      runs.push('rle');
    } else {
      // Bit-packed groups of 8 values, least significant bit first.
      const total = ((header - 1) / 2) * 8;
      let bit = 0;
      for (let i = 0; i < total; i++) {
        let value = 0;
        for (let b = 0; b < bitWidth; b++, bit++) value |= ((bytes[pos + (bit >> 3)]! >> (bit & 7)) & 1) << b;
        values.push(value);
      }
      pos += (total * bitWidth) / 8;
      runs.push('packed');
    }
  }
  return { values: values.slice(0, count), end: pos, runs };
}
