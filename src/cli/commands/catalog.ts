import { existsSync, readFileSync } from 'node:fs';
import { loadConfigFile } from '../../adapters/config-file.js';
import { catalogFileOf, type GlueTableFile } from '../../adapters/local/fs-catalog.js';
import { lakePaths } from '../../adapters/local/lake-paths.js';
import { parse, UsageError } from '../args.js';
import { localGlueArn } from '../twin/local-stack.js';
import { functionOf } from '../twin/local-tasks.js';
import { loadLocalStack, type Synthesizer } from '../twin/stack-cache.js';
import { PIPELINE_OPTION, selectPipeline } from './common.js';

export const CATALOG_USAGE = `Usage: api-lake catalog [--config FILE] [--pipeline NAME] [--lake DIR] [--ddl | --json] [--bucket NAME]
  Prints the curated table as the twin's catalog holds it (DIR/_catalog, default ./lake): its columns with
  their Athena types, the partition keys, the location and the partition projection settings. Before the
  first hour it is the table as the stack defines it (catalog.mode "projection"; a crawler keeps no such table).
  --ddl          the equivalent Athena CREATE EXTERNAL TABLE statement, for a table made outside the stack
  --json         {"database", "table", "location", "columns", "partitionKeys", "parameters"}
  --bucket NAME  the location in bucket NAME (the stack's CuratedBucketName output) instead of the twin's`;

/** The table as printed: the fields of Glue's table that say what Athena reads. */
export interface CatalogView {
  readonly database: string;
  readonly table: string;
  readonly location: string;
  readonly columns: { name: string; type: string }[];
  readonly partitionKeys: { name: string; type: string }[];
  readonly parameters: Record<string, string>;
}

export async function catalogCommand(argv: string[], io: { out: NodeJS.WritableStream; synthesizer: Synthesizer }): Promise<number> {
  const { values } = parse(
    argv,
    {
      config: { type: 'string' },
      lake: { type: 'string', default: 'lake' },
      ddl: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      bucket: { type: 'string' },
      ...PIPELINE_OPTION,
    },
    CATALOG_USAGE,
  );
  if (values.ddl && values.json) throw new UsageError('--ddl and --json exclude each other', CATALOG_USAGE);
  if (values.bucket !== undefined && !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(values.bucket)) throw new UsageError(`--bucket must be an S3 bucket name, got "${values.bucket}"`, CATALOG_USAGE);
  const app = loadConfigFile(values.config);
  const config = selectPipeline(app, values.pipeline, CATALOG_USAGE);
  if (config.catalog.mode !== 'projection') {
    throw new UsageError('catalog.mode is "crawler": the Glue crawler defines the table on AWS, and the twin keeps no catalog (api-lake query reads the files themselves)');
  }
  const { stack } = await loadLocalStack(app, io.synthesizer, process.env, config.name);
  const database = functionOf(stack, 'Transform').environment.GLUE_DATABASE ?? '';
  const defined = stack.tables[localGlueArn(`table/${database}/${config.table}`)];
  if (!defined) throw new Error(`the synthesized stack defines no table ${config.table} in database ${database}`);
  const file = catalogFileOf(lakePaths(values.lake).catalog, database, config.table);
  const held = existsSync(file) ? readTableFile(file) : undefined;
  const view = viewOf(held ?? { ...defined.tableInput, DatabaseName: database }, values.bucket);
  if (values.json) io.out.write(`${JSON.stringify(view, null, 2)}\n`);
  else if (values.ddl) io.out.write(`${ddlOf(view)}\n`);
  else io.out.write(`${textOf(view, held ? `${file}, version ${held.VersionId}` : 'the stack definition: no hour has run in this lake yet')}\n`);
  return 0;
}

function readTableFile(file: string): GlueTableFile {
  try {
    const table = JSON.parse(readFileSync(file, 'utf8')) as GlueTableFile;
    if (Array.isArray(table?.StorageDescriptor?.Columns)) return table;
  } catch {
    // named below
  }
  throw new UsageError(`${file} is not a table of the twin's catalog: restore it, or delete it (the next run creates it again from the stack)`);
}

/** The printed view of a Glue table; with `bucket`, its locations moved to that bucket. */
export function viewOf(table: Readonly<Record<string, unknown>>, bucket?: string): CatalogView {
  const relocate = (value: string) => (bucket ? value.replace(/^s3:\/\/[^/]+\//, `s3://${bucket}/`) : value);
  const storage = table.StorageDescriptor as { Location?: string; Columns?: { Name: string; Type: string }[] };
  const parameters = Object.fromEntries(Object.entries((table.Parameters ?? {}) as Record<string, unknown>).map(([k, v]) => [k, k === 'storage.location.template' ? relocate(String(v)) : String(v)]));
  return {
    database: String(table.DatabaseName),
    table: String(table.Name),
    location: relocate(String(storage.Location ?? '')),
    columns: (storage.Columns ?? []).map((c) => ({ name: c.Name, type: c.Type })),
    partitionKeys: ((table.PartitionKeys ?? []) as { Name: string; Type: string }[]).map((c) => ({ name: c.Name, type: c.Type })),
    parameters,
  };
}

const backquoted = (name: string) => `\`${name.replaceAll('`', '``')}\``;
const quotedText = (text: string) => `'${text.replaceAll("'", "\\'")}'`;

/** Athena's CREATE EXTERNAL TABLE for the view: Parquet at its location, its partition keys, its properties (projection included). */
export function ddlOf(view: CatalogView): string {
  const columns = view.columns.map((c) => `  ${backquoted(c.name)} ${c.type}`).join(',\n');
  const partitions = view.partitionKeys.map((c) => `${backquoted(c.name)} ${c.type}`).join(', ');
  const properties = Object.keys(view.parameters)
    .sort()
    .map((key) => `  ${quotedText(key)}=${quotedText(view.parameters[key]!)}`)
    .join(',\n');
  return [
    `CREATE EXTERNAL TABLE ${backquoted(view.database)}.${backquoted(view.table)} (`,
    columns,
    ')',
    ...(partitions ? [`PARTITIONED BY (${partitions})`] : []),
    'STORED AS PARQUET',
    `LOCATION ${quotedText(view.location)}`,
    'TBLPROPERTIES (',
    properties,
    ');',
  ].join('\n');
}

function textOf(view: CatalogView, source: string): string {
  const width = Math.max(...[...view.columns, ...view.partitionKeys].map((c) => c.name.length), 4) + 2;
  const typeWidth = Math.max(...view.partitionKeys.map((c) => c.type.length), 0) + 1;
  const row = (c: { name: string; type: string }, note = '') => `  ${c.name.padEnd(width)}${note ? c.type.padEnd(typeWidth) : c.type}${note}`;
  const p = view.parameters;
  const projected = (name: string) => {
    const type = p[`projection.${name}.type`];
    if (p['projection.enabled'] !== 'true' || !type) return '';
    const details = [p[`projection.${name}.format`], p[`projection.${name}.range`] && `range ${p[`projection.${name}.range`]}`, p[`projection.${name}.digits`] && `${p[`projection.${name}.digits`]} digits`];
    return `  projected: ${type}${details.filter(Boolean).map((d) => `, ${d}`).join('')}`;
  };
  return [
    `Table ${view.database}.${view.table} (from ${source})`,
    `Location: ${view.location}`,
    ...(p['storage.location.template'] ? [`Partition location: ${p['storage.location.template']}`] : []),
    `Columns (${view.columns.length}):`,
    ...view.columns.map((c) => row(c)),
    'Partition keys:',
    ...view.partitionKeys.map((c) => row(c, projected(c.name))),
  ].join('\n');
}
