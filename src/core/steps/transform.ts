import { ColumnsBuilder, columnSignature, type Column } from '../columns.js';
import type { SourceConfig } from '../config.js';
import { ObjectNotFoundError, SchemaError } from '../errors.js';
import { curatedObjectKey, scheduledHour, tableSchemaKey, type Hour } from '../layout.js';
import { parseTableSchema, reconcileSchema, type TableSchema } from '../table-schema.js';
import { writeParquet } from '../parquet.js';
import type { ObjectStore, StepLogger } from '../ports.js';
import { readRecordsInto } from '../json-columns.js';
import { extractRecords, parseJsonBody } from '../records.js';

/** Lineage columns added to every row. Named without a leading `_`, which Athena would make you quote. */
export const LINEAGE_COLUMNS = {
  scheduledHour: 'lake_scheduled_hour',
  ingestedAt: 'lake_ingested_at',
  rawKey: 'lake_raw_key',
} as const;

export interface TransformInput {
  readonly hour: string;
  readonly rawKeys: readonly string[];
}

export interface TransformOutput {
  readonly table: string;
  /** Null when there were no records (nothing is written). */
  readonly curatedKey: string | null;
  readonly records: number;
  readonly bytes: number;
  /** `name type` of every column, for the operator and the run summary. */
  readonly columns: string[];
}

export interface TransformDeps {
  readonly source: SourceConfig;
  readonly table: string;
  readonly raw: ObjectStore;
  readonly curated: ObjectStore;
  readonly now: () => number;
  readonly logger: StepLogger;
}

/**
 * The Transform step: raw JSON of one hour -> Snappy Parquet in the curated zone. The raw objects
 * are only read, so a failure here leaves them in place for reprocessing.
 */
export async function runTransformStep(input: TransformInput, deps: TransformDeps): Promise<TransformOutput> {
  const hour = scheduledHour(input?.hour);
  const pages: RawPage[] = [];
  for (const rawKey of input.rawKeys ?? []) pages.push({ key: rawKey, body: (await deps.raw.get(rawKey)).body });
  const schemaKey = tableSchemaKey(deps.table);
  const known = await deps.curated.get(schemaKey).then(
    (object) => parseTableSchema(object.body, schemaKey),
    (error: Error) => {
      if (error instanceof ObjectNotFoundError) return undefined;
      throw error;
    },
  );
  const encoded = encodeHour(pages, { source: deps.source, table: deps.table, hour, ingestedAt: deps.now(), known });
  if (!encoded) {
    deps.logger.info('no records this hour: nothing written', { hour: hour.iso });
    return { table: deps.table, curatedKey: null, records: 0, bytes: 0, columns: [] };
  }
  const curatedKey = curatedObjectKey(deps.table, hour);
  await deps.curated.put(curatedKey, encoded.body, {
    contentType: 'application/vnd.apache.parquet',
    metadata: { source: deps.source.name, 'scheduled-hour': hour.iso, records: String(encoded.records) },
  });
  await deps.curated.put(schemaKey, new TextEncoder().encode(JSON.stringify(encoded.schema, null, 2)), { contentType: 'application/json' });
  deps.logger.info('stored curated parquet', { curatedKey, records: encoded.records, bytes: encoded.body.byteLength });
  return { table: deps.table, curatedKey, records: encoded.records, bytes: encoded.body.byteLength, columns: encoded.columns };
}

/** One raw response page: its key and its bytes as received. */
export interface RawPage {
  readonly key: string;
  readonly body: Uint8Array;
}

/**
 * The pure heart of Transform: raw pages of one hour -> Snappy Parquet bytes with lineage columns.
 * Null when the pages hold no records.
 */
export function encodeHour(
  pages: readonly RawPage[],
  options: { source: SourceConfig; table: string; hour: Hour; ingestedAt: number; known?: TableSchema },
): { body: Uint8Array; records: number; columns: string[]; schema: TableSchema } | null {
  const table = columnsOf(pages, options.source);
  if (!table) return null;
  const { columns, recordKeys } = table;
  const count = recordKeys.length;
  const lineage: Column[] = [
    { name: LINEAGE_COLUMNS.scheduledHour, path: '(lineage)', type: 'timestamp', list: false, values: new Float64Array(count).fill(Date.parse(options.hour.iso)) },
    { name: LINEAGE_COLUMNS.ingestedAt, path: '(lineage)', type: 'timestamp', list: false, values: new Float64Array(count).fill(options.ingestedAt) },
    { name: LINEAGE_COLUMNS.rawKey, path: '(lineage)', type: 'string', list: false, values: recordKeys },
  ];
  for (const column of columns) {
    if (lineage.some((l) => l.name === column.name)) {
      throw new SchemaError(`field "${column.path}" becomes column "${column.name}", which is reserved for lineage`);
    }
  }
  const all = [...columns, ...lineage];
  const schema = reconcileSchema(options.table, options.known, all, options.hour);
  const body = writeParquet(all, { 'api-lake.source': options.source.name, 'api-lake.scheduled-hour': options.hour.iso });
  return { body, records: count, columns: all.map(columnSignature), schema };
}

/**
 * Parsed records -> typed columns. Each response is read straight into the columns (readRecordsInto),
 * which builds no record objects; if any response needs the general path, all are read again with
 * JSON.parse, whose errors name each problem exactly.
 */
function columnsOf(pages: readonly RawPage[], source: SourceConfig): { columns: Column[]; recordKeys: string[] } | null {
  const recordsPath = source.recordsPath === '' ? [] : source.recordsPath.split('.');
  let builder = new ColumnsBuilder(source.columns);
  let counts: number[] | null = [];
  for (const page of pages) {
    const before = builder.count;
    if (!readRecordsInto(page.body, recordsPath, builder)) {
      counts = null;
      break;
    }
    counts.push(builder.count - before);
  }
  if (counts === null) {
    builder = new ColumnsBuilder(source.columns);
    counts = pages.map((page) => {
      const records = extractRecords(parseJsonBody(page.body, page.key), source.recordsPath, page.key);
      builder.add(records);
      return records.length;
    });
  }
  if (builder.count === 0) return null;
  const recordKeys = new Array<string>(builder.count);
  let at = 0;
  pages.forEach((page, i) => recordKeys.fill(page.key, at, (at += counts[i]!)));
  return { columns: builder.finish(), recordKeys };
}
