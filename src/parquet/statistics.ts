import { ByteSink } from './byte-sink.js';
import { Statistics } from './format.js';
import { binary, i64, struct, type StructValue } from './thrift.js';
import { PlainStrings } from './plain-strings.js';
import type { ParquetColumn, ParquetValue } from './types.js';

/**
 * Column-chunk statistics: null count, and min/max for numbers and timestamps (Athena skips row groups by them).
 * For a list column they describe its element leaf: every level entry that holds no element (a null list,
 * an empty list, a null element) counts as a null, as Arrow's and parquet-mr's writers count them.
 */
export function statistics(column: ParquetColumn, from: number, to: number): { struct: StructValue } {
  let nulls = 0;
  let min: number | bigint | undefined;
  let max: number | bigint | undefined;
  const ordered = column.type !== 'STRING' && column.type !== 'BOOLEAN';
  const cells = column.values;
  if (cells instanceof PlainStrings) {
    for (let row = from; row < to; row++) if (cells.offsets[row]! < 0) nulls++;
  } else if (column.list) {
    for (let row = from; row < to; row++) {
      const list = (cells as readonly (ParquetValue | readonly ParquetValue[])[])[row] as readonly ParquetValue[] | null;
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
      const value = cells[row] as ParquetValue;
      if (value === null) nulls++;
      else if (ordered) {
        const v = value as number | bigint;
        if (min === undefined || v < min) min = v;
        if (max === undefined || v > max) max = v;
      }
    }
  }
  if (min === undefined || max === undefined) return struct(Statistics, { null_count: i64(nulls) });
  // parquet-format: a zero minimum is written as -0.0 and a zero maximum as +0.0.
  if (column.type === 'DOUBLE' && min === 0) min = -0;
  if (column.type === 'DOUBLE' && max === 0) max = 0;
  const encode = (value: number | bigint) => {
    const bytes = new ByteSink(8);
    if (column.type === 'DOUBLE') bytes.f64(value as number);
    else bytes.i64(value);
    return bytes.contents();
  };
  return struct(Statistics, { null_count: i64(nulls), max_value: binary(encode(max)), min_value: binary(encode(min)) });
}

