import * as z from 'zod/mini';

/**
 * The building blocks of the config schemas (config.ts, source-config.ts). zod/mini ships no message
 * locale (it keeps the Lambda bundle about 400 KB smaller than zod), so every rule is worded here.
 */

export const integer = (min: number, max = Number.MAX_SAFE_INTEGER) => z.number().check(z.int(), z.gte(min), z.lte(max));
export const withDefault = <T extends z.ZodMiniType>(schema: T, value: z.output<T>) => z._default(schema, value as never);
export const nonEmpty = z.string().check(z.minLength(1, 'must not be empty'));

/** A name that is a prefix, a table or part of a secret name: lowercase letters, digits and _. */
export const NAME = /^[a-z][a-z0-9_]{0,62}$/;
export const NAME_RULE = 'must be lowercase letters, digits and _, starting with a letter (at most 63)';
export const name = z.string().check(z.regex(NAME, NAME_RULE));

/** A dotted path into a JSON body: keys, and numbers for array elements (`data.items`, `meta.next_cursor`). */
export const jsonPath = z.string().check(z.regex(/^[^.]+(\.[^.]+)*$/, 'must be a dotted path such as "meta.next_cursor"'));

/** A real calendar date, `YYYY-MM-DD`. */
export const calendarDate = z.string().check(
  z.refine((value) => {
    const ms = /^\d{4}-\d{2}-\d{2}$/.test(value) ? Date.parse(`${value}T00:00:00Z`) : NaN;
    return !Number.isNaN(ms) && new Date(ms).toISOString().startsWith(value); // 2026-02-30 parses as 2026-03-02
  }, 'must be a date YYYY-MM-DD that exists on the calendar'),
);
