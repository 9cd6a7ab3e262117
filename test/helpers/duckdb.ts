import { DuckDBInstance } from '@duckdb/node-api';

/** Reads a Parquet file with DuckDB (an independent reader): column types and rows as JSON-safe values. */
export async function readParquet(path: string, sql = 'SELECT * FROM t'): Promise<{ types: Record<string, string>; rows: Record<string, unknown>[] }> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    await connection.run(`CREATE VIEW t AS SELECT * FROM read_parquet('${path.replaceAll("'", "''")}')`);
    const described = (await connection.runAndReadAll('DESCRIBE t')).getRowObjectsJson();
    const types = Object.fromEntries(described.map((r) => [String(r.column_name), String(r.column_type)]));
    const rows = (await connection.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
    return { types, rows };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
