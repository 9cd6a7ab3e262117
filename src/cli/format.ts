/** Rows with their column order, as a query returns them. */
export interface QueryResult {
  readonly columns: string[];
  /** Each column's DuckDB type (`INTEGER`, `DECIMAL(9,2)`, ...), when known: numeric columns are right-aligned. */
  readonly types?: string[];
  readonly rows: Record<string, unknown>[];
}

/** The DuckDB types the table view right-aligns: integers of every width, floating point and decimals. */
const NUMERIC_TYPE = /^(U?(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT)|FLOAT|DOUBLE|DECIMAL(\(\d+,\d+\))?)$/;

export const isNumericType = (type: string | undefined) => type !== undefined && NUMERIC_TYPE.test(type);

/** A value as the table and vertical views print it, cut to `maxWidth` characters (Infinity: whole). */
function cellText(value: unknown, maxWidth: number): string {
  const text = value === null || value === undefined ? 'NULL' : typeof value === 'object' ? JSON.stringify(value) : String(value);
  return text.length > maxWidth ? `${text.slice(0, maxWidth - 1)}…` : text;
}

const rowCount = (rows: unknown[]) => `(${rows.length} row${rows.length === 1 ? '' : 's'})`;

/** A readable text table; values longer than `maxWidth` are cut (pass Infinity for whole values). Numeric columns are right-aligned. */
export function formatTable(result: QueryResult, maxWidth = 40): string {
  const cells = result.rows.map((row) => result.columns.map((c) => cellText(row[c], maxWidth)));
  const widths = result.columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i]!.length)));
  const right = result.columns.map((_, i) => isNumericType(result.types?.[i]));
  const line = (values: string[]) => values.map((v, i) => (right[i] ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join(' | ');
  const rule = widths.map((w) => '-'.repeat(w)).join('-+-');
  return [line(result.columns), rule, ...cells.map(line), rowCount(result.rows)].join('\n');
}

/** One field per line for each row, as psql's `\x` prints them: for rows too wide for a table. */
export function formatVertical(result: QueryResult, maxWidth = 40): string {
  const width = Math.max(0, ...result.columns.map((c) => c.length));
  const records = result.rows.map((row, i) =>
    [`-[ RECORD ${i + 1} ]`, ...result.columns.map((c) => `${c.padEnd(width)} | ${cellText(row[c], maxWidth)}`)].join('\n'),
  );
  return [...records, rowCount(result.rows)].join('\n');
}

/** RFC 4180 CSV. */
export function formatCsv(result: QueryResult): string {
  const quote = (v: unknown) => {
    const text = v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
    return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  return [result.columns.map(quote).join(','), ...result.rows.map((r) => result.columns.map((c) => quote(r[c])).join(','))].join('\n');
}

/**
 * The errorMessage of a Lambda-shaped cause (`{"errorType","errorMessage",...}`, as Step Functions and the twin
 * give it), or the cause itself as text; undefined when there is none.
 */
export function causeMessage(cause: unknown): string | undefined {
  if (cause === undefined || cause === null || cause === '') return undefined;
  const text = cause instanceof Error ? cause.message : typeof cause === 'string' ? cause : JSON.stringify(cause);
  try {
    const parsed = JSON.parse(text) as { errorMessage?: unknown };
    if (typeof parsed?.errorMessage === 'string') return parsed.errorMessage;
  } catch {
    // not a Lambda error payload
  }
  return text;
}
