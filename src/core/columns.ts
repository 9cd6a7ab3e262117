import type { PlainStrings } from '../parquet/index.js';

/**
 * The columns of a table as the pipeline writes them: Athena-safe names, Athena's types. They are made by
 * ColumnsBuilder (flattening) and column-values.ts (type mapping); README "Type mapping" says how.
 */

/** Athena-facing scalar types. */
export type ScalarType = 'double' | 'bigint' | 'string' | 'boolean' | 'timestamp';

export type CellValue = number | bigint | string | boolean | null;

export interface Column {
  /** Athena-safe column name. */
  readonly name: string;
  /** The dotted JSON path it came from. */
  readonly path: string;
  readonly type: ScalarType;
  /** True for `array<type>` columns; their values are arrays (or null). */
  readonly list: boolean;
  readonly values: ColumnValues;
}

/**
 * A column's values, one per record: JavaScript values with null for a missing one, or, for doubles,
 * timestamps (epoch ms) and bigints read from JSON numbers, a Float64Array in which NaN is null (JSON has
 * no NaN). Numbers kept unboxed are most of what makes a large hour cheap to hold. A string column that got
 * long or non-ASCII strings from the JSON reader as bytes is PlainStrings: its text never becomes JavaScript strings.
 */
export type ColumnValues = readonly (CellValue | CellValue[])[] | Float64Array | PlainStrings;

/** `name type` as Athena would write it: `temp_c double`, `tags array<string>`. */
export function columnSignature(column: Pick<Column, 'name' | 'type' | 'list'>): string {
  return `${column.name} ${athenaType(column)}`;
}

/** The column's type as Athena writes it: `double`, `array<string>`. */
export function athenaType(column: Pick<Column, 'type' | 'list'>): string {
  return column.list ? `array<${column.type}>` : column.type;
}
