import { createHash } from 'node:crypto';

/**
 * `name` if it fits in `max` characters, else cut to fit with a short hash of the whole name appended, so
 * two long names that share a beginning stay apart. For names AWS bounds (a Glue database at 255
 * characters, an Athena workgroup at 128) that are built from a stack name (up to 128) and a table (up to 63).
 */
export function boundedName(name: string, max: number, separator = '-'): string {
  if (name.length <= max) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
  return `${name.slice(0, max - hash.length - separator.length)}${separator}${hash}`;
}

/** Athena's limit on a workgroup name ([a-zA-Z0-9._-]). */
export const MAX_WORKGROUP_NAME = 128;
/** Glue's limit on a database name (Athena reads lowercase letters, digits and _). */
export const MAX_DATABASE_NAME = 255;
