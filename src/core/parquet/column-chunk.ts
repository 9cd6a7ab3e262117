import { SnappyCompressor } from 'snappyjs/snappy_compressor.js';
import type { CellValue, Column } from '../columns.js';
import { ByteSink } from './byte-sink.js';
import { DoubleIndex } from './double-index.js';
import { bitWidthOf, writeHybrid } from './hybrid.js';
import { writeStruct, type ThriftStruct } from './thrift.js';

/** Parquet's enums, as numbers in the file (parquet-format's parquet.thrift). */
export const PHYSICAL_TYPE = { BOOLEAN: 0, INT64: 2, DOUBLE: 5, BYTE_ARRAY: 6 } as const;
const ENCODING = { PLAIN: 0, RLE: 3, RLE_DICTIONARY: 8 } as const;
const PAGE_TYPE = { DATA_PAGE: 0, DICTIONARY_PAGE: 2 } as const;
const CODEC_SNAPPY = 1;

/** Uncompressed size a data page is cut at (on a row boundary), as other writers do: readers hold a page at once. */
export const PAGE_BYTES = 1 << 20;
/** A column whose distinct values take more than this is written PLAIN, not dictionary-encoded. */
export const MAX_DICTIONARY_BYTES = 1 << 20;

const PHYSICAL: Record<Column['type'], number> = {
  double: PHYSICAL_TYPE.DOUBLE,
  bigint: PHYSICAL_TYPE.INT64,
  timestamp: PHYSICAL_TYPE.INT64,
  boolean: PHYSICAL_TYPE.BOOLEAN,
  string: PHYSICAL_TYPE.BYTE_ARRAY,
};

/** Reused between pages: the uncompressed body of the page being built. */
const page = new ByteSink(1 << 20);

/**
 * Writes rows [from, to) of one column as a column chunk: a dictionary page when few values are
 * distinct (buildDictionary), then V1 data pages (`DATA_PAGE`, the page every reader
 * supports), each Snappy-compressed. Returns the chunk's `ColumnChunk` metadata and its sizes.
 */
export function writeColumnChunk(sink: ByteSink, column: Column, from: number, to: number): WrittenChunk {
  const start = sink.length;
  const dictionary = buildDictionary(column, from, to);
  const encodings = [ENCODING.RLE, dictionary ? ENCODING.RLE_DICTIONARY : ENCODING.PLAIN];
  const sizes = { compressed: 0, uncompressed: 0 };
  let dictionaryOffset: number | undefined;
  if (dictionary) {
    encodings.push(ENCODING.PLAIN);
    dictionaryOffset = sink.length;
    page.length = 0;
    writePlain(page, column.type, dictionary.values);
    writePage(sink, page, { 1: { i32: PAGE_TYPE.DICTIONARY_PAGE }, 7: { struct: { 1: { i32: dictionary.values.length }, 2: { i32: ENCODING.PLAIN } } } }, sizes);
  }
  const dataOffset = sink.length;
  let values = 0;
  for (const [a, b] of pageRanges(column, from, to, dictionary !== null)) {
    page.length = 0;
    const count = encodeDataPage(page, column, a, b, dictionary);
    values += count;
    const header = { 1: { i32: count }, 2: { i32: dictionary ? ENCODING.RLE_DICTIONARY : ENCODING.PLAIN }, 3: { i32: ENCODING.RLE }, 4: { i32: ENCODING.RLE } };
    writePage(sink, page, { 1: { i32: PAGE_TYPE.DATA_PAGE }, 5: { struct: header } }, sizes);
  }
  const metadata: ThriftStruct = {
    2: { i64: start },
    3: {
      struct: {
        1: { i32: PHYSICAL[column.type] },
        2: { list: { i32: encodings } },
        3: { list: { binary: column.list ? [column.name, 'list', 'element'] : [column.name] } },
        4: { i32: CODEC_SNAPPY },
        5: { i64: values },
        6: { i64: sizes.uncompressed },
        7: { i64: sizes.compressed },
        9: { i64: dataOffset },
        11: dictionaryOffset === undefined ? undefined : { i64: dictionaryOffset },
        12: { struct: statistics(column, from, to) },
      },
    },
  };
  return { metadata, start, ...sizes };
}

export interface WrittenChunk {
  /** Parquet's `ColumnChunk`. */
  readonly metadata: ThriftStruct;
  /** File offset of the chunk's first page. */
  readonly start: number;
  readonly compressed: number;
  readonly uncompressed: number;
}

/** Reused between pages: the Snappy-compressed body of the page being written. */
let compressedPage = new Uint8Array(0);

/** Compresses a page body with Snappy and writes its header and the compressed bytes. */
function writePage(sink: ByteSink, body: ByteSink, header: ThriftStruct, sizes: { compressed: number; uncompressed: number }): void {
  const raw = body.contents();
  const compressor = new SnappyCompressor(raw);
  if (compressedPage.length < compressor.maxCompressedLength()) compressedPage = new Uint8Array(compressor.maxCompressedLength());
  const compressed = compressedPage.subarray(0, compressor.compressToBuffer(compressedPage));
  const at = sink.length;
  writeStruct(sink, { ...header, 2: { i32: raw.length }, 3: { i32: compressed.length } });
  const headerBytes = sink.length - at;
  sink.write(compressed);
  sizes.compressed += headerBytes + compressed.length;
  sizes.uncompressed += headerBytes + raw.length;
}

/** A chunk's distinct values and, for each non-null value in order, its index among them. */
interface Dictionary {
  readonly values: (number | bigint | string)[];
  readonly indices: Uint32Array;
  /** The first index not yet written to a data page. */
  next: number;
}

/** Values seen before the dictionary is judged: if more than half are distinct by then, PLAIN is cheaper. */
const DICTIONARY_TRIAL = 10_000;

/**
 * The distinct values of a chunk and the index of every value, when dictionary encoding pays: at most
 * half the values distinct and at most MAX_DICTIONARY_BYTES of them (as other writers do). Booleans are
 * always PLAIN.
 */
function buildDictionary(column: Column, from: number, to: number): Dictionary | null {
  if (column.type === 'boolean') return null;
  const index = new Map<CellValue, number>();
  const values: (number | bigint | string)[] = [];
  let indices: Uint32Array = new Uint32Array(to - from);
  let bytes = 0;
  let seen = 0;
  const add = (value: CellValue) => {
    if (value === null) return true;
    let i = index.get(value);
    if (i === undefined) {
      i = values.length;
      index.set(value, i);
      values.push(value as number | bigint | string);
      bytes += typeof value === 'string' ? value.length + 4 : 8;
      if (bytes > MAX_DICTIONARY_BYTES) return false;
    }
    if (seen === indices.length) indices = grow(indices);
    indices[seen++] = i;
    return seen !== DICTIONARY_TRIAL || values.length * 2 <= seen;
  };
  const cells = column.values;
  if (cells instanceof Float64Array) {
    const distinct = new DoubleIndex();
    for (let row = from; row < to; row++) {
      const value = cells[row]!;
      if (Number.isNaN(value)) continue;
      const i = distinct.indexOf(value);
      if (distinct.isNew) {
        values.push(value);
        bytes += 8;
        if (bytes > MAX_DICTIONARY_BYTES) return null;
      }
      if (seen === indices.length) indices = grow(indices);
      indices[seen++] = i;
      if (seen === DICTIONARY_TRIAL && values.length * 2 > seen) return null;
    }
  } else {
    for (let row = from; row < to; row++) {
      const value = cells[row]!;
      if (column.list) {
        if (value !== null) for (const element of value as CellValue[]) if (!add(element)) return null;
      } else if (!add(value as CellValue)) return null;
    }
  }
  return values.length > 0 && values.length * 2 <= seen ? { values, indices, next: 0 } : null;
}

function grow(indices: Uint32Array): Uint32Array {
  const larger = new Uint32Array(Math.max(16, indices.length * 2));
  larger.set(indices);
  return larger;
}

/** Row ranges of the data pages: cut when a page's estimated uncompressed size reaches PAGE_BYTES. */
function pageRanges(column: Column, from: number, to: number, dictionary: boolean): [number, number][] {
  const ranges: [number, number][] = [];
  if (column.values instanceof Float64Array || (!column.list && (column.type !== 'string' || dictionary))) {
    const rows = PAGE_BYTES / 8;
    for (let a = from; a < to; a += rows) ranges.push([a, Math.min(to, a + rows)]);
    return ranges;
  }
  let start = from;
  let bytes = 0;
  const cells = column.values as readonly (CellValue | CellValue[])[]; // numbers took the fixed-width branch
  for (let row = from; row < to; row++) {
    const value = cells[row]!;
    let rowBytes = 0;
    if (column.list) {
      if (value !== null) for (const element of value as CellValue[]) rowBytes += valueBytes(element, dictionary);
      rowBytes += 2;
    } else rowBytes = valueBytes(value as CellValue, dictionary);
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
const valueBytes = (value: CellValue, dictionary: boolean) => (typeof value === 'string' && !dictionary ? Buffer.byteLength(value, 'utf8') + 4 : 8);

let levelScratch = new Uint8Array(1 << 16);
let numberScratch = new Float64Array(1 << 16);

/**
 * One V1 data page body: repetition levels (lists only) and definition levels, each as a 4-byte
 * length and the RLE/bit-packed hybrid, then the non-null values (PLAIN or dictionary indices).
 * Every column is optional; a list column is `optional group (LIST) { repeated group list { optional element } }`,
 * so its definition levels are 0 null list, 1 empty list, 2 null element, 3 element. Returns the number of level entries.
 */
function encodeDataPage(out: ByteSink, column: Column, from: number, to: number, dictionary: Dictionary | null): number {
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
  } else if (column.list) {
    const values: CellValue[] = [];
    let slots = 0;
    for (let row = from; row < to; row++) slots += Math.max(1, (cells[row] as CellValue[] | null)?.length ?? 1);
    const repetition = new Uint8Array(slots);
    const definition = new Uint8Array(slots);
    count = 0;
    for (let row = from; row < to; row++) {
      const list = cells[row] as CellValue[] | null;
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
    const values: CellValue[] = [];
    for (let row = from; row < to; row++) {
      const value = cells[row] as CellValue;
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
type Leaves = readonly CellValue[] | Float64Array;

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

function writePlain(out: ByteSink, type: Column['type'], leaves: Leaves): void {
  switch (type) {
    case 'double':
      if (leaves instanceof Float64Array) out.f64s(leaves);
      else for (const value of leaves) out.f64(value as number);
      return;
    case 'bigint':
    case 'timestamp':
      for (const value of leaves) out.i64(value as number | bigint);
      return;
    case 'string':
      for (const value of leaves) writePlainString(out, value as string);
      return;
    case 'boolean': {
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

/**
 * Column-chunk statistics: null count, and min/max for numbers and timestamps (Athena skips row groups by them).
 * For a list column they describe its element leaf: every level entry that holds no element (a null list,
 * an empty list, a null element) counts as a null, as Arrow's and parquet-mr's writers count them.
 */
function statistics(column: Column, from: number, to: number): ThriftStruct {
  let nulls = 0;
  let min: number | bigint | undefined;
  let max: number | bigint | undefined;
  const ordered = column.type === 'double' || column.type === 'bigint' || column.type === 'timestamp';
  const cells = column.values;
  if (column.list) {
    for (let row = from; row < to; row++) {
      const list = (cells as readonly (CellValue | CellValue[])[])[row] as CellValue[] | null;
      if (list === null || list.length === 0) {
        nulls++;
        continue;
      }
      for (const element of list) {
        if (element === null) nulls++;
        else if (ordered) {
          const v = element as number | bigint;
          if (min === undefined || v < min) min = v;
          if (max === undefined || v > max) max = v;
        }
      }
    }
  } else if (cells instanceof Float64Array) {
    // NaN is null; comparisons with NaN are false, so it never becomes min or max.
    let lo = Infinity;
    let hi = -Infinity;
    for (let row = from; row < to; row++) {
      const v = cells[row]!;
      if (v !== v) nulls++;
      else {
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
    if (nulls < to - from && ordered) {
      min = lo;
      max = hi;
    }
  } else {
    for (let row = from; row < to; row++) {
      const value = cells[row] as CellValue;
      if (value === null) nulls++;
      else if (ordered) {
        const v = value as number | bigint;
        if (min === undefined || v < min) min = v;
        if (max === undefined || v > max) max = v;
      }
    }
  }
  if (min === undefined || max === undefined) return { 3: { i64: nulls } };
  // parquet-format: a zero minimum is written as -0.0 and a zero maximum as +0.0.
  if (column.type === 'double' && min === 0) min = -0;
  if (column.type === 'double' && max === 0) max = 0;
  const encode = (value: number | bigint) => {
    const bytes = new ByteSink(8);
    if (column.type === 'double') bytes.f64(value as number);
    else bytes.i64(value);
    return bytes.contents();
  };
  return { 3: { i64: nulls }, 5: { binary: encode(max) }, 6: { binary: encode(min) } };
}
