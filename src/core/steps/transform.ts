import { InvalidInputError, ObjectNotFoundError } from '../errors.js';
import { curatedObjectKey, rawHourPrefix, scheduledHour, tableSchemaKey } from '../layout.js';
import { parseTableSchema } from '../table-schema.js';
import type { SourceConfig } from '../config.js';
import type { ObjectStore, StepLogger } from '../ports.js';
import { encodeHour, type RawPage } from './encode-hour.js';
import { CURRENT_DATA_METADATA } from './fetch.js';

export { encodeHour, LINEAGE_COLUMNS, type RawPage } from './encode-hour.js';

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
  /** How many columns the hour has. */
  readonly columnCount: number;
  /**
   * `name type` of the first OUTPUT_COLUMNS columns, for the operator and the run summary: a step's output
   * must stay within Step Functions' 256 KB, which 2,000 long column names would pass.
   */
  readonly columns: string[];
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
  const pages: RawPage[] = [];
  const prefix = rawHourPrefix(deps.source.name, hour);
  const foreign = (input.rawKeys ?? []).find((key) => typeof key !== 'string' || !key.startsWith(prefix));
  if (foreign !== undefined) throw new InvalidInputError(`raw key ${JSON.stringify(foreign)} is not an object of source ${deps.source.name} for the hour ${hour.iso} (under ${prefix})`);
  for (const rawKey of input.rawKeys ?? []) {
    const { body, metadata } = await deps.raw.get(rawKey, { signal });
    pages.push({ key: rawKey, body, currentData: metadata[CURRENT_DATA_METADATA] === 'true' });
  }
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
  const { columns } = encoded;
  return { table: deps.table, curatedKey, records: encoded.records, bytes: encoded.body.byteLength, columnCount: columns.length, columns: columns.slice(0, OUTPUT_COLUMNS) };
}


