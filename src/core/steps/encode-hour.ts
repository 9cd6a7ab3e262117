import { JsonColumnsReader } from '../../json-columns/index.js';
import { columnSignature, type Column } from '../columns.js';
import { ColumnsBuilder } from '../columns-builder.js';
import type { SourceConfig } from '../config.js';
import { SchemaError } from '../errors.js';
import type { Hour } from '../layout.js';
import { ParquetFileWriter, ROW_GROUP_ROWS, type ParquetColumn, type ParquetType } from '../../parquet/index.js';
import { extractRecords, parseJsonBody } from '../records.js';
import { reconcileSchema, type TableSchema } from '../table-schema.js';

/** Lineage columns added to every row. Named without a leading `_`, which Athena would make you quote. */
export const LINEAGE_COLUMNS = {
  scheduledHour: 'lake_scheduled_hour',
  ingestedAt: 'lake_ingested_at',
  rawKey: 'lake_raw_key',
  currentData: 'lake_current_data',
  /** The fan-out request a record came from (its value, or its parameters); only for a source with `fanOut`. */
  request: 'lake_request',
} as const;

/** The lineage columns' types: every hour's table has them, so the stack's table starts with them. */
export const LINEAGE_SCHEMA: readonly Pick<Column, 'name' | 'type' | 'list'>[] = [
  { name: LINEAGE_COLUMNS.scheduledHour, type: 'timestamp', list: false },
  { name: LINEAGE_COLUMNS.ingestedAt, type: 'timestamp', list: false },
  { name: LINEAGE_COLUMNS.rawKey, type: 'string', list: false },
  { name: LINEAGE_COLUMNS.currentData, type: 'boolean', list: false },
];
const REQUEST_SCHEMA: Pick<Column, 'name' | 'type' | 'list'> = { name: LINEAGE_COLUMNS.request, type: 'string', list: false };

/** The lineage columns of a source's table: the four of every table, and `lake_request` with a fan-out. */
export const lineageSchemaOf = (source: Pick<SourceConfig, 'fanOut'>) => (source.fanOut ? [...LINEAGE_SCHEMA, REQUEST_SCHEMA] : LINEAGE_SCHEMA);

/** One raw response page: its key and its bytes as received. */
export interface RawPage {
  readonly key: string;
  readonly body: Uint8Array;
  /** The page answers for the time it was fetched, not for the scheduled hour (raw metadata `current-data`). */
  readonly currentData?: boolean;
  /** The fan-out request's label (lake_request). */
  readonly request?: string;
}

export interface EncodeOptions {
  readonly source: SourceConfig;
  readonly table: string;
  readonly hour: Hour;
  readonly ingestedAt: number;
  readonly known?: TableSchema;
}

export interface EncodedHour {
  readonly body: Uint8Array;
  readonly records: number;
  /** `name type` of every column. */
  readonly columns: string[];
  readonly schema: TableSchema;
}

/**
 * The pure heart of Transform: raw pages of one hour -> Snappy Parquet bytes with lineage columns.
 * Null when the pages hold no records.
 *
 * Records become columns, and columns a row group, every ROW_GROUP_ROWS records, so a large hour is
 * never held whole. When the columns change between row groups (a field first seen late, a column null
 * so far that gets values), the row groups written so far no longer fit: the hour is encoded again,
 * held whole.
 */
export function encodeHour(pages: readonly RawPage[], options: EncodeOptions): EncodedHour | null {
  const streamed = encode(pages, options, ROW_GROUP_ROWS);
  return streamed === 'columns changed' ? (encode(pages, options, Infinity) as EncodedHour | null) : streamed;
}

function encode(pages: readonly RawPage[], options: EncodeOptions, batchRows: number): EncodedHour | 'columns changed' | null {
  const recordsPath = options.source.recordsPath === '' ? [] : options.source.recordsPath.split('.');
  // Each page straight into the columns (no record objects); if any needs the general path, all of
  // them again with JSON.parse, whose errors name each problem exactly.
  const file =
    write(pages, options, batchRows, (builder) => {
      const reader = new JsonColumnsReader(builder);
      return (page) => reader.read(page.body, recordsPath);
    }) ??
    write(pages, options, batchRows, (builder) => (page) => {
      builder.add(extractRecords(parseJsonBody(page.body, page.key), options.source.recordsPath, page.key));
      return true;
    })!;
  if (file === 'columns changed') return file;
  if (file.records === 0) return null;
  const all = [...file.columns, ...lineageSchemaOf(options.source)];
  const schema = reconcileSchema(options.table, options.known, all, options.hour, options.source.columns);
  const body = file.writer.finish({ 'api-lake.source': options.source.name, 'api-lake.scheduled-hour': options.hour.iso });
  return { body, records: file.records, columns: all.map(columnSignature), schema };
}

/** The pages read by a `reader` of the builder into a Parquet file, batch by batch; null when the reader declines a page. */
function write(
  pages: readonly RawPage[],
  options: EncodeOptions,
  batchRows: number,
  reader: (builder: ColumnsBuilder) => (page: RawPage) => boolean,
): { writer: ParquetFileWriter; records: number; columns: Column[] } | 'columns changed' | null {
  const writer = new ParquetFileWriter();
  const pageStarts: number[] = [];
  const rawKeys: string[] = []; // reused from batch to batch
  const currentData: boolean[] = [];
  const requests: string[] = [];
  let first: Column[] | undefined;
  let changed = false;
  const onBatch = (columns: Column[], firstRow: number, rows: number) => {
    first ??= withoutReservedNames(columns);
    changed ||= builder.provisional || columns.length !== first.length || columns.some((c, i) => columnSignature(c) !== columnSignature(first![i]!));
    if (!changed) writer.addRows([...columns, ...lineage(rows, firstRow, pages, pageStarts, { rawKeys, currentData, requests }, options)].map(parquetColumnOf));
  };
  const builder = new ColumnsBuilder(options.source.columns, { rows: batchRows, onBatch });
  const read = reader(builder);
  for (const page of pages) {
    pageStarts.push(builder.count);
    if (!read(page)) return null;
  }
  builder.finish();
  return changed ? 'columns changed' : { writer, records: builder.count, columns: first ?? [] };
}

/** The Parquet type each column type is written as. */
const PARQUET_TYPE: Record<Column['type'], ParquetType> = { double: 'DOUBLE', bigint: 'INT64', timestamp: 'TIMESTAMP_MILLIS', string: 'STRING', boolean: 'BOOLEAN' };

/** A column as the Parquet writer takes it. */
function parquetColumnOf(column: Column): ParquetColumn {
  return { name: column.name, type: PARQUET_TYPE[column.type], list: column.list, values: column.values };
}

function withoutReservedNames(columns: Column[]): Column[] {
  for (const column of columns) {
    if ([...LINEAGE_SCHEMA, REQUEST_SCHEMA].some((l) => l.name === column.name)) {
      throw new SchemaError(`field "${column.path}" becomes column "${column.name}", which is reserved for lineage`);
    }
  }
  return columns.map(({ name, path, type, list }) => ({ name, path, type, list, values: [] }));
}

/**
 * The lineage columns of `rows` records from `firstRow`: each record's raw key, and whether it is current
 * data, from the page it came from. `reused` holds their arrays, filled again for every batch.
 */
function lineage(
  rows: number,
  firstRow: number,
  pages: readonly RawPage[],
  pageStarts: readonly number[],
  reused: { rawKeys: string[]; currentData: boolean[]; requests: string[] },
  options: EncodeOptions,
): Column[] {
  const { rawKeys, currentData, requests } = reused;
  rawKeys.length = rows;
  currentData.length = rows;
  requests.length = options.source.fanOut ? rows : 0;
  pageStarts.forEach((start, i) => {
    const end = pageStarts[i + 1] ?? Infinity;
    const from = Math.max(start, firstRow) - firstRow;
    const to = Math.min(end, firstRow + rows) - firstRow;
    if (from >= to) return;
    rawKeys.fill(pages[i]!.key, from, to);
    currentData.fill(pages[i]!.currentData === true, from, to);
    if (options.source.fanOut) requests.fill(pages[i]!.request ?? '', from, to);
  });
  const [scheduledHour, ingestedAt, rawKey, current] = LINEAGE_SCHEMA as [Column, Column, Column, Column];
  return [
    { ...scheduledHour, path: '(lineage)', values: new Float64Array(rows).fill(Date.parse(options.hour.iso)) },
    { ...ingestedAt, path: '(lineage)', values: new Float64Array(rows).fill(options.ingestedAt) },
    { ...rawKey, path: '(lineage)', values: rawKeys },
    { ...current, path: '(lineage)', values: currentData },
    ...(options.source.fanOut ? [{ ...REQUEST_SCHEMA, path: '(lineage)', values: requests }] : []),
  ];
}
