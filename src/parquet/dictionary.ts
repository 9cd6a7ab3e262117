import { DoubleIndex } from './double-index.js';
import { PlainStrings } from './plain-strings.js';
import type { ParquetColumn, ParquetValue } from './types.js';

/** A column whose distinct values take more than this is written PLAIN, not dictionary-encoded. */
export const MAX_DICTIONARY_BYTES = 1 << 20;
/**
 * Values seen before the dictionary is judged early: if more than 90% of them are distinct (ids, measurements
 * of many digits), the rest is not indexed. Not half: a column of 10,000 distinct values in 100,000 has about 63%
 * distinct in its first 10,000, and ended PLAIN, 30% larger than DuckDB's file of deeply nested records.
 */
const DICTIONARY_TRIAL = 10_000;
/** Mostly distinct at the trial: more than this many distinct values per value seen. */
const MOSTLY_DISTINCT = 0.9;

/** A chunk's distinct values and, for each non-null value in order, its index among them. */
export interface Dictionary {
  /** Strings of a PlainStrings column are their bytes as latin1 strings (`latin1`), one character a byte. */
  readonly values: (number | bigint | string)[];
  readonly latin1: boolean;
  readonly indices: Uint32Array;
  /** The first index not yet written to a data page. */
  next: number;
}

/**
 * The distinct values of rows [from, to) of a column and the index of every value, when dictionary
 * encoding pays: at most half the values distinct and at most MAX_DICTIONARY_BYTES of them (as other
 * writers do). Booleans are always PLAIN. Doubles are told apart by their bits (DoubleIndex), so -0 and 0 stay apart.
 */
export function buildDictionary(column: ParquetColumn, from: number, to: number): Dictionary | null {
  if (column.type === 'BOOLEAN') return null;
  const values: (number | bigint | string)[] = [];
  let indices: Uint32Array = new Uint32Array(to - from);
  let seen = 0;
  const cells = column.values;
  if (cells instanceof PlainStrings) {
    const index = new Map<string, number>();
    let bytes = 0;
    for (let row = from; row < to; row++) {
      if (cells.offsets[row]! < 0) continue;
      const key = cells.key(row);
      let i = index.get(key);
      if (i === undefined) {
        i = values.length;
        index.set(key, i);
        values.push(key);
        bytes += key.length + 4;
        if (bytes > MAX_DICTIONARY_BYTES) return null;
      }
      if (seen === indices.length) indices = grow(indices);
      indices[seen++] = i;
      if (seen === DICTIONARY_TRIAL && values.length > seen * MOSTLY_DISTINCT) return null;
    }
  } else if (cells instanceof Float64Array) {
    const distinct = new DoubleIndex();
    let bytes = 0;
    for (let row = from; row < to; row++) {
      const value = cells[row]!;
      if (Number.isNaN(value)) continue;
      const i = distinct.indexOf(value);
      if (distinct.isNew) {
        values.push(value);
        bytes += 8;
        if (bytes > MAX_DICTIONARY_BYTES) return null;
      }
      if (seen === indices.length) indices = grow(indices);
      indices[seen++] = i;
      if (seen === DICTIONARY_TRIAL && values.length > seen * MOSTLY_DISTINCT) return null;
    }
  } else {
    const index = new Map<ParquetValue, number>();
    let bytes = 0;
    const add = (value: ParquetValue) => {
      if (value === null) return true;
      let i = index.get(value);
      if (i === undefined) {
        i = values.length;
        index.set(value, i);
        values.push(value as number | bigint | string);
        bytes += typeof value === 'string' ? value.length + 4 : 8;
        if (bytes > MAX_DICTIONARY_BYTES) return false;
      }
      if (seen === indices.length) indices = grow(indices);
      indices[seen++] = i;
      return seen !== DICTIONARY_TRIAL || values.length <= seen * MOSTLY_DISTINCT;
    };
    for (let row = from; row < to; row++) {
      const value = cells[row]!;
      if (column.list) {
        if (value !== null) for (const element of value as readonly ParquetValue[]) if (!add(element)) return null;
      } else if (!add(value as ParquetValue)) return null;
    }
  }
  return values.length > 0 && values.length * 2 <= seen ? { values, latin1: cells instanceof PlainStrings, indices, next: 0 } : null;
}

function grow(indices: Uint32Array): Uint32Array {
  const larger = new Uint32Array(Math.max(16, indices.length * 2));
  larger.set(indices);
  return larger;
}
