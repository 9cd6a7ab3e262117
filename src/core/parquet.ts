import type { Column, ScalarType } from './columns.js';
import { ByteSink } from './parquet/byte-sink.js';
import { PHYSICAL_TYPE, writeColumnChunk } from './parquet/column-chunk.js';
import { writeStruct, type ThriftStruct } from './parquet/thrift.js';

/** Rows per row group: bounds the memory a row group's encoded pages take before they are flushed. */
export const ROW_GROUP_ROWS = 100_000;

const MAGIC = new TextEncoder().encode('PAR1');
const REPETITION = { OPTIONAL: 1, REPEATED: 2 } as const;
const CONVERTED_TYPE = { UTF8: 0, LIST: 3, TIMESTAMP_MILLIS: 9 } as const;
const EMPTY = { struct: {} } as const;

/** SchemaElement fields of a leaf of each type (type, converted_type, logicalType). */
const LEAF: Record<ScalarType, ThriftStruct> = {
  double: { 1: { i32: PHYSICAL_TYPE.DOUBLE } },
  bigint: { 1: { i32: PHYSICAL_TYPE.INT64 } },
  boolean: { 1: { i32: PHYSICAL_TYPE.BOOLEAN } },
  string: { 1: { i32: PHYSICAL_TYPE.BYTE_ARRAY }, 6: { i32: CONVERTED_TYPE.UTF8 }, 10: { struct: { 1: EMPTY } } },
  timestamp: {
    1: { i32: PHYSICAL_TYPE.INT64 },
    6: { i32: CONVERTED_TYPE.TIMESTAMP_MILLIS },
    10: { struct: { 8: { struct: { 1: { bool: true }, 2: { struct: { 1: EMPTY } } } } } }, // TIMESTAMP(isAdjustedToUTC, MILLIS)
  },
};

/** The Parquet schema: every column optional; lists use the standard 3-level LIST layout. */
export function parquetSchema(columns: readonly Column[]): ThriftStruct[] {
  const schema: ThriftStruct[] = [{ 4: { binary: 'root' }, 5: { i32: columns.length } }];
  for (const column of columns) {
    const name = { binary: column.name };
    if (column.list) {
      schema.push(
        { 3: { i32: REPETITION.OPTIONAL }, 4: name, 5: { i32: 1 }, 6: { i32: CONVERTED_TYPE.LIST }, 10: { struct: { 3: EMPTY } } },
        { 3: { i32: REPETITION.REPEATED }, 4: { binary: 'list' }, 5: { i32: 1 } },
        { ...LEAF[column.type], 3: { i32: REPETITION.OPTIONAL }, 4: { binary: 'element' } },
      );
    } else {
      schema.push({ ...LEAF[column.type], 3: { i32: REPETITION.OPTIONAL }, 4: name });
    }
  }
  return schema;
}

/**
 * Encodes columns (all of one length) as one Snappy-compressed Parquet file: row groups of
 * ROW_GROUP_ROWS, V1 data pages, dictionary-encoded strings, column statistics, and `metadata` as the
 * file's key-value metadata.
 */
export function writeParquet(columns: readonly Column[], metadata: Record<string, string> = {}): Uint8Array {
  const file = new ParquetFileWriter();
  file.addRows(columns);
  return file.finish(metadata);
}

/**
 * A Parquet file written as rows arrive: each `addRows` encodes its columns into row groups at once,
 * so only the encoded bytes are kept. Every call must pass the same columns (names, types, lists).
 */
export class ParquetFileWriter {
  private readonly sink = new ByteSink(1 << 16); // grows by doubling; small hours stay small
  private readonly rowGroups: ThriftStruct[] = [];
  private schema: readonly Column[] | null = null;
  private rows = 0;

  constructor() {
    this.sink.write(MAGIC);
  }

  addRows(columns: readonly Column[]): void {
    this.schema ??= columns;
    const rows = columns[0]?.values.length ?? 0;
    for (let from = 0; from < rows; from += ROW_GROUP_ROWS) {
      const to = Math.min(rows, from + ROW_GROUP_ROWS);
      const chunks = columns.map((column) => writeColumnChunk(this.sink, column, from, to));
      this.rowGroups.push({
        1: { list: { struct: chunks.map((c) => c.metadata) } },
        2: { i64: chunks.reduce((sum, c) => sum + c.uncompressed, 0) },
        3: { i64: to - from },
        5: { i64: chunks[0]?.start ?? this.sink.length },
        6: { i64: chunks.reduce((sum, c) => sum + c.compressed, 0) },
      });
    }
    this.rows += rows;
  }

  /** The whole file: the row groups so far and the footer. */
  finish(metadata: Record<string, string> = {}): Uint8Array {
    const { sink } = this;
    const footerStart = sink.length;
    writeStruct(sink, {
      1: { i32: 2 },
      2: { list: { struct: parquetSchema(this.schema ?? []) } },
      3: { i64: this.rows },
      4: { list: { struct: this.rowGroups } },
      5: Object.keys(metadata).length ? { list: { struct: Object.entries(metadata).map(([key, value]) => ({ 1: { binary: key }, 2: { binary: value } })) } } : undefined,
      6: { binary: 'api-lake' },
      // column_orders: TYPE_ORDER for every leaf. Without it readers must assume the min/max statistics may be
      // in an undefined order, and Trino (Athena) then ignores them.
      7: { list: { struct: (this.schema ?? []).map(() => ({ 1: EMPTY })) } },
    });
    sink.u32(sink.length - footerStart);
    sink.write(MAGIC);
    return sink.contents(); // a view of the buffer, not a copy of the whole file
  }
}
