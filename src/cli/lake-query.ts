import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { lakePaths } from '../adapters/local/lake-paths.js';
import { DuckDBInstance } from '@duckdb/node-api';

import type { QueryResult } from './format.js';

export type { QueryResult } from './format.js';

/**
 * Runs SQL over the curated lake with DuckDB, the local stand-in for Athena. Every table directory
 * under `<lake>/curated/` is a view of that name over its Parquet files, with the Hive partitions `dt`
 * and `hour` as VARCHAR columns (as the Glue crawler catalogs them).
 */
export async function queryLake(lakeDir: string, sql: string): Promise<QueryResult> {
  const { curated } = lakePaths(lakeDir);
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
  const { curated } = lakePaths(lakeDir);
  if (!existsSync(curated)) return [];
  return readdirSync(curated, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !d.name.startsWith('_'))
    .map((d) => d.name);
}
