import type { ColumnType } from './config.js';
import { SchemaError } from './errors.js';
import { kindOf, type JsonRecord } from './records.js';
import { inTimestampRange, parseTimestampUtc } from './timestamps.js';

/**
 * Flattening and type mapping, in one pass over the records (README "Type mapping"):
 * - nested objects become columns named by their full path joined with `_`, lowercased and reduced
 *   to `[a-z0-9_]` (Athena's rule); two paths that map to one name are an error, never an overwrite;
 * - JSON numbers are DOUBLE unless the config declares the column, so 15 and 15.5 share a type;
 * - arrays of scalars become lists; arrays holding objects or arrays become JSON strings;
 * - a column null in every record is STRING, never a null type.
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
 * no NaN). Numbers kept unboxed are most of what makes a large hour cheap to hold.
 */
export type ColumnValues = readonly (CellValue | CellValue[])[] | Float64Array;

/** The values as JavaScript values (null for a missing one), whatever their storage. */
export function cellsOf(values: ColumnValues): (CellValue | CellValue[])[] {
  return values instanceof Float64Array ? Array.from(values, (v) => (Number.isNaN(v) ? null : v)) : [...values];
}

/** `name type` as Athena would write it: `temp_c double`, `tags array<string>`. */
export function columnSignature(column: Pick<Column, 'name' | 'type' | 'list'>): string {
  return `${column.name} ${athenaType(column)}`;
}

/** The column's type as Athena writes it: `double`, `array<string>`. */
export function athenaType(column: Pick<Column, 'type' | 'list'>): string {
  return column.list ? `array<${column.type}>` : column.type;
}

/** The Hive partition keys of every table (layout.ts): no column may take their names. */
export const PARTITION_KEYS = ['dt', 'hour'] as const;
/** A field that would become a partition key's name gets this prefix: OpenWeatherMap's `dt` becomes `source_dt`. */
export const RESERVED_NAME_PREFIX = 'source_';

/** Turns a JSON key path into an Athena-safe column name. */
export function columnName(path: readonly string[]): string {
  const name = path
    .join('_')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_');
  const safe = /^[a-z]/.test(name) ? name : `c_${name}`;
  return (PARTITION_KEYS as readonly string[]).includes(safe) ? `${RESERVED_NAME_PREFIX}${safe}` : safe;
}

type Kind = 'number' | 'string' | 'boolean' | 'array';

interface Builder {
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
}

/**
 * One node per distinct JSON key path, so the per-field work on every record is a Map lookup: the
 * column name, its collision check and its builder are computed once per path, not once per value.
 */
export interface PathNode {
  readonly key: string;
  readonly path: readonly string[];
  readonly children: Map<string, PathNode>;
  builder: Builder | undefined;
  /** The last record this path was seen in (a reader of JSON text uses it to spot duplicate keys). */
  row: number;
  /** The children in the order the last record listed them, so a reader can predict the next key. */
  order: PathNode[];
  /** A reader's own state for this path (its intern tables). */
  cache: object | undefined;
}

/** Builds typed columns from records; `declared` maps column names to config-declared types. */
export function buildColumns(records: readonly JsonRecord[], declared: Readonly<Record<string, ColumnType>> = {}): Column[] {
  const builder = new ColumnsBuilder(declared);
  builder.add(records);
  return builder.finish();
}

/**
 * Hands the columns over every `rows` records, so a large hour is never held whole. The columns are
 * valid only during the call: their storage is reused for the next batch.
 */
export interface ColumnBatches {
  readonly rows: number;
  /** `rows` records from `firstRow`; `columns` may be empty (records with no fields), never `rows`. */
  onBatch(columns: Column[], firstRow: number, rows: number): void;
}

/**
 * Builds typed columns from records added one at a time: as parsed objects (`add`), or field by field
 * by a reader of JSON text that never builds the objects (`nextRow`, `child`, `set`). Row numbers
 * count from the first record of the hour; storage from the first record of the current batch.
 */
export class ColumnsBuilder {
  private readonly builders = new Map<string, { builder: Builder; node: PathNode }>();
  readonly root: PathNode = newNode('', []);
  private rows = 0;
  /** The first row of the current batch. */
  private base = 0;
  private expected = 0;

  constructor(
    private readonly declared: Readonly<Record<string, ColumnType>> = {},
    private readonly batches?: ColumnBatches,
  ) {}

  /** A hint: about this many records in all, so columns are allocated once rather than grown. */
  expect(rows: number): void {
    this.expected = Math.max(this.expected, Math.min(rows, 1 << 24));
  }

  /** Number of records so far. */
  get count(): number {
    return this.rows;
  }

  add(records: readonly JsonRecord[]): void {
    for (const record of records) this.visit(record, this.root, this.nextRow());
  }

  /** Starts the next record and returns its row number (handing a full batch over first). */
  nextRow(): number {
    if (this.batches !== undefined && this.rows - this.base === this.batches.rows) {
      this.batches.onBatch(this.columns(), this.base, this.rows - this.base);
      this.base = this.rows;
      // The same storage for the next batch: nothing of a batch is left for the garbage collector.
      for (const { builder } of this.builders.values()) {
        builder.values.fill(null);
        if (builder.numbers !== null) fillNaN(builder.numbers);
      }
    }
    return this.rows++;
  }

  /** The node of `key` under `node`, created on first sight. */
  child(node: PathNode, key: string): PathNode {
    let child = node.children.get(key);
    if (!child) {
      child = newNode(key, [...node.path, key]);
      node.children.set(key, child);
    }
    return child;
  }

  /** Records a field's value (a scalar, an array, or null) in `row`; objects are walked by their fields instead. */
  set(node: PathNode, row: number, value: unknown): void {
    const builder = (node.builder ??= builderFor(this.builders, node, row, this.declared));
    if (value === null || value === undefined) return;
    if (builder.text && (typeof value === 'number' || typeof value === 'boolean')) value = String(value);
    // Fast path: a scalar of the type this column already has needs no further checks.
    if (typeof value !== builder.kind) noteKind(builder, value, row);
    // noteKind has made sure every value of this column is a number, or every one a string
    if (typeof value === 'number') return this.store(builder, row, value);
    if (typeof value === 'string' && builder.timestamps) return this.store(builder, row, timestampMillis(builder, row, value));
    const values = builder.values;
    const at = row - this.base;
    while (values.length < at) values.push(null);
    values[at] = value;
  }

  /** Whether strings of this path are read as timestamps (declared so), for a reader that can parse them itself. */
  isTimestamp(node: PathNode): boolean {
    return node.builder !== undefined && node.builder.timestamps;
  }

  /** A timestamp string of `node` (isTimestamp), already read as epoch ms. */
  setTimestamp(node: PathNode, row: number, ms: number): void {
    const builder = node.builder!;
    if (builder.kind !== 'string') noteKind(builder, '', row);
    this.store(builder, row, ms);
  }

  private store(builder: Builder, row: number, value: number): void {
    const at = row - this.base;
    const numbers = builder.numbers !== null && at < builder.numbers.length ? builder.numbers : growNumbers(builder, at, Math.min(this.expected, this.batches?.rows ?? Infinity));
    numbers[at] = value;
  }

  /** The columns of the records since the last batch (all of them, without batches). */
  finish(): Column[] {
    return this.columns(true);
  }

  /** Hands the records since the last batch over as the last batch (with batches). */
  end(): void {
    if (this.batches !== undefined && this.rows > this.base) this.batches.onBatch(this.columns(true), this.base, this.rows - this.base);
    this.base = this.rows;
  }

  /**
   * True when a batch was handed over with a list column whose element types mix: it is JSON text only if a
   * later record holds an object or array in it, so the hour must be read again, held whole, to decide.
   */
  provisional = false;

  private columns(last = false): Column[] {
    const rows = this.rows - this.base;
    const columns: Column[] = [];
    for (const { builder, node } of this.builders.values()) {
      // A key that is null in some records and an object in others is that object's columns, not a column of its own.
      if (builder.kind === undefined && node.children.size > 0) continue;
      if (builder.mixed !== undefined && !builder.nested) {
        if (last) throw new SchemaError(`list column "${builder.name}" mixes ${builder.mixed}; declare it as "string" in source.columns`);
        this.provisional = true;
      }
      if (builder.numbers === null) {
        while (builder.values.length < rows) builder.values.push(null);
        if (builder.values.length > rows) builder.values.length = rows; // a last batch shorter than the others
      }
      columns.push(finish(builder, rows, this.declared[builder.name], this.base));
    }
    return columns;
  }

  private visit(object: JsonRecord, node: PathNode, row: number): void {
    for (const key in object) {
      const value = object[key];
      const child = this.child(node, key);
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) this.visit(value as JsonRecord, child, row);
      else this.set(child, row, value);
    }
  }
}

function growNumbers(builder: Builder, row: number, expected: number): Float64Array {
  const old = builder.numbers;
  const numbers = fillNaN(new Float64Array(Math.max(1024, row + 1, (old?.length ?? 0) * 2, expected)));
  if (old) numbers.set(old);
  return (builder.numbers = numbers);
}

/** Fills with NaN (null) by doubling copies: TypedArray.fill with NaN takes several times longer in V8. */
function fillNaN(numbers: Float64Array): Float64Array {
  if (numbers.length === 0) return numbers;
  numbers[0] = NaN;
  for (let filled = 1; filled < numbers.length; filled *= 2) numbers.copyWithin(filled, 0, Math.min(filled, numbers.length - filled));
  return numbers;
}

function newNode(key: string, path: readonly string[]): PathNode {
  // Every field set from the start, so all nodes share one shape (monomorphic property access).
  return { key, path, children: new Map(), builder: undefined, row: -1, order: [], cache: undefined };
}

/** Glue and Athena refuse longer column names. */
export const MAX_COLUMN_NAME_LENGTH = 255;

function builderFor(builders: Map<string, { builder: Builder; node: PathNode }>, node: PathNode, row: number, declared: Readonly<Record<string, ColumnType>>): Builder {
  const name = columnName(node.path);
  const dotted = node.path.join('.');
  if (name.length > MAX_COLUMN_NAME_LENGTH) {
    throw new SchemaError(
      `field "${dotted.slice(0, 60)}..." (record ${row}) becomes a column name of ${name.length} characters, over Athena's ${MAX_COLUMN_NAME_LENGTH}; read the records from a deeper source.recordsPath`,
    );
  }
  const existing = builders.get(name);
  if (existing) {
    throw new SchemaError(`fields "${existing.builder.path}" and "${dotted}" both become column "${name}" (record ${row}); rename one upstream or read the records from another recordsPath`);
  }
  const timestamps = declared[name] === 'timestamp';
  const text = declared[name] === 'string';
  const builder: Builder = { name, path: dotted, kind: undefined, nested: false, elementKind: undefined, mixed: undefined, text, values: [], numbers: null, timestamps };
  builders.set(name, { builder, node });
  return builder;
}

function scalarKind(value: unknown): Exclude<Kind, 'array'> | undefined {
  const t = typeof value;
  return t === 'number' || t === 'string' || t === 'boolean' ? t : undefined;
}

function noteKind(builder: Builder, value: unknown, row: number): void {
  const kind: Kind | undefined = Array.isArray(value) ? 'array' : scalarKind(value);
  if (!kind) throw new SchemaError(`column "${builder.name}" holds an unsupported value (${kindOf(value)}) in record ${row}`);
  if (builder.kind && builder.kind !== kind) {
    throw new SchemaError(`column "${builder.name}" (${builder.path}) is ${builder.kind} in an earlier record but ${kind} in record ${row}; declare it as "string" in source.columns to keep both`);
  }
  builder.kind = kind;
  if (kind !== 'array' || builder.nested) return;
  const elements = value as unknown[];
  // Any object or array anywhere in a list makes the column JSON text, whatever its other elements.
  if (elements.some((element) => element !== null && typeof element === 'object')) {
    builder.nested = true;
    return;
  }
  for (const element of elements) {
    if (element === null) continue;
    const elementKind = scalarKind(element)!;
    if (builder.elementKind && builder.elementKind !== elementKind && !builder.text) builder.mixed ??= `${builder.elementKind} and ${elementKind} elements (record ${row})`;
    builder.elementKind ??= elementKind;
  }
}

const DEFAULT_TYPE: Record<Exclude<Kind, 'array'>, ScalarType> = { number: 'double', string: 'string', boolean: 'boolean' };

function finish(builder: Builder, rows: number, declared: ColumnType | undefined, base: number): Column {
  const { name, path } = builder;
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

function convertScalar(value: unknown, type: ScalarType, builder: Builder, row: number): CellValue {
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
function timestampMillis(builder: Builder, row: number, value: string): number {
  const ms = parseTimestampUtc(value);
  if (Number.isNaN(ms)) return declaredTypeError(builder, 'timestamp', row, value, TIMESTAMP_EXPECTED);
  return inTimestampRange(ms) ? ms : declaredTypeError(builder, 'timestamp', row, value, TIMESTAMP_RANGE);
}

function declaredTypeError(builder: Builder, type: ScalarType, row: number, value: unknown, why: string): never {
  throw new SchemaError(`column "${builder.name}" is declared ${type} but record ${row} holds ${kindOf(value)}: ${why}`);
}
