import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
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
 * Runs SQL over the curated lake with DuckDB, the local stand-in for Athena (in UTC, as Athena runs). Each
 * table is a view of its name. A table the twin's catalog holds (`<lake>/_catalog/`) shows exactly the
 * catalog's columns with their Athena types, as Athena would: a column the catalog does not have yet is not
 * there, one that older files lack reads as NULL, and the partition keys have the catalog's types (`dt`
 * string, `hour` int). A table without a catalog (crawler mode) shows every column of its files, with `dt` and
 * `hour` as strings, as a crawler catalogs them.
 */
export async function queryLake(lakeDir: string, sql: string): Promise<QueryResult> {
  const tables = lakeTables(lakeDir);
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    await connection.run("SET TimeZone = 'UTC'");
    for (const table of tables) await connection.run(await viewOf(connection, table));
    const reader = await connection.runAndReadAll(sql);
    return { columns: reader.columnNames(), rows: reader.getRowObjectsJson() as Record<string, unknown>[] };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** The tables of the lake: every table of the twin's catalog, and every other curated directory (not bookkeeping such as `_schemas`). */
export function lakeTables(lakeDir: string): LakeTable[] {
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
