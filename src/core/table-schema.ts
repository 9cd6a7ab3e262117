import { SchemaError } from './errors.js';
import { athenaType, type Column } from './columns.js';
import { tableSchemaKey, type Hour } from './layout.js';

/**
 * The column types a table has had, remembered between hours. A column may appear or disappear
 * from one hour to the next (Athena reads missing columns as NULL), but never change type: that would
 * leave Parquet files of one table that Athena cannot read together.
 */
export interface TableSchema {
  readonly table: string;
  /** Column name -> its Athena type (`double`, `array<string>`, ...) and the first hour it was seen. */
  readonly columns: Readonly<Record<string, { readonly type: string; readonly since: string }>>;
}

/**
 * The table schema after `hour`, given the previous one and this hour's columns.
 * Throws a SchemaError naming every column whose type changed, both types and both hours.
 */
export function reconcileSchema(
  table: string,
  previous: TableSchema | undefined,
  hourColumns: readonly Pick<Column, 'name' | 'type' | 'list'>[],
  hour: Hour,
  declared: Readonly<Record<string, string>> = {},
): TableSchema {
  const columns: Record<string, { type: string; since: string }> = { ...(previous?.columns ?? {}) };
  const changed: string[] = [];
  let undeclared = false;
  for (const column of hourColumns) {
    const [name, type] = [column.name, athenaType(column)];
    const known = columns[name];
    if (!known) columns[name] = { type, since: hour.iso };
    else if (known.type !== type) {
      const isDeclared = declared[name] === column.type;
      undeclared ||= !isDeclared;
      changed.push(`"${name}" is ${known.type} since hour ${known.since} but ${type} in hour ${hour.iso}${isDeclared ? ` (source.columns declares it ${column.type})` : ''}`);
    }
  }
  if (changed.length) {
    const reprocess = `move ${tableSchemaKey(table)} aside and rewrite the table's earlier hours from raw with \`npx api-lake reprocess --from <first hour> --to <last hour>\``;
    throw new SchemaError(
      `column types of table ${table} changed: ${changed.join('; ')}. Nothing was written for this hour. ` +
        (undeclared ? `To keep both, declare the column's type in source.columns (for example "string"), then ${reprocess}.` : `To apply the declared type to every hour, ${reprocess}.`),
    );
  }
  return { table, columns };
}

/** Parses a stored schema; a damaged one is an error that names the object rather than a silent reset. */
export function parseTableSchema(body: Uint8Array, key: string): TableSchema {
  try {
    const parsed = JSON.parse(new TextDecoder().decode(body)) as TableSchema;
    if (typeof parsed?.table === 'string' && typeof parsed.columns === 'object' && parsed.columns !== null) return parsed;
  } catch {
    // fall through to the error below
  }
  throw new SchemaError(`the stored table schema ${key} is not valid JSON of the expected shape; restore it or move it aside`);
}
