/** Column names as Athena takes them (README "Type mapping"). */

/** The Hive partition keys of every table (layout.ts): no column may take their names. */
export const PARTITION_KEYS = ['dt', 'hour'] as const;
/** A field that would become a partition key's name gets this prefix: OpenWeatherMap's `dt` becomes `source_dt`. */
export const RESERVED_NAME_PREFIX = 'source_';
/** Glue and Athena refuse longer column names. */
export const MAX_COLUMN_NAME_LENGTH = 255;

/**
 * The column name of a JSON key path: the keys joined with `_`, accents dropped, lowercased and reduced to
 * `[a-z0-9_]` (Athena's rule), `c_` before a leading digit, and `source_` before a partition key's name.
 */
export function columnName(path: readonly string[]): string {
  const name = path
    .join('_')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_');
  const safe = /^[a-z]/.test(name) ? name : `c_${name}`;
  return (PARTITION_KEYS as readonly string[]).includes(safe) ? `${RESERVED_NAME_PREFIX}${safe}` : safe;
}
