import { structType } from './thrift.js';

/**
 * The parts of parquet-format's parquet.thrift this writer uses: enums as the numbers in the file, and
 * each struct's fields by name with their ids.
 */

export const PHYSICAL_TYPE = { BOOLEAN: 0, INT64: 2, DOUBLE: 5, BYTE_ARRAY: 6 } as const;
export const ENCODING = { PLAIN: 0, RLE: 3, RLE_DICTIONARY: 8 } as const;
export const PAGE_TYPE = { DATA_PAGE: 0, DICTIONARY_PAGE: 2 } as const;
export const CODEC = { SNAPPY: 1 } as const;
export const REPETITION = { OPTIONAL: 1, REPEATED: 2 } as const;
export const CONVERTED_TYPE = { UTF8: 0, LIST: 3, TIMESTAMP_MILLIS: 9 } as const;

export const DataPageHeader = structType('DataPageHeader', { num_values: 1, encoding: 2, definition_level_encoding: 3, repetition_level_encoding: 4 });
export const DictionaryPageHeader = structType('DictionaryPageHeader', { num_values: 1, encoding: 2 });
export const PageHeader = structType('PageHeader', { type: 1, uncompressed_page_size: 2, compressed_page_size: 3, data_page_header: 5, dictionary_page_header: 7 });

export const Statistics = structType('Statistics', { null_count: 3, max_value: 5, min_value: 6 });
export const ColumnMetaData = structType('ColumnMetaData', {
  type: 1,
  encodings: 2,
  path_in_schema: 3,
  codec: 4,
  num_values: 5,
  total_uncompressed_size: 6,
  total_compressed_size: 7,
  data_page_offset: 9,
  dictionary_page_offset: 11,
  statistics: 12,
});
export const ColumnChunk = structType('ColumnChunk', { file_offset: 2, meta_data: 3 });
export const RowGroup = structType('RowGroup', { columns: 1, total_byte_size: 2, num_rows: 3, file_offset: 5, total_compressed_size: 6 });

/** An empty struct: the marker value of the unions below (StringType, ListType, MilliSeconds, TypeDefinedOrder). */
export const Empty = structType('Empty', {});
export const TimeUnit = structType('TimeUnit', { MILLIS: 1 });
export const TimestampType = structType('TimestampType', { isAdjustedToUTC: 1, unit: 2 });
export const LogicalType = structType('LogicalType', { STRING: 1, LIST: 3, TIMESTAMP: 8 });
export const SchemaElement = structType('SchemaElement', { type: 1, repetition_type: 3, name: 4, num_children: 5, converted_type: 6, logicalType: 10 });
export const KeyValue = structType('KeyValue', { key: 1, value: 2 });
export const ColumnOrder = structType('ColumnOrder', { TYPE_ORDER: 1 });
export const FileMetaData = structType('FileMetaData', {
  version: 1,
  schema: 2,
  num_rows: 3,
  row_groups: 4,
  key_value_metadata: 5,
  created_by: 6,
  column_orders: 7,
});
