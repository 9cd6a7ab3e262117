/** Rows with their column order, as a query returns them. */
export interface QueryResult {
  readonly columns: string[];
  readonly rows: Record<string, unknown>[];
}

/** A readable text table. */
export function formatTable(result: QueryResult, maxWidth = 40): string {
  const cell = (v: unknown) => {
    const text = v === null || v === undefined ? 'NULL' : typeof v === 'object' ? JSON.stringify(v) : String(v);
    return text.length > maxWidth ? `${text.slice(0, maxWidth - 1)}…` : text;
  };
  const cells = result.rows.map((row) => result.columns.map((c) => cell(row[c])));
  const widths = result.columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i]!.length)));
  const line = (values: string[]) => values.map((v, i) => v.padEnd(widths[i]!)).join(' | ');
  const rule = widths.map((w) => '-'.repeat(w)).join('-+-');
  const count = `(${result.rows.length} row${result.rows.length === 1 ? '' : 's'})`;
  return [line(result.columns), rule, ...cells.map(line), count].join('\n');
}

/** RFC 4180 CSV. */
export function formatCsv(result: QueryResult): string {
  const quote = (v: unknown) => {
    const text = v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
    return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  return [result.columns.map(quote).join(','), ...result.rows.map((r) => result.columns.map((c) => quote(r[c])).join(','))].join('\n');
}
