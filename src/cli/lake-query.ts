import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  DuckDBInstance,
  DuckDBTimestampMillisecondsValue,
  DuckDBTimestampNanosecondsValue,
  DuckDBTimestampSecondsValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  JsonDuckDBValueConverter,
  type DuckDBConnection,
  type DuckDBValue,
  type DuckDBValueConverter,
  type Json,
} from '@duckdb/node-api';
import type { GlueTableFile } from '../adapters/local/fs-catalog.js';
import { lakePaths } from '../adapters/local/lake-paths.js';
import { UsageError } from './args.js';
import type { QueryResult } from './format.js';

export type { QueryResult } from './format.js';

/** A table of the lake as a query sees it: from the twin's catalog when it keeps one, else inferred from the files. */
export interface LakeTable {
  readonly name: string;
  /** The curated directory its Parquet files are under. */
  readonly dir: string;
  /** The table as the twin's catalog holds it (`catalog.mode` "projection"); undefined for a table a crawler would catalog. */
  readonly catalog?: GlueTableFile;
}

/**
 * How a query's values come back. `text` (the default): DuckDB's own text for timestamps, dates, BIGINT and
 * DECIMAL, as `getRowObjectsJson` gives them (`"2026-11-25 18:00:00"`, `"42"`), which the table and CSV print.
 * `json`, for `--json`: timestamps ISO 8601 in UTC (see `isoTimestamp`), integers of any width as numbers within
 * ±2^53 and as strings beyond.
 */
export type QueryValues = 'text' | 'json';

/**
 * Runs one SQL statement over the curated lake with DuckDB, the local stand-in for Athena (in UTC, as Athena
 * runs); more than one is a UsageError. Each table is a view of its name. A table the twin's catalog holds (`<lake>/_catalog/`) shows exactly the
 * catalog's columns with their Athena types, as Athena would: a column the catalog does not have yet is not
 * there, one that older files lack reads as NULL, and the partition keys have the catalog's types (`dt`
 * string, `hour` int). A table without a catalog (crawler mode) shows every column of its files, with `dt` and
 * `hour` as strings, as a crawler catalogs them.
 */
export async function queryLake(lakeDir: string, sql: string, options: { readonly values?: QueryValues } = {}): Promise<QueryResult> {
  const tables = lakeTables(lakeDir);
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    await connection.run("SET TimeZone = 'UTC'");
    for (const table of tables) await connection.run(await viewOf(connection, table));
    const reader = await (await onlyStatement(connection, sql)).runAndReadAll();
    const rows = options.values === 'json' ? reader.convertRowObjects(jsonValue) : reader.getRowObjectsJson();
    return { columns: reader.columnNames(), types: reader.columnTypes().map(String), rows: rows as Record<string, unknown>[] };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/**
 * The one statement of `sql`, prepared. DuckDB's parser counts them, so a ';' inside a string literal or a comment
 * does not, and a trailing ';' is one statement; more than one is refused rather than run in part.
 */
async function onlyStatement(connection: DuckDBConnection, sql: string) {
  let statements;
  try {
    statements = await connection.extractStatements(sql);
  } catch (error) {
    const message = (error as Error).message;
    // A parse error, as running the SQL would give it; otherwise DuckDB found no statement at all.
    if (message.startsWith('Failed to extract statements: ')) throw new Error(message.slice('Failed to extract statements: '.length), { cause: error });
    throw new UsageError('the SQL holds no statement: give one, such as "SHOW TABLES"', undefined, { cause: error });
  }
  if (statements.count > 1) {
    throw new UsageError(`the SQL holds ${statements.count} statements: api-lake query runs one at a time (a trailing ';' is fine)`);
  }
  return statements.prepare(0);
}

/** A value as `--json` gives it: integers as numbers while exact, timestamps ISO 8601; everything else as DuckDB's JSON converter gives it. */
const jsonValue: DuckDBValueConverter<Json> = (value, type, converter) => {
  if (typeof value === 'bigint') return value >= -MAX_SAFE && value <= MAX_SAFE ? Number(value) : String(value);
  const nanos = epochNanos(value);
  if (nanos !== undefined) return isoTimestamp(nanos) ?? String(value);
  return JsonDuckDBValueConverter(value, type, converter);
};
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** Nanoseconds since the epoch of a timestamp of any precision (TIMESTAMP WITH TIME ZONE is an instant too). */
function epochNanos(value: DuckDBValue): bigint | undefined {
  if (value instanceof DuckDBTimestampValue || value instanceof DuckDBTimestampTZValue) return value.micros * 1_000n;
  if (value instanceof DuckDBTimestampMillisecondsValue) return value.millis * 1_000_000n;
  if (value instanceof DuckDBTimestampSecondsValue) return value.seconds * NANOS_PER_SECOND;
  if (value instanceof DuckDBTimestampNanosecondsValue) return value.nanos;
  return undefined;
}
const NANOS_PER_SECOND = 1_000_000_000n;

/**
 * ISO 8601 in UTC as JavaScript's `toISOString` writes it (`2026-11-25T18:00:00.000Z`), with 6 or 9 fraction digits
 * when the value has microseconds or nanoseconds, so nothing is cut. Undefined outside the years a Date holds
 * (±275760, so also for DuckDB's `infinity`): such a value stays DuckDB's text.
 */
export function isoTimestamp(epochNanos: bigint): string | undefined {
  let seconds = epochNanos / NANOS_PER_SECOND;
  let fraction = epochNanos % NANOS_PER_SECOND;
  if (fraction < 0n) [seconds, fraction] = [seconds - 1n, fraction + NANOS_PER_SECOND];
  const date = new Date(Number(seconds) * 1000);
  if (Number.isNaN(date.getTime())) return undefined;
  let digits = fraction.toString().padStart(9, '0');
  while (digits.length > 3 && digits.endsWith('000')) digits = digits.slice(0, -3);
  return `${date.toISOString().slice(0, -'.000Z'.length)}.${digits}Z`;
}

/**
 * The tables of the lake: every table of the twin's catalog, and every other curated directory (not bookkeeping
 * such as `_schemas`). None for a lake no run has written to yet; a UsageError if `lakeDir` is not a directory.
 */
export function lakeTables(lakeDir: string): LakeTable[] {
  checkLakeDir(lakeDir);
  const { curated, catalog } = lakePaths(lakeDir);
  const tables = new Map<string, LakeTable>();
  for (const database of existsSync(catalog) ? readdirSync(catalog, { withFileTypes: true }).filter((d) => d.isDirectory()) : []) {
    for (const file of readdirSync(join(catalog, database.name)).filter((f) => f.endsWith('.json'))) {
      const path = join(catalog, database.name, file);
      const table = readCatalogFile(path);
      const other = tables.get(table.Name);
      if (other) throw new UsageError(`two catalogs of this lake hold a table ${table.Name} (${other.catalog?.DatabaseName} and ${table.DatabaseName}): give each config its own --lake`);
      tables.set(table.Name, { name: table.Name, dir: join(curated, prefixOf(table, path)), catalog: table });
    }
  }
  if (existsSync(curated)) {
    for (const d of readdirSync(curated, { withFileTypes: true })) {
      if (d.isDirectory() && !d.name.startsWith('_') && !tables.has(d.name)) tables.set(d.name, { name: d.name, dir: join(curated, d.name) });
    }
  }
  return [...tables.values()];
}

function checkLakeDir(lakeDir: string): void {
  const where = '(the default, ./lake, is where `npm start` and `npx api-lake run` write; --lake DIR reads another lake)';
  if (!existsSync(lakeDir)) throw new UsageError(`the lake directory ${lakeDir} does not exist ${where}`);
  if (!statSync(lakeDir).isDirectory()) throw new UsageError(`the lake ${lakeDir} is a file, not a directory ${where}`);
}

function readCatalogFile(path: string): GlueTableFile {
  try {
    const table = JSON.parse(readFileSync(path, 'utf8')) as GlueTableFile;
    if (typeof table?.Name === 'string' && Array.isArray(table.StorageDescriptor?.Columns)) return table;
  } catch {
    // named below
  }
  throw new UsageError(`${path} is not a table of the twin's catalog: restore it, or delete it (the next run creates it again from the stack)`);
}

/** The table's prefix in the curated zone, from its location `s3://<bucket>/<prefix>`. */
function prefixOf(table: GlueTableFile, path: string): string {
  const match = /^s3:\/\/[^/]+\/(.*)$/.exec(String(table.StorageDescriptor.Location ?? ''));
  if (!match) throw new UsageError(`${path}: the table's location ${String(table.StorageDescriptor.Location)} is not an s3:// location`);
  return match[1]!;
}

const quoted = (name: string) => `"${name.replaceAll('"', '""')}"`;
const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;

/** DuckDB's type for an Athena (Hive DDL) type. */
export function duckdbType(athena: string): string {
  const list = /^array<(.+)>$/.exec(athena);
  if (list) return `${duckdbType(list[1]!)}[]`;
  const scalar: Record<string, string> = { double: 'DOUBLE', bigint: 'BIGINT', int: 'INTEGER', string: 'VARCHAR', boolean: 'BOOLEAN', timestamp: 'TIMESTAMP', date: 'DATE' };
  const type = scalar[athena];
  if (!type) throw new UsageError(`the twin's catalog holds a column of type ${athena}, which api-lake query does not map`);
  return type;
}

async function viewOf(connection: DuckDBConnection, table: LakeTable): Promise<string> {
  const glob = literal(join(table.dir, '**', '*.parquet'));
  const files = existsSync(table.dir) ? `read_parquet(${glob}, hive_partitioning = true, hive_types_autocast = false, union_by_name = true)` : undefined;
  if (!table.catalog) return `CREATE VIEW ${quoted(table.name)} AS SELECT * FROM ${files}`;
  const present = new Set<string>();
  if (files) {
    try {
      const described = await connection.runAndReadAll(`DESCRIBE SELECT * FROM ${files}`);
      for (const row of described.getRowObjectsJson()) present.add(String(row.column_name));
    } catch {
      // no Parquet file yet: every column reads as NULL, and the view has no rows
    }
  }
  const columns = [...table.catalog.StorageDescriptor.Columns, ...(table.catalog.PartitionKeys ?? [])].map(({ Name, Type }) =>
    present.has(Name) ? `CAST(${quoted(Name)} AS ${duckdbType(Type)}) AS ${quoted(Name)}` : `CAST(NULL AS ${duckdbType(Type)}) AS ${quoted(Name)}`,
  );
  return `CREATE VIEW ${quoted(table.name)} AS SELECT ${columns.join(', ')} FROM ${present.size ? files : '(SELECT 1) WHERE false'}`;
}
