import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

export interface QueryResult {
  readonly columns: string[];
  readonly rows: Record<string, unknown>[];
}

/**
 * Runs SQL over the curated lake with DuckDB, the local stand-in for Athena. Every table directory
 * under `<lake>/curated/` is a view of that name over its Parquet files, with the Hive partitions `dt`
 * and `hour` as VARCHAR columns (as the Glue crawler catalogs them).
 */
export async function queryLake(lakeDir: string, sql: string): Promise<QueryResult> {
  const curated = resolve(lakeDir, 'curated');
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    for (const table of lakeTables(lakeDir)) {
      const glob = join(curated, table, '**', '*.parquet').replaceAll("'", "''");
      await connection.run(
        `CREATE VIEW "${table.replaceAll('"', '""')}" AS SELECT * FROM read_parquet('${glob}', hive_partitioning = true, hive_types_autocast = false, union_by_name = true)`,
      );
    }
    const reader = await connection.runAndReadAll(sql);
    return { columns: reader.columnNames(), rows: reader.getRowObjectsJson() as Record<string, unknown>[] };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** Names of the tables the lake holds: the curated directories, except bookkeeping ones such as `_schemas`. */
export function lakeTables(lakeDir: string): string[] {
  const curated = resolve(lakeDir, 'curated');
  if (!existsSync(curated)) return [];
  return readdirSync(curated, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !d.name.startsWith('_'))
    .map((d) => d.name);
}

/** A readable text table. */
export function formatTable(result: QueryResult, maxWidth = 40): string {
  const cell = (v: unknown) => {
    const text = v === null || v === undefined ? 'NULL' : typeof v === 'object' ? JSON.stringify(v) : String(v);
    return text.length > maxWidth ? `${text.slice(0, maxWidth - 1)}…` : text;
  };
  const cells = result.rows.map((row) => result.columns.map((c) => cell(row[c])));
  const widths = result.columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i]!.length)));
  const line = (values: string[]) => values.map((v, i) => v.padEnd(widths[i]!)).join(' | ');
  const rule = widths.map((w) => '-'.repeat(w)).join('-+-');
  const count = `(${result.rows.length} row${result.rows.length === 1 ? '' : 's'})`;
  return [line(result.columns), rule, ...cells.map(line), count].join('\n');
}

/** RFC 4180 CSV. */
export function formatCsv(result: QueryResult): string {
  const quote = (v: unknown) => {
    const text = v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
    return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  return [result.columns.map(quote).join(','), ...result.rows.map((r) => result.columns.map((c) => quote(r[c])).join(','))].join('\n');
}
