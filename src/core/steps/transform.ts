import { ObjectNotFoundError } from '../errors.js';
import { advanceState, incrementalStateKey, readIncrementalState } from '../incremental.js';
import { curatedObjectKey, scheduledHour, tableSchemaKey } from '../layout.js';
import { parseTableSchema } from '../table-schema.js';
import type { SourceConfig } from '../config.js';
import { syncCatalog, type CatalogChange } from '../catalog-sync.js';
import type { ObjectStore, StepLogger, TableCatalog } from '../ports.js';
import type { TableSchema } from '../table-schema.js';
import { encodeHour } from './encode-hour.js';
import { readHourPages, type ChainResult } from './raw-pages.js';

export { encodeHour, LINEAGE_COLUMNS, type RawPage } from './encode-hour.js';

export interface TransformInput {
  readonly hour: string;
  /** The request chains the Map fetched for the hour: their pages' keys follow from the layout. */
  readonly chains?: readonly ChainResult[];
  /** Without chains: the raw keys to read (reprocess lists them), in any order. */
  readonly rawKeys?: readonly string[];
}

export interface TransformOutput {
  readonly table: string;
  /** Null when there were no records (nothing is written). */
  readonly curatedKey: string | null;
  readonly records: number;
  readonly bytes: number;
  /** How many columns the hour has. */
  readonly columnCount: number;
  /**
   * `name type` of the first OUTPUT_COLUMNS columns, for the operator and the run summary: a step's output
   * must stay within Step Functions' 256 KB, which 2,000 long column names would pass.
   */
  readonly columns: string[];
  /**
   * Present when the table changed for this hour (the state machine then sends a "schema changed" notice): the
   * columns the catalog's table gained (or, without a catalog to keep, the table's schema), at most OUTPUT_COLUMNS of them.
   */
  readonly schemaChange?: SchemaChange;
}

export interface SchemaChange {
  /** `name type` of the columns added (the first OUTPUT_COLUMNS). */
  readonly added: string[];
  readonly addedCount: number;
  readonly retypedCount: number;
  /** `name old -> new` of the columns whose catalog type was set from the table's schema (the first OUTPUT_COLUMNS). */
  readonly retyped: string[];
}

/** At most this many column signatures in the step output (255-character names: about 27 KB). */
export const OUTPUT_COLUMNS = 100;

export interface TransformDeps {
  readonly source: SourceConfig;
  readonly table: string;
  readonly raw: ObjectStore;
  readonly curated: ObjectStore;
  readonly now: () => number;
  readonly logger: StepLogger;
  /** The table in the data catalog, when the pipeline keeps it (`catalog.mode` "projection"); absent when a crawler does. */
  readonly catalog?: TableCatalog;
  /** The invocation's time budget (stepBudget): store calls fail as transient when it runs out. */
  readonly signal?: AbortSignal;
}

/**
 * The Transform step: raw JSON of one hour -> Snappy Parquet in the curated zone. The raw objects
 * are only read, so a failure here leaves them in place for reprocessing.
 */
export async function runTransformStep(input: TransformInput, deps: TransformDeps): Promise<TransformOutput> {
  const hour = scheduledHour(input?.hour);
  const { signal } = deps;
  const pages = await readHourPages(deps.source, hour, { chains: input?.chains, rawKeys: input?.rawKeys }, deps.raw, deps.logger, { signal });
  const schemaKey = tableSchemaKey(deps.table);
  const known = await deps.curated.get(schemaKey, { signal }).then(
    (object) => parseTableSchema(object.body, schemaKey),
    (error: Error) => {
      if (error instanceof ObjectNotFoundError) return undefined;
      throw error;
    },
  );
  const encoded = encodeHour(pages, { source: deps.source, table: deps.table, hour, ingestedAt: deps.now(), known });
  if (!encoded) {
    deps.logger.info('no records this hour: nothing written', { hour: hour.iso });
    return { table: deps.table, curatedKey: null, records: 0, bytes: 0, columnCount: 0, columns: [] };
  }
  const curatedKey = curatedObjectKey(deps.table, hour);
  await deps.curated.put(curatedKey, encoded.body, {
    contentType: 'application/vnd.apache.parquet',
    metadata: { source: deps.source.name, 'scheduled-hour': hour.iso, records: String(encoded.records) },
    signal,
  });
  await deps.curated.put(schemaKey, new TextEncoder().encode(JSON.stringify(encoded.schema, null, 2)), { contentType: 'application/json', signal });
  deps.logger.info('stored curated parquet', { curatedKey, records: encoded.records, bytes: encoded.body.byteLength });
  // The incremental cursor moves only after the hour's Parquet is stored, and only for a fetched hour: a reprocess
  // reads what was fetched then, and its concurrent hours must not race on the state.
  if (deps.source.incremental && input?.chains) {
    const key = incrementalStateKey(deps.source.name);
    const next = advanceState(await readIncrementalState(deps.curated, deps.source, { signal }), deps.source, hour, pages, deps.now());
    if (next) await deps.curated.put(key, new TextEncoder().encode(JSON.stringify(next, null, 2)), { contentType: 'application/json', signal });
  }
  // After the Parquet and the schema: a table column must never promise data that is not there yet.
  const change = deps.catalog ? await syncCatalog(deps.catalog, encoded.schema, { signal }) : schemaGrowth(known, encoded.schema);
  if (change.added.length || change.retyped.length) deps.logger.info('table schema changed', { table: deps.table, added: change.added, retyped: change.retyped });
  const { columns } = encoded;
  return {
    table: deps.table,
    curatedKey,
    records: encoded.records,
    bytes: encoded.body.byteLength,
    columnCount: columns.length,
    columns: columns.slice(0, OUTPUT_COLUMNS),
    schemaChange: change.added.length || change.retyped.length ? { added: change.added.slice(0, OUTPUT_COLUMNS), addedCount: change.added.length, retyped: change.retyped.slice(0, OUTPUT_COLUMNS), retypedCount: change.retyped.length } : undefined,
  };
}

/** Without a catalog to keep (a crawler keeps it), the columns new to the table's schema. */
function schemaGrowth(before: TableSchema | undefined, after: TableSchema): CatalogChange {
  const added = Object.entries(after.columns)
    .filter(([name]) => before?.columns[name] === undefined)
    .map(([name, { type }]) => `${name} ${type}`);
  return { added, retyped: [] };
}


