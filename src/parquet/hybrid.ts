import type { ByteSink } from './byte-sink.js';

/** Bits needed to store values up to `max` (at least 1). */
export function bitWidthOf(max: number): number {
  return Math.max(1, 32 - Math.clz32(max));
}

/**
 * Parquet's RLE / bit-packing hybrid, used for definition and repetition levels and dictionary
 * indices: a run of 8 or more equal values becomes one RLE run; anything else is bit-packed in groups
 * of 8, until a run of 8 equal values starts at a group boundary. A last partial group is padded with
 * zeros, which readers ignore because they know the number of values. `bitWidth` is at most 24.
 */
export function writeHybrid(sink: ByteSink, values: Uint8Array | Uint32Array, count: number, bitWidth: number): void {
  if (bitWidth > 24) throw new Error(`bit width ${bitWidth} is over the 24 this encoder supports`);
  const byteWidth = (bitWidth + 7) >> 3;
  let i = 0;
  while (i < count) {
    const value = values[i]!;
    let end = i + 1;
    while (end < count && values[end] === value) end++;
    if (end - i >= 8) {
      sink.varint((end - i) * 2);
      for (let b = 0; b < byteWidth; b++) sink.u8((value >>> (8 * b)) & 0xff);
      i = end;
      continue;
    }
    const start = i;
    let groups = 0;
    do {
      i += 8;
      groups++;
    } while (i < count && !startsRun(values, i, count));
    sink.varint(groups * 2 + 1);
    packBits(sink, values, start, Math.min(i, count), groups * 8, bitWidth);
  }
}

function startsRun(values: Uint8Array | Uint32Array, i: number, count: number): boolean {
  if (i + 8 > count) return false;
  const value = values[i];
  for (let k = i + 1; k < i + 8; k++) if (values[k] !== value) return false;
  return true;
}

/** Packs `total` values from `start` (zeros past `end`) LSB first, `bitWidth` bits each. */
function packBits(sink: ByteSink, values: Uint8Array | Uint32Array, start: number, end: number, total: number, bitWidth: number): void {
  sink.reserve((total * bitWidth) / 8);
  const out = sink.bytes;
  let at = sink.length;
  let buffer = 0;
  let bits = 0;
  for (let k = start; k < start + total; k++) {
    buffer |= (k < end ? values[k]! : 0) << bits;
    bits += bitWidth;
    while (bits >= 8) {
      out[at++] = buffer & 0xff;
      buffer >>>= 8;
      bits -= 8;
    }
  }
  sink.length = at;
}
