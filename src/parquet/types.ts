import type { PlainStrings } from './plain-strings.js';

/** What a column's values are written as: a Parquet physical type with, for strings and timestamps, its logical type. */
export type ParquetType = 'DOUBLE' | 'INT64' | 'TIMESTAMP_MILLIS' | 'STRING' | 'BOOLEAN';

/** One value as the writer takes it; an INT64 or TIMESTAMP_MILLIS is a safe-integer number or a bigint. */
export type ParquetValue = number | bigint | string | boolean | null;

/**
 * One column of a row group, every column optional. A list column (`list: true`) is written in the
 * standard 3-level LIST layout: `optional group <name> (LIST) { repeated group list { optional <type> element } }`.
 */
export interface ParquetColumn {
  readonly name: string;
  readonly type: ParquetType;
  readonly list: boolean;
  /**
   * One entry per row: a value or null (an array of them for a list column); or, for a DOUBLE, INT64 or
   * TIMESTAMP_MILLIS column, a Float64Array in which NaN is null (numbers kept unboxed); or, for a STRING
   * column that is not a list, PlainStrings (UTF-8 bytes already in a PLAIN page's layout).
   */
  readonly values: readonly (ParquetValue | readonly ParquetValue[])[] | Float64Array | PlainStrings;
}
