import type { ColumnType } from './config.js';
import { SchemaError } from './errors.js';
import { kindOf, type JsonRecord } from './records.js';

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
  readonly values: (CellValue | CellValue[])[];
}

/** `name type` as Athena would write it: `temp_c double`, `tags array<string>`. */
export function columnSignature(column: Pick<Column, 'name' | 'type' | 'list'>): string {
  return `${column.name} ${athenaType(column)}`;
}

/** The column's type as Athena writes it: `double`, `array<string>`. */
export function athenaType(column: Pick<Column, 'type' | 'list'>): string {
  return column.list ? `array<${column.type}>` : column.type;
}

/** Turns a JSON key path into an Athena-safe column name. */
export function columnName(path: readonly string[]): string {
  const name = path
    .join('_')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_');
  return /^[a-z]/.test(name) ? name : `c_${name}`;
}

type Kind = 'number' | 'string' | 'boolean' | 'array';

interface Builder {
  name: string;
  path: string;
  kind?: Kind;
  nested: boolean;
  elementKind?: Exclude<Kind, 'array'>;
  /** One slot per record, null until a value arrives (allocated whole: no growth, no holes). */
  values: unknown[];
}

/**
 * One node per distinct JSON key path, so the per-field work on every record is a Map lookup: the
 * column name, its collision check and its builder are computed once per path, not once per value.
 */
interface PathNode {
  readonly path: readonly string[];
  readonly children: Map<string, PathNode>;
  builder?: Builder;
}

/** Builds typed columns from records; `declared` maps column names to config-declared types. */
export function buildColumns(records: readonly JsonRecord[], declared: Readonly<Record<string, ColumnType>> = {}): Column[] {
  const builder = new ColumnsBuilder(records.length, declared);
  builder.add(records);
  return builder.finish();
}

/**
 * Builds typed columns from records added in batches, so a caller can parse a large response a slice at a
 * time and let each slice's objects go before the next. `rows` is the total number of records to come.
 */
export class ColumnsBuilder {
  private readonly builders = new Map<string, { builder: Builder; node: PathNode }>();
  private readonly root: PathNode = { path: [], children: new Map() };
  private row = 0;

  constructor(
    private readonly rows: number,
    private readonly declared: Readonly<Record<string, ColumnType>> = {},
  ) {}

  add(records: readonly JsonRecord[]): void {
    if (this.row + records.length > this.rows) throw new Error(`ColumnsBuilder was sized for ${this.rows} records, got more`);
    for (const record of records) this.visit(record, this.root, this.row++);
  }

  finish(): Column[] {
    const columns: Column[] = [];
    for (const { builder, node } of this.builders.values()) {
      // A key that is null in some records and an object in others is that object's columns, not a column of its own.
      if (builder.kind === undefined && node.children.size > 0) continue;
      columns.push(finish(builder, this.rows, this.declared[builder.name]));
    }
    return columns;
  }

  private visit(object: JsonRecord, node: PathNode, row: number): void {
    for (const key in object) {
      const value = object[key];
      let child = node.children.get(key);
      if (!child) {
        child = { path: [...node.path, key], children: new Map() };
        node.children.set(key, child);
      }
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
        this.visit(value as JsonRecord, child, row);
        continue;
      }
      const builder = (child.builder ??= builderFor(this.builders, child, row, this.rows));
      if (value === null || value === undefined) continue;
      // Fast path: a scalar of the type this column already has needs no further checks.
      if (typeof value !== builder.kind) noteKind(builder, value, row);
      builder.values[row] = value;
    }
  }
}

/** Glue and Athena refuse longer column names. */
export const MAX_COLUMN_NAME_LENGTH = 255;

function builderFor(builders: Map<string, { builder: Builder; node: PathNode }>, node: PathNode, row: number, rows: number): Builder {
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
  const builder: Builder = { name, path: dotted, nested: false, values: new Array<unknown>(rows).fill(null) };
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
  for (const element of value as unknown[]) {
    if (element === null) continue;
    const elementKind = scalarKind(element);
    if (!elementKind) {
      builder.nested = true; // arrays of objects or arrays are kept as JSON text
      return;
    }
    if (builder.elementKind && builder.elementKind !== elementKind) {
      throw new SchemaError(`list column "${builder.name}" mixes ${builder.elementKind} and ${elementKind} elements (record ${row}); declare it as "string" in source.columns`);
    }
    builder.elementKind = elementKind;
  }
}

const DEFAULT_TYPE: Record<Exclude<Kind, 'array'>, ScalarType> = { number: 'double', string: 'string', boolean: 'boolean' };

function finish(builder: Builder, rows: number, declared: ColumnType | undefined): Column {
  const raw = builder.values;
  if (builder.kind === 'array' && builder.nested) {
    return { name: builder.name, path: builder.path, type: 'string', list: false, values: raw.map((v) => (v == null ? null : JSON.stringify(v))) };
  }
  const list = builder.kind === 'array';
  const sourceKind = list ? builder.elementKind : (builder.kind as Exclude<Kind, 'array'> | undefined);
  const type: ScalarType = declared ?? (sourceKind ? DEFAULT_TYPE[sourceKind] : 'string');
  // The common case (a scalar stored as its JSON type) needs no conversion: hand the values over as they are.
  if (!list && sourceKind && DEFAULT_TYPE[sourceKind] === type) {
    return { name: builder.name, path: builder.path, type, list, values: raw as CellValue[] };
  }
  const convert = (value: unknown, row: number): CellValue => (value == null ? null : convertScalar(value, type, builder, row));
  const values = new Array<CellValue | CellValue[]>(rows);
  for (let i = 0; i < rows; i++) {
    const value = raw[i];
    values[i] = value == null ? null : list ? (value as unknown[]).map((v) => convert(v, i)) : convert(value, i);
  }
  return { name: builder.name, path: builder.path, type, list, values };
}

function convertScalar(value: unknown, type: ScalarType, builder: Builder, row: number): CellValue {
  const fail = (why: string): never => {
    throw new SchemaError(`column "${builder.name}" is declared ${type} but record ${row} holds ${kindOf(value)}: ${why}`);
  };
  switch (type) {
    case 'double':
      if (typeof value === 'number') return value;
      return fail('expected a JSON number');
    case 'bigint':
      if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
      if (typeof value === 'string' && /^-?\d+$/.test(value)) return BigInt(value);
      return fail('expected an integer within ±2^53 (or an integer string)');
    case 'boolean':
      if (typeof value === 'boolean') return value;
      return fail('expected true or false');
    case 'string':
      return typeof value === 'string' ? value : String(value);
    case 'timestamp': {
      if (typeof value === 'number' && Number.isFinite(value)) return Math.round(value * 1000); // epoch seconds
      const ms = typeof value === 'string' ? parseTimestampUtc(value) : NaN;
      if (!Number.isNaN(ms)) return ms;
      return fail('expected an ISO-8601 timestamp string or epoch seconds');
    }
  }
}

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

/**
 * Epoch ms of an ISO-8601 timestamp. A value without a zone is read as UTC, never as the machine's
 * local time (the Lambda and a laptop must agree); `YYYY-MM-DD HH:MM` is accepted as well.
 */
export function parseTimestampUtc(value: string): number {
  // Fast path for the common full form `YYYY-MM-DDTHH:MM:SS[.fff]Z`, which Date.parse reads as UTC.
  if (value.length >= 20 && value.length <= 24 && value.charCodeAt(10) === 84 /* T */ && value.endsWith('Z') && ISO_UTC.test(value)) return Date.parse(value);
  const match = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{1,2}):(\d{2})(:\d{2}(?:\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(value.trim());
  if (!match) return NaN;
  const [, date, h = '00', m = '00', s = ':00', zone = 'Z'] = match;
  return Date.parse(`${date}T${h.padStart(2, '0')}:${m}${s}${zone}`);
}
