import type { ByteSink } from './byte-sink.js';
import type { Dictionary } from './dictionary.js';
import { byteLength, PlainStrings } from './plain-strings.js';
import { PageHeader } from './format.js';
import { bitWidthOf, writeHybrid } from './hybrid.js';
import { snappyCompress } from './snappy.js';
import { i32, writeStruct, type StructValue } from './thrift.js';
import type { ParquetColumn, ParquetType, ParquetValue } from './types.js';

/** Uncompressed size a data page is cut at (on a row boundary), as other writers do: readers hold a page at once. */
export const PAGE_BYTES = 1 << 20;

/** Row ranges of the data pages: cut when a page's estimated uncompressed size reaches PAGE_BYTES. */
export function pageRanges(column: ParquetColumn, from: number, to: number, dictionary: boolean): [number, number][] {
  const ranges: [number, number][] = [];
  if (column.values instanceof Float64Array || (!column.list && (column.type !== 'STRING' || dictionary))) {
    const rows = PAGE_BYTES / 8;
    for (let a = from; a < to; a += rows) ranges.push([a, Math.min(to, a + rows)]);
    return ranges;
  }
  let start = from;
  let bytes = 0;
  const cells = column.values;
  for (let row = from; row < to; row++) {
    let rowBytes = 0;
    if (cells instanceof PlainStrings) {
      const offset = cells.offsets[row]!;
      rowBytes = offset < 0 ? 0 : byteLength(cells.data, offset) + 4;
    } else if (column.list) {
      const value = (cells as readonly (ParquetValue | readonly ParquetValue[])[])[row]!; // numbers took the fixed-width branch
      if (value !== null) for (const element of value as readonly ParquetValue[]) rowBytes += valueBytes(element, dictionary);
      rowBytes += 2;
    } else rowBytes = valueBytes((cells as readonly ParquetValue[])[row]!, dictionary);
    // Cut before a row that would take the page past PAGE_BYTES; a page of one row larger than that stays whole.
    if (bytes > 0 && bytes + rowBytes > PAGE_BYTES) {
      ranges.push([start, row]);
      start = row;
      bytes = 0;
    }
    bytes += rowBytes;
  }
  if (start < to) ranges.push([start, to]);
  return ranges;
}

/** A value's bytes in a PLAIN page (UTF-8 and its length prefix for a string), or a dictionary index's upper bound. */
const valueBytes = (value: ParquetValue, dictionary: boolean) => (typeof value === 'string' && !dictionary ? Buffer.byteLength(value, 'utf8') + 4 : 8);

let levelScratch = new Uint8Array(1 << 16);
let numberScratch = new Float64Array(1 << 16);

/**
 * One V1 data page body: repetition levels (lists only) and definition levels, each as a 4-byte
 * length and the RLE/bit-packed hybrid, then the non-null values (PLAIN or dictionary indices).
 * Every column is optional; a list column is `optional group (LIST) { repeated group list { optional element } }`,
 * so its definition levels are 0 null list, 1 empty list, 2 null element, 3 element. Returns the number of level entries.
 */
export function encodeDataPage(out: ByteSink, column: ParquetColumn, from: number, to: number, dictionary: Dictionary | null): number {
  const cells = column.values;
  let leaves: Leaves;
  let leafCount = 0; // with a dictionary, values are not collected: their indices are in it already
  let count = to - from;
  if (levelScratch.length < count) levelScratch = new Uint8Array(count);
  if (cells instanceof Float64Array) {
    if (numberScratch.length < count) numberScratch = new Float64Array(count);
    let n = 0;
    for (let row = from; row < to; row++) {
      const value = cells[row]!;
      if (Number.isNaN(value)) levelScratch[row - from] = 0;
      else {
        levelScratch[row - from] = 1;
        numberScratch[n++] = value;
      }
    }
    leaves = numberScratch.subarray(0, n);
    writeLevels(out, levelScratch, count, 1);
  } else if (cells instanceof PlainStrings) {
    // The non-null values of rows [from, to) lie one after another in PLAIN layout: one copy, unless a dictionary has them.
    let first = -1;
    let last = -1;
    for (let row = from; row < to; row++) {
      const offset = cells.offsets[row]!;
      levelScratch[row - from] = offset < 0 ? 0 : 1;
      if (offset < 0) continue;
      if (first < 0) first = offset;
      last = offset;
      leafCount++;
    }
    writeLevels(out, levelScratch, count, 1);
    if (dictionary) writeIndices(out, dictionary, leafCount);
    else if (first >= 0) out.write(cells.data.subarray(first, last + 4 + byteLength(cells.data, last)));
    return count;
  } else if (column.list) {
    const values: ParquetValue[] = [];
    let slots = 0;
    for (let row = from; row < to; row++) slots += Math.max(1, (cells[row] as readonly ParquetValue[] | null)?.length ?? 1);
    const repetition = new Uint8Array(slots);
    const definition = new Uint8Array(slots);
    count = 0;
    for (let row = from; row < to; row++) {
      const list = cells[row] as readonly ParquetValue[] | null;
      if (list === null || list.length === 0) {
        definition[count++] = list === null ? 0 : 1;
        continue;
      }
      for (let k = 0; k < list.length; k++) {
        const element = list[k]!;
        repetition[count] = k === 0 ? 0 : 1;
        definition[count++] = element === null ? 2 : 3;
        if (element !== null && !dictionary) values.push(element);
        else if (element !== null) leafCount++;
      }
    }
    leaves = values;
    writeLevels(out, repetition, count, 1);
    writeLevels(out, definition, count, 2);
  } else {
    const values: ParquetValue[] = [];
    for (let row = from; row < to; row++) {
      const value = cells[row] as ParquetValue;
      if (value === null) levelScratch[row - from] = 0;
      else {
        levelScratch[row - from] = 1;
        if (dictionary) leafCount++;
        else values.push(value);
      }
    }
    leaves = values;
    writeLevels(out, levelScratch, count, 1);
  }
  if (dictionary) writeIndices(out, dictionary, leaves instanceof Float64Array ? leaves.length : leafCount);
  else writePlain(out, column.type, leaves);
  return count;
}

/** The non-null values of a page, in order. */
type Leaves = readonly ParquetValue[] | Float64Array;

function writeLevels(out: ByteSink, levels: Uint8Array, count: number, bitWidth: number): void {
  const at = out.length;
  out.u32(0);
  writeHybrid(out, levels, count, bitWidth);
  out.u32At(at, out.length - at - 4);
}

/** The next `count` dictionary indices, as a bit width byte and the RLE/bit-packed hybrid. */
function writeIndices(out: ByteSink, dictionary: Dictionary, count: number): void {
  const bitWidth = bitWidthOf(dictionary.values.length - 1);
  out.u8(bitWidth);
  writeHybrid(out, dictionary.indices.subarray(dictionary.next, dictionary.next + count), count, bitWidth);
  dictionary.next += count;
}

export function writePlain(out: ByteSink, type: ParquetType, leaves: Leaves): void {
  switch (type) {
    case 'DOUBLE':
      if (leaves instanceof Float64Array) out.f64s(leaves);
      else for (const value of leaves) out.f64(value as number);
      return;
    case 'INT64':
    case 'TIMESTAMP_MILLIS':
      for (const value of leaves) out.i64(value as number | bigint);
      return;
    case 'STRING':
      for (const value of leaves) writePlainString(out, value as string);
      return;
    case 'BOOLEAN': {
      // Bit-packed, least significant bit first (PLAIN booleans; some readers lack RLE booleans).
      out.reserve(Math.ceil(leaves.length / 8));
      for (let k = 0; k < leaves.length; k += 8) {
        let byte = 0;
        for (let b = 0; b < 8 && k + b < leaves.length; b++) if (leaves[k + b]) byte |= 1 << b;
        out.bytes[out.length++] = byte;
      }
    }
  }
}

function writePlainString(out: ByteSink, value: string): void {
  const at = out.length;
  out.u32(0);
  out.u32At(at, out.utf8(value));
}


/** Compresses a page body with Snappy and writes its header (`header` with the sizes filled in) and the compressed bytes. */
export function writePage(sink: ByteSink, body: ByteSink, header: PageHeaderFields, sizes: { compressed: number; uncompressed: number }): void {
  const raw = body.contents();
  const compressed = snappyCompress(raw);
  const at = sink.length;
  writeStruct(sink, { type: PageHeader, fields: { ...header, uncompressed_page_size: i32(raw.length), compressed_page_size: i32(compressed.length) } });
  const headerBytes = sink.length - at;
  sink.write(compressed);
  sizes.compressed += headerBytes + compressed.length;
  sizes.uncompressed += headerBytes + raw.length;
}

/** A page header's fields but the sizes, which writePage knows once it has compressed the page. */
export type PageHeaderFields = Omit<StructValue<(typeof PageHeader.fields)[number][0]>['fields'], 'uncompressed_page_size' | 'compressed_page_size'>;
