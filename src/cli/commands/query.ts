import { parse, UsageError } from '../args.js';
import { formatCsv, formatTable } from '../format.js';
import { lakeTables, queryLake } from '../lake-query.js';

export const QUERY_USAGE = `Usage: api-lake query "SQL" [--lake DIR] [--json | --csv]
  Runs SQL over the curated lake with DuckDB (the local stand-in for Athena), in UTC. Each table is a
  view of its name with the columns and types of the twin's catalog (lake/_catalog), as Athena shows
  them: dt a string, hour an int. Without a catalog (catalog.mode "crawler") every column of the
  files, with dt and hour as strings, as a crawler catalogs them.
  --lake DIR   on-disk lake (default ./lake)
  --json       one JSON array of row objects
  --csv        CSV with a header row`;

export async function queryCommand(argv: string[], out = process.stdout): Promise<number> {
  const { values, positionals } = parse(
    argv,
    { lake: { type: 'string', default: 'lake' }, json: { type: 'boolean', default: false }, csv: { type: 'boolean', default: false } },
    QUERY_USAGE,
    true,
  );
  if (positionals.length !== 1) throw new UsageError('give exactly one SQL statement, quoted', QUERY_USAGE);
  if (values.json && values.csv) throw new UsageError('--json and --csv exclude each other', QUERY_USAGE);
  const tables = lakeTables(values.lake).map((t) => t.name);
  if (tables.length === 0) throw new UsageError(`no tables under ${values.lake}/curated: run \`npm start\` or \`npx api-lake run\` first`, QUERY_USAGE);
  let result;
  try {
    result = await queryLake(values.lake, positionals[0]!);
  } catch (error) {
    throw new UsageError(`${(error as Error).message.split('\n')[0]} (tables: ${tables.join(', ')})`);
  }
  if (values.json) out.write(JSON.stringify(result.rows, null, 2) + '\n');
  else if (values.csv) out.write(formatCsv(result) + '\n');
  else out.write(formatTable(result) + '\n');
  return 0;
}
