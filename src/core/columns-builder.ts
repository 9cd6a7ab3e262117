import type { RecordSink } from '../json-columns/index.js';
import { columnName, MAX_COLUMN_NAME_LENGTH } from './column-names.js';
import { columnOf, fillNaN, growNumbers, keepBytes, mayKeepBytes, timestampMillis, type ColumnState, type Kind } from './column-values.js';
import type { Column } from './columns.js';
import type { PlainStringsBuilder } from '../parquet/index.js';
import type { ColumnType } from './config.js';
import { SchemaError } from './errors.js';
import { kindOf, type JsonRecord } from './records.js';
import { inTimestampRange, isoUtcMillis } from './timestamps.js';

/**
 * One node per distinct JSON key path, so the per-field work on every record is a Map lookup: the column
 * name, its collision check and its state are computed once per path, not once per value.
 */
export interface PathNode {
  readonly path: readonly string[];
  readonly children: Map<string, PathNode>;
  column: ColumnState | undefined;
}

/**
 * Where the columns go: every `rows` records (and the last ones at `finish`), as one batch, so a large hour is
 * never held whole. The columns are valid only during the call: their storage is reused for the next batch.
 */
export interface ColumnBatches {
  readonly rows: number;
  /** `rows` records from `firstRow`; `columns` may be empty (records with no fields), never `rows`. */
  onBatch(columns: Column[], firstRow: number, rows: number): void;
}

/**
 * Flattens records into typed columns (README "Type mapping"): nested objects become columns named by their
 * full path (column-names.ts); two paths that map to one name are an error, never an overwrite. Records come
 * as parsed objects (`add`), or field by field from the JSON reader (this is its RecordSink). Row numbers count
 * from the first record of the hour; storage from the first record of the current batch.
 */
export class ColumnsBuilder implements RecordSink<PathNode> {
  private readonly columns = new Map<string, { column: ColumnState; node: PathNode }>();
  readonly root: PathNode = { path: [], children: new Map(), column: undefined };
  private rows = 0;
  /** The first row of the current batch. */
  private base = 0;
  private expected = 0;
  /**
   * True when a batch was handed over with a list column whose element types mix: it is JSON text only if a
   * later record holds an object or array in it, so the hour must be read again, held whole, to decide.
   */
  provisional = false;

  constructor(
    private readonly declared: Readonly<Record<string, ColumnType>>,
    private readonly batches: ColumnBatches,
  ) {}

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
    if (this.rows - this.base === this.batches.rows) {
      this.handOver(false);
      // The same storage for the next batch: nothing of a batch is left for the garbage collector.
      for (const { column } of this.columns.values()) {
        column.values.fill(null);
        column.plain?.reset();
        if (column.numbers !== null) fillNaN(column.numbers);
      }
    }
    return this.rows++;
  }

  /** Hands the records since the last batch over as the last batch. The one end of a builder. */
  finish(): void {
    if (this.rows > this.base) this.handOver(true);
  }

  child(node: PathNode, key: string): PathNode {
    let child = node.children.get(key);
    if (!child) {
      child = { path: [...node.path, key], children: new Map(), column: undefined };
      node.children.set(key, child);
    }
    return child;
  }

  /** Records a field's value (a scalar, an array, or null) in `row`; objects are walked by their fields instead. */
  set(node: PathNode, row: number, value: unknown): void {
    const column = (node.column ??= this.columnFor(node, row));
    if (value === null || value === undefined) return;
    if (column.text && (typeof value === 'number' || typeof value === 'boolean')) value = String(value);
    // Fast path: a scalar of the type this column already has needs no further checks.
    if (typeof value !== column.kind) noteKind(column, value, row);
    // noteKind has made sure every value of this column is a number, or every one a string
    if (typeof value === 'number') return this.store(column, row, value);
    if (typeof value === 'string' && column.timestamps) return this.store(column, row, timestampMillis(column, row, value));
    const at = row - this.base;
    // noteKind has made sure it is a string, or an array of a column of JSON text
    if (column.plain !== null) return column.plain.addString(at, typeof value === 'string' ? value : JSON.stringify(value));
    const values = column.values;
    while (values.length < at) values.push(null);
    values[at] = value;
  }

  /** Declared timestamps are read from their bytes, without making a string. */
  wantsBytes(node: PathNode): boolean {
    return this.declared[columnName(node.path)] === 'timestamp';
  }

  /** A timestamp in the common ISO form, read from its bytes; any other (year 0000 included) is declined, and its string's error quotes it. */
  setBytes(node: PathNode, row: number, text: Uint8Array, start: number, end: number): boolean {
    const ms = end - start <= 24 ? isoUtcMillis(text, start, end) : NaN;
    if (Number.isNaN(ms) || !inTimestampRange(ms)) return false;
    const column = (node.column ??= this.columnFor(node, row));
    if (column.kind !== 'string') noteKind(column, '', row);
    this.store(column, row, ms);
    return true;
  }

  /** A string's UTF-8 bytes: the column keeps them as bytes, unless it converts its strings to a declared type. */
  setUtf8(node: PathNode, row: number, bytes: Uint8Array, start: number, end: number): boolean {
    const column = (node.column ??= this.columnFor(node, row));
    const plain = this.plainOf(column);
    if (plain === null) return false;
    if (column.kind !== 'string') noteKind(column, '', row);
    plain.add(row - this.base, bytes, start, end);
    return true;
  }

  /** An array holding objects or arrays as its JSON text (what the column holds for it), kept as bytes. */
  setJson(node: PathNode, row: number, text: Uint8Array, start: number, end: number): boolean {
    const column = (node.column ??= this.columnFor(node, row));
    if (column.kind !== 'array') noteKind(column, EMPTY, row); // an error unless the column is (still) of arrays
    column.nested = true;
    const plain = this.plainOf(column);
    if (plain === null) return false;
    plain.add(row - this.base, text, start, end);
    return true;
  }

  /** The column's values as bytes, from now on if not yet; null if it converts them to a declared type. */
  private plainOf(column: ColumnState): PlainStringsBuilder | null {
    if (column.plain === null && mayKeepBytes(column, this.declared[column.name])) keepBytes(column, Math.min(this.expected, this.batches.rows));
    return column.plain;
  }

  private store(column: ColumnState, row: number, value: number): void {
    const at = row - this.base;
    const numbers = column.numbers !== null && at < column.numbers.length ? column.numbers : growNumbers(column, at, Math.min(this.expected, this.batches.rows));
    numbers[at] = value;
  }

  private handOver(last: boolean): void {
    const rows = this.rows - this.base;
    const columns: Column[] = [];
    for (const { column, node } of this.columns.values()) {
      // A key that is null in some records and an object in others is that object's columns, not a column of its own.
      if (column.kind === undefined && node.children.size > 0) continue;
      if (column.mixed !== undefined && !column.nested) {
        if (last) throw new SchemaError(`list column "${column.name}" mixes ${column.mixed}; declare it as "string" in source.columns`);
        this.provisional = true;
      }
      if (column.numbers === null && column.plain === null) {
        while (column.values.length < rows) column.values.push(null);
        if (column.values.length > rows) column.values.length = rows; // a last batch shorter than the others
      }
      columns.push(columnOf(column, rows, this.declared[column.name], this.base));
    }
    this.batches.onBatch(columns, this.base, rows);
    this.base = this.rows;
  }

  private columnFor(node: PathNode, row: number): ColumnState {
    const name = columnName(node.path);
    const dotted = node.path.join('.');
    if (name.length > MAX_COLUMN_NAME_LENGTH) {
      throw new SchemaError(
        `field "${dotted.slice(0, 60)}..." (record ${row}) becomes a column name of ${name.length} characters, over Athena's ${MAX_COLUMN_NAME_LENGTH}; read the records from a deeper source.recordsPath`,
      );
    }
    const existing = this.columns.get(name);
    if (existing) {
      throw new SchemaError(`fields "${existing.column.path}" and "${dotted}" both become column "${name}" (record ${row}); rename one upstream or read the records from another recordsPath`);
    }
    const declared = this.declared[name];
    const column: ColumnState = { name, path: dotted, kind: undefined, nested: false, elementKind: undefined, mixed: undefined, text: declared === 'string', values: [], numbers: null, timestamps: declared === 'timestamp', plain: null };
    this.columns.set(name, { column, node });
    return column;
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

function scalarKind(value: unknown): Exclude<Kind, 'array'> | undefined {
  const t = typeof value;
  return t === 'number' || t === 'string' || t === 'boolean' ? t : undefined;
}

/** An array with no elements, to note a column's kind as array. */
const EMPTY: readonly unknown[] = [];

/** Notes the JSON kind of a value; a second kind in one column is an error, unless it is declared string. */
function noteKind(column: ColumnState, value: unknown, row: number): void {
  const kind: Kind | undefined = Array.isArray(value) ? 'array' : scalarKind(value);
  if (!kind) throw new SchemaError(`column "${column.name}" holds an unsupported value (${kindOf(value)}) in record ${row}`);
  if (column.kind && column.kind !== kind) {
    throw new SchemaError(`column "${column.name}" (${column.path}) is ${column.kind} in an earlier record but ${kind} in record ${row}; declare it as "string" in source.columns to keep both`);
  }
  column.kind = kind;
  if (kind !== 'array' || column.nested) return;
  const elements = value as unknown[];
  // Any object or array anywhere in a list makes the column JSON text, whatever its other elements.
  if (elements.some((element) => element !== null && typeof element === 'object')) {
    column.nested = true;
    return;
  }
  for (const element of elements) {
    if (element === null) continue;
    const elementKind = scalarKind(element)!;
    if (column.elementKind && column.elementKind !== elementKind && !column.text) column.mixed ??= `${column.elementKind} and ${elementKind} elements (record ${row})`;
    column.elementKind ??= elementKind;
  }
}
