import { ByteSink } from './byte-sink.js';
import { buildDictionary } from './dictionary.js';
import { CODEC, ColumnChunk, ColumnMetaData, DataPageHeader, DictionaryPageHeader, ENCODING, PAGE_TYPE, PHYSICAL_TYPE } from './format.js';
import { encodeDataPage, pageRanges, writePage, writePlain } from './pages.js';
import { statistics } from './statistics.js';
import { i32, i64, struct, type StructValue } from './thrift.js';
import type { ParquetColumn, ParquetType } from './types.js';

const PHYSICAL: Record<ParquetType, number> = {
  DOUBLE: PHYSICAL_TYPE.DOUBLE,
  INT64: PHYSICAL_TYPE.INT64,
  TIMESTAMP_MILLIS: PHYSICAL_TYPE.INT64,
  BOOLEAN: PHYSICAL_TYPE.BOOLEAN,
  STRING: PHYSICAL_TYPE.BYTE_ARRAY,
};

/** Reused between pages: the uncompressed body of the page being built. */
const page = new ByteSink(1 << 20);

export interface WrittenChunk {
  /** Parquet's `ColumnChunk`. */
  readonly metadata: StructValue;
  /** File offset of the chunk's first page. */
  readonly start: number;
  readonly compressed: number;
  readonly uncompressed: number;
}

/**
 * Writes rows [from, to) of one column as a column chunk: a dictionary page when few values are
 * distinct (buildDictionary), then V1 data pages (`DATA_PAGE`, the page every reader supports), each
 * Snappy-compressed. Returns the chunk's `ColumnChunk` metadata and its sizes.
 */
export function writeColumnChunk(sink: ByteSink, column: ParquetColumn, from: number, to: number): WrittenChunk {
  const start = sink.length;
  const dictionary = buildDictionary(column, from, to);
  const encodings = [ENCODING.RLE, dictionary ? ENCODING.RLE_DICTIONARY : ENCODING.PLAIN];
  const sizes = { compressed: 0, uncompressed: 0 };
  let dictionaryOffset: number | undefined;
  if (dictionary) {
    encodings.push(ENCODING.PLAIN);
    dictionaryOffset = sink.length;
    page.length = 0;
    if (dictionary.latin1) for (const key of dictionary.values as string[]) page.latin1String(key);
    else writePlain(page, column.type, dictionary.values);
    const header = struct(DictionaryPageHeader, { num_values: i32(dictionary.values.length), encoding: i32(ENCODING.PLAIN) });
    writePage(sink, page, { type: i32(PAGE_TYPE.DICTIONARY_PAGE), dictionary_page_header: header }, sizes);
  }
  const dataOffset = sink.length;
  let values = 0;
  for (const [a, b] of pageRanges(column, from, to, dictionary !== null)) {
    page.length = 0;
    const count = encodeDataPage(page, column, a, b, dictionary);
    values += count;
    const header = struct(DataPageHeader, {
      num_values: i32(count),
      encoding: i32(dictionary ? ENCODING.RLE_DICTIONARY : ENCODING.PLAIN),
      definition_level_encoding: i32(ENCODING.RLE),
      repetition_level_encoding: i32(ENCODING.RLE),
    });
    writePage(sink, page, { type: i32(PAGE_TYPE.DATA_PAGE), data_page_header: header }, sizes);
  }
  const metadata = struct(ColumnChunk, {
    file_offset: i64(start),
    meta_data: struct(ColumnMetaData, {
      type: i32(PHYSICAL[column.type]),
      encodings: { list: { i32: encodings } },
      path_in_schema: { list: { binary: column.list ? [column.name, 'list', 'element'] : [column.name] } },
      codec: i32(CODEC.SNAPPY),
      num_values: i64(values),
      total_uncompressed_size: i64(sizes.uncompressed),
      total_compressed_size: i64(sizes.compressed),
      data_page_offset: i64(dataOffset),
      dictionary_page_offset: dictionaryOffset === undefined ? undefined : i64(dictionaryOffset),
      statistics: statistics(column, from, to),
    }),
  }).struct;
  return { metadata, start, ...sizes };
}

