import { CatalogConflictError } from './errors.js';
import type { CallOptions, CatalogColumn, TableCatalog } from './ports.js';
import { LINEAGE_COLUMNS } from './steps/encode-hour.js';
import type { TableSchema } from './table-schema.js';

/** How the catalog's table changed for an hour: columns it did not have, and columns whose type it now has from the schema. */
export interface CatalogChange {
  /** `name type` of each column added. */
  readonly added: readonly string[];
  /** `name old -> new` of each column whose catalog type differed from the table's schema. */
  readonly retyped: readonly string[];
}

const LINEAGE = new Set<string>(Object.values(LINEAGE_COLUMNS));

/**
 * The columns the catalog should hold after `schema`: every column it holds (never one removed: Athena would
 * stop showing its data), with the schema's type where the two differ (the schema is what the files hold),
 * and the schema's columns it lacks, in the schema's order, before the lineage columns, which stay last.
 */
export function catalogColumnsFor(current: readonly CatalogColumn[], schema: TableSchema): { columns: CatalogColumn[] } & CatalogChange {
  const added: string[] = [];
  const retyped: string[] = [];
  const held = new Set(current.map((c) => c.name));
  const kept = current.map((column) => {
    const type = schema.columns[column.name]?.type;
    if (type === undefined || type === column.type) return column;
    retyped.push(`${column.name} ${column.type} -> ${type}`);
    return { name: column.name, type };
  });
  const fresh: CatalogColumn[] = [];
  for (const [name, { type }] of Object.entries(schema.columns)) {
    if (held.has(name)) continue;
    fresh.push({ name, type });
    added.push(`${name} ${type}`);
  }
  const columns = [...kept.filter((c) => !LINEAGE.has(c.name)), ...fresh.filter((c) => !LINEAGE.has(c.name)), ...kept.filter((c) => LINEAGE.has(c.name)), ...fresh.filter((c) => LINEAGE.has(c.name))];
  return { columns, added, retyped };
}

/** Read, merge, write attempts before a conflict is left to the state machine's retry. */
export const CATALOG_SYNC_ATTEMPTS = 3;

/**
 * Brings the catalog's table up to the table's schema, so an hour's new columns are queryable in Athena as soon
 * as its Parquet is written. Nothing is written when the table already holds every column with its type. Two
 * hours updating at once (a backfill) cannot lose each other's columns: a write is conditional on the version
 * read, and a conflict reads again.
 */
export async function syncCatalog(catalog: TableCatalog, schema: TableSchema, options: CallOptions = {}): Promise<CatalogChange> {
  // The change this hour meant to make. An update that went through but whose answer was lost (a retried
  // request then conflicts with its own new version) reads back as nothing to do: it is still this hour's change.
  let planned: CatalogChange | undefined;
  for (let attempt = 1; ; attempt++) {
    const { columns: current, version } = await catalog.readColumns(options);
    const next = catalogColumnsFor(current, schema);
    if (next.added.length === 0 && next.retyped.length === 0) return planned ?? { added: [], retyped: [] };
    planned ??= { added: next.added, retyped: next.retyped };
    try {
      await catalog.writeColumns(next.columns, version, options);
      return { added: next.added, retyped: next.retyped };
    } catch (error) {
      if (!(error instanceof CatalogConflictError) || attempt >= CATALOG_SYNC_ATTEMPTS) throw error;
    }
  }
}
