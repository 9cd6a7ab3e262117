import type { CellValue, Column, ColumnValues } from '../../src/core/columns.js';
import { PlainStrings } from '../../src/parquet/index.js';
import { ColumnsBuilder } from '../../src/core/columns-builder.js';
import type { ColumnType } from '../../src/core/config.js';
import type { JsonRecord } from '../../src/core/records.js';

/** The columns of records, as the builder hands them over in one batch. */
export function columnsOf(records: readonly JsonRecord[], declared: Readonly<Record<string, ColumnType>> = {}): Column[] {
  let columns: Column[] = [];
  const builder = new ColumnsBuilder(declared, { rows: Infinity, onBatch: (batch) => (columns = batch) });
  builder.add(records);
  builder.finish();
  return columns;
}

/** The values as JavaScript values (null for a missing one), whatever their storage. */
export function cellsOf(values: ColumnValues): (CellValue | CellValue[])[] {
  if (values instanceof PlainStrings) {
    // Strictly: bytes that are not valid UTF-8 are a bug (TextDecoder would hide it as U+FFFD).
    const strict = new TextDecoder('utf-8', { fatal: true });
    return Array.from({ length: values.length }, (_, row) => {
      const bytes = values.bytesAt(row);
      return bytes === null ? null : strict.decode(bytes);
    });
  }
  return values instanceof Float64Array ? Array.from(values, (v) => (Number.isNaN(v) ? null : v)) : [...values];
}
