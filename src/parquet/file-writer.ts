import { ByteSink } from './byte-sink.js';
import { writeColumnChunk } from './column-chunk.js';
import { ColumnOrder, Empty, FileMetaData, KeyValue, RowGroup } from './format.js';
import { parquetSchema } from './schema.js';
import { binary, i32, i64, struct, writeStruct, type StructValue } from './thrift.js';
import type { ParquetColumn } from './types.js';

/** Rows per row group: bounds the memory a row group's encoded pages take before they are flushed. */
export const ROW_GROUP_ROWS = 100_000;

const MAGIC = new TextEncoder().encode('PAR1');

/**
 * A Parquet file written as rows arrive: each `addRows` encodes its columns into row groups of at most
 * ROW_GROUP_ROWS at once, so only the encoded bytes are kept; `finish` writes the footer. Every call must
 * pass the same columns (names, types, lists), each with one value per row.
 */
export class ParquetFileWriter {
  private readonly sink = new ByteSink(1 << 16); // grows by doubling; small hours stay small
  private readonly rowGroups: StructValue[] = [];
  private schema: readonly ParquetColumn[] | null = null;
  private rows = 0;

  constructor() {
    this.sink.write(MAGIC);
  }

  addRows(columns: readonly ParquetColumn[]): void {
    this.schema ??= columns;
    const rows = columns[0]?.values.length ?? 0;
    for (let from = 0; from < rows; from += ROW_GROUP_ROWS) {
      const to = Math.min(rows, from + ROW_GROUP_ROWS);
      const chunks = columns.map((column) => writeColumnChunk(this.sink, column, from, to));
      this.rowGroups.push(
        struct(RowGroup, {
          columns: { list: { struct: chunks.map((c) => c.metadata) } },
          total_byte_size: i64(chunks.reduce((sum, c) => sum + c.uncompressed, 0)),
          num_rows: i64(to - from),
          file_offset: i64(chunks[0]?.start ?? this.sink.length),
          total_compressed_size: i64(chunks.reduce((sum, c) => sum + c.compressed, 0)),
        }).struct,
      );
    }
    this.rows += rows;
  }

  /** The whole file: the row groups so far and the footer, with `metadata` as its key-value metadata. */
  finish(metadata: Record<string, string> = {}): Uint8Array {
    const { sink } = this;
    const footerStart = sink.length;
    const keyValues = Object.entries(metadata).map(([key, value]) => struct(KeyValue, { key: binary(key), value: binary(value) }).struct);
    const columns = this.schema ?? [];
    writeStruct(
      sink,
      struct(FileMetaData, {
        version: i32(2),
        schema: { list: { struct: parquetSchema(columns) } },
        num_rows: i64(this.rows),
        row_groups: { list: { struct: this.rowGroups } },
        key_value_metadata: keyValues.length ? { list: { struct: keyValues } } : undefined,
        created_by: binary('api-lake'),
        // TYPE_ORDER for every leaf: without it readers must assume the min/max statistics may be in an
        // undefined order, and Trino (Athena) then ignores them.
        column_orders: { list: { struct: columns.map(() => struct(ColumnOrder, { TYPE_ORDER: struct(Empty, {}) }).struct) } },
      }).struct,
    );
    sink.u32(sink.length - footerStart);
    sink.write(MAGIC);
    return sink.contents(); // a view of the buffer, not a copy of the whole file
  }
}
