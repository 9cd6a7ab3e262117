import { ByteWriter, ParquetWriter } from 'hyparquet-writer';
import type { Column, ScalarType } from './columns.js';

/** Rows per row group: bounds the memory a row group's encoded pages take before they are flushed. */
export const ROW_GROUP_ROWS = 100_000;

type SchemaElement = ConstructorParameters<typeof ParquetWriter>[0]['schema'][number];

const LEAF: Record<ScalarType, Omit<SchemaElement, 'name' | 'repetition_type'>> = {
  double: { type: 'DOUBLE' },
  bigint: { type: 'INT64' },
  boolean: { type: 'BOOLEAN' },
  string: { type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' } },
  timestamp: { type: 'INT64', converted_type: 'TIMESTAMP_MILLIS', logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MILLIS' } },
};

/** The Parquet schema of the columns: every column optional; lists use the standard 3-level LIST layout. */
export function parquetSchema(columns: readonly Column[]): SchemaElement[] {
  const schema: SchemaElement[] = [{ name: 'root', num_children: columns.length }];
  for (const column of columns) {
    if (column.list) {
      schema.push(
        { name: column.name, repetition_type: 'OPTIONAL', converted_type: 'LIST', logical_type: { type: 'LIST' }, num_children: 1 },
        { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
        { name: 'element', repetition_type: 'OPTIONAL', ...LEAF[column.type] },
      );
    } else {
      schema.push({ name: column.name, repetition_type: 'OPTIONAL', ...LEAF[column.type] });
    }
  }
  return schema;
}

/**
 * Encodes columns as one Snappy-compressed Parquet file. Row groups are encoded as they fill, so the
 * encoded size of one group, not of the file, bounds the extra memory.
 */
export function writeParquet(columns: readonly Column[], metadata: Record<string, string> = {}): Uint8Array {
  const writer = new ByteWriter();
  const parquet = new ParquetWriter({
    writer,
    schema: parquetSchema(columns),
    codec: 'SNAPPY',
    kvMetadata: Object.entries(metadata).map(([key, value]) => ({ key, value })),
  });
  parquet.write({
    // Booleans PLAIN, not the RLE a V2 writer may choose: some readers still lack RLE-encoded booleans.
    columnData: columns.map((c) => ({ name: c.name, data: c.values as unknown[] as never, encoding: c.type === 'boolean' ? ('PLAIN' as const) : undefined })),
    rowGroupSize: ROW_GROUP_ROWS,
  });
  parquet.finish();
  return new Uint8Array(writer.getBuffer());
}
