import { parse, UsageError } from '../args.js';
import { formatCsv, formatTable, formatVertical, type QueryResult } from '../format.js';
import { lakeTables, queryLake } from '../lake-query.js';

/** Characters of a value the table and --vertical views show before cutting it with '…' (unless --full). */
const CELL_WIDTH = 40;

export const QUERY_USAGE = `Usage: api-lake query "SQL" [--lake DIR] [--vertical] [--full]
       api-lake query "SQL" [--lake DIR] --json | --csv
  Runs one SQL statement over the curated lake with DuckDB (the local stand-in for Athena), in UTC. Each
  table is a view of its name with the columns and types of the twin's catalog (lake/_catalog), as Athena
  shows them: dt a string, hour an int. Without a catalog (catalog.mode "crawler") every column of the
  files, with dt and hour as strings, as a crawler catalogs them. SHOW TABLES lists the tables,
  DESCRIBE <table> a table's columns and types.
  --lake DIR    on-disk lake (default ./lake)
  --vertical    one field per line for each row (for wide rows) instead of a table
  --full        values whole in the table or --vertical view (else cut at ${CELL_WIDTH} characters)
  --json        one JSON array of row objects: timestamps ISO 8601 in UTC, integers as numbers
                (strings beyond ±2^53)
  --csv         CSV with a header row, values as DuckDB writes them
  --json and --csv print every value whole, so neither goes with --vertical, --full or the other.
  Exit status: 0 the statement ran; 2 bad arguments, a lake that is not a directory, more than one statement,
  or a SQL error (DuckDB's message).`;

export async function queryCommand(argv: string[], out = process.stdout): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      lake: { type: 'string', default: 'lake' },
      vertical: { type: 'boolean', default: false },
      full: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      csv: { type: 'boolean', default: false },
    },
    QUERY_USAGE,
    true,
  );
  if (positionals.length !== 1) throw new UsageError('give exactly one SQL statement, quoted', QUERY_USAGE);
  checkViewFlags(values);
  const result = await runQuery(values.lake, positionals[0]!, values.json);
  out.write(`${render(result, values)}\n`);
  return 0;
}

interface ViewFlags {
  readonly vertical: boolean;
  readonly full: boolean;
  readonly json: boolean;
  readonly csv: boolean;
}

/** --json and --csv replace the table view, whose options --vertical and --full then have nothing to shape. */
function checkViewFlags(flags: ViewFlags): void {
  const given = (names: (keyof ViewFlags)[]) => names.filter((name) => flags[name]).map((name) => `--${name}`);
  const [format, other] = given(['json', 'csv']);
  if (other) throw new UsageError(`${format} and ${other} exclude each other: choose one`, QUERY_USAGE);
  const layout = given(['vertical', 'full']);
  if (format && layout.length) {
    const shape = layout.length === 1 ? 'shapes' : 'shape';
    throw new UsageError(`${layout.join(' and ')} ${shape} the table view, which ${format} replaces (it prints every value whole): drop one`, QUERY_USAGE);
  }
}

function render(result: QueryResult, flags: ViewFlags): string {
  if (flags.json) return JSON.stringify(result.rows, null, 2);
  if (flags.csv) return formatCsv(result);
  const width = flags.full ? Infinity : CELL_WIDTH;
  return flags.vertical ? formatVertical(result, width) : formatTable(result, width);
}

/** The query's result, or a UsageError (exit 2) with DuckDB's whole message and what the lake holds. */
async function runQuery(lake: string, sql: string, json: boolean): Promise<QueryResult> {
  try {
    return await queryLake(lake, sql, { values: json ? 'json' : 'text' });
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(sqlErrorMessage((error as Error).message, lakeTables(lake).map((t) => t.name)), undefined, { cause: error });
  }
}

/**
 * DuckDB's message whole (its "Did you mean", candidate and caret lines included), with the lake's tables on its
 * first line; on a lake without tables, a missing table is explained as that.
 */
function sqlErrorMessage(message: string, tables: string[]): string {
  const [first, ...rest] = message.split('\n');
  const note = tables.length
    ? `(tables: ${tables.join(', ')})`
    : /^Catalog Error: Table with name .* does not exist/.test(first!)
      ? '(the lake has no tables yet: run `npm start` or `npx api-lake run` first)'
      : undefined;
  // DuckDB may suggest a table of its own catalog (pg_attrdef, duckdb_tables, ...): only the lake's tables are suggestions here.
  const suggestion = (line: string) => /^Did you mean "(?:[^"]*\.)?([^".]+)"\?$/.exec(line)?.[1];
  const kept = rest.filter((line) => suggestion(line) === undefined || tables.includes(suggestion(line)!));
  return [note ? `${first} ${note}` : first, ...kept].join('\n');
}
