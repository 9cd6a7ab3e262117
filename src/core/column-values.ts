import { PlainStringsBuilder } from '../parquet/index.js';
import type { CellValue, Column, ScalarType } from './columns.js';
import type { ColumnType } from './config.js';
import { SchemaError } from './errors.js';
import { kindOf } from './records.js';
import { inTimestampRange, parseTimestampUtc } from './timestamps.js';

/**
 * A column's values as they arrive, and as they are written: type mapping and conversion
 * (README "Type mapping"). JSON numbers are double unless the config declares the column, so 15 and 15.5 share a type;
 * arrays of scalars are lists, arrays holding objects or arrays JSON text; a column null in every record is
 * string, never a null type.
 */

export type Kind = 'number' | 'string' | 'boolean' | 'array';

/** What the builder knows of one column while records arrive: its JSON kind, and its values so far. */
export interface ColumnState {
  name: string;
  path: string;
  kind?: Kind;
  nested: boolean;
  elementKind?: Exclude<Kind, 'array'>;
  /**
   * The first mix of element types seen in this list column (`number and string elements (record 3)`). It is
   * an error only if no record holds an object or array in the list: then the column is JSON text, whatever
   * the order the records came in.
   */
  mixed?: string;
  /** Declared `string`: numbers and booleans are kept as their text, so a column may mix them with strings. */
  readonly text: boolean;
  /** One slot per record up to the last value seen (packed: missing values are null, never holes). */
  values: unknown[];
  /** The values of a column of JSON numbers instead, unboxed; NaN is null. */
  numbers: Float64Array | null;
  /** Declared `timestamp`: strings are read into `numbers` as epoch ms on arrival, not kept. */
  readonly timestamps: boolean;
  /**
   * The values of a string column as UTF-8 bytes instead, once the reader handed over one as bytes (long or
   * non-ASCII text, which decoding into a JavaScript string and encoding again cost most of the time of).
   */
  plain: PlainStringsBuilder | null;
}

/**
 * Whether a column may keep its strings as bytes: strings so far, or arrays of a column of JSON text, written
 * as such (not converted to a declared type).
 */
export function mayKeepBytes(builder: ColumnState, declared: ColumnType | undefined): boolean {
  const written = builder.kind === undefined || builder.kind === 'string' || (builder.kind === 'array' && builder.nested);
  return written && builder.numbers === null && (declared === undefined || declared === 'string');
}

/** Keeps a column's strings (or JSON text) as bytes from now on, those so far (`values`, `rows` of them) included. */
export function keepBytes(builder: ColumnState, rows: number): PlainStringsBuilder {
  const plain = new PlainStringsBuilder(rows);
  builder.values.forEach((value, row) => {
    if (value !== null) plain.addString(row, typeof value === 'string' ? value : JSON.stringify(value));
  });
  builder.values.length = 0;
  return (builder.plain = plain);
}

export function growNumbers(builder: ColumnState, row: number, expected: number): Float64Array {
  const old = builder.numbers;
  const numbers = fillNaN(new Float64Array(Math.max(1024, row + 1, (old?.length ?? 0) * 2, expected)));
  if (old) numbers.set(old);
  return (builder.numbers = numbers);
}

/** Fills with NaN (null) by doubling copies: TypedArray.fill with NaN takes several times longer in V8. */
export function fillNaN(numbers: Float64Array): Float64Array {
  if (numbers.length === 0) return numbers;
  numbers[0] = NaN;
  for (let filled = 1; filled < numbers.length; filled *= 2) numbers.copyWithin(filled, 0, Math.min(filled, numbers.length - filled));
  return numbers;
}

const DEFAULT_TYPE: Record<Exclude<Kind, 'array'>, ScalarType> = { number: 'double', string: 'string', boolean: 'boolean' };

/**
 * The column of `rows` records (from row `base` of the hour) as it is written: its type from the declaration or
 * from the JSON kind (numbers are double), its values converted to that type; arrays holding objects or
 * arrays as JSON text.
 */
export function columnOf(builder: ColumnState, rows: number, declared: ColumnType | undefined, base: number): Column {
  const { name, path } = builder;
  if (builder.plain !== null) return { name, path, type: 'string', list: false, values: builder.plain.finish(rows) };
  if (builder.kind === 'array' && builder.nested) {
    return { name, path, type: 'string', list: false, values: builder.values.map((v) => (v == null ? null : JSON.stringify(v))) };
  }
  const list = builder.kind === 'array';
  const sourceKind = list ? builder.elementKind : (builder.kind as Exclude<Kind, 'array'> | undefined);
  const type: ScalarType = declared ?? (sourceKind ? DEFAULT_TYPE[sourceKind] : 'string');
  const raw = (row: number): unknown => {
    if (builder.numbers === null) return builder.values[row];
    const value = builder.numbers[row];
    return value === undefined || Number.isNaN(value) ? null : value;
  };
  if (!list && (type === 'double' || type === 'timestamp' || (type === 'bigint' && sourceKind === 'number'))) {
    // Doubles, and timestamps read from strings on arrival, are in `numbers` as they will be written.
    const ready = builder.numbers !== null && (type === 'double' || (type === 'timestamp' && sourceKind === 'string'));
    const values = ready ? (builder.numbers!.length >= rows ? builder.numbers! : growNumbers(builder, rows - 1, rows)).subarray(0, rows) : fillNaN(new Float64Array(rows));
    if (!ready) {
      for (let row = 0; row < rows; row++) {
        const value = raw(row);
        if (value != null) values[row] = convertScalar(value, type, builder, base + row) as number;
      }
    }
    return { name, path, type, list, values };
  }
  // Values stored as their JSON type need no conversion: hand them over as they are.
  if (sourceKind && DEFAULT_TYPE[sourceKind] === type) return { name, path, type, list, values: builder.values as CellValue[] };
  const convert = (value: unknown, row: number): CellValue => (value == null ? null : convertScalar(value, type, builder, base + row));
  const values = new Array<CellValue | CellValue[]>(rows);
  for (let row = 0; row < rows; row++) {
    const value = raw(row);
    values[row] = value == null ? null : list ? (value as unknown[]).map((v) => convert(v, row)) : convert(value, row);
  }
  return { name, path, type, list, values };
}

function convertScalar(value: unknown, type: ScalarType, builder: ColumnState, row: number): CellValue {
  switch (type) {
    case 'double':
      if (typeof value === 'number') return value;
      return declaredTypeError(builder, type, row, value, 'expected a JSON number');
    case 'bigint':
      if (typeof value === 'number' && Number.isSafeInteger(value)) return value; // the Parquet writer stores it as INT64
      if (typeof value === 'string' && /^-?\d+$/.test(value)) {
        const integer = BigInt(value);
        if (integer >= INT64_MIN && integer <= INT64_MAX) return integer;
        return declaredTypeError(builder, type, row, value, 'an integer string beyond the 64-bit range (-9223372036854775808 to 9223372036854775807)');
      }
      return declaredTypeError(builder, type, row, value, BIGINT_EXPECTED);
    case 'boolean':
      if (typeof value === 'boolean') return value;
      return declaredTypeError(builder, type, row, value, 'expected true or false');
    case 'string':
      return typeof value === 'string' ? value : String(value);
    case 'timestamp': {
      if (typeof value === 'number' && Number.isFinite(value)) {
        const ms = Math.round(value * 1000); // epoch seconds
        return inTimestampRange(ms) ? ms : declaredTypeError(builder, type, row, value, TIMESTAMP_RANGE);
      }
      if (typeof value === 'string') return timestampMillis(builder, row, value);
      return declaredTypeError(builder, type, row, value, TIMESTAMP_EXPECTED);
    }
  }
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const BIGINT_EXPECTED = 'expected a JSON integer within ±2^53 (9007199254740991) or an integer string within the 64-bit range';
const TIMESTAMP_EXPECTED = 'expected an ISO-8601 timestamp string (a real date and time) or epoch seconds';
const TIMESTAMP_RANGE = 'outside the years 0001 to 9999, which every reader handles';

/** A declared timestamp string as epoch ms: a real date and time within the years 0001 to 9999, or a SchemaError naming the value. */
export function timestampMillis(builder: ColumnState, row: number, value: string): number {
  const ms = parseTimestampUtc(value);
  if (Number.isNaN(ms)) return declaredTypeError(builder, 'timestamp', row, value, TIMESTAMP_EXPECTED);
  return inTimestampRange(ms) ? ms : declaredTypeError(builder, 'timestamp', row, value, TIMESTAMP_RANGE);
}

function declaredTypeError(builder: ColumnState, type: ScalarType, row: number, value: unknown, why: string): never {
  throw new SchemaError(`column "${builder.name}" is declared ${type} but record ${row} holds ${kindOf(value)}: ${why}`);
}
