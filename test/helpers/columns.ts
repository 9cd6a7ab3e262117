import type { CellValue, Column, ColumnValues } from '../../src/core/columns.js';
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
  return values instanceof Float64Array ? Array.from(values, (v) => (Number.isNaN(v) ? null : v)) : [...values];
}
