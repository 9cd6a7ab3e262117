import type { Hour } from './layout.js';

/**
 * Placeholders for the scheduled hour in a source's URL, params and headers, all in UTC. A source that
 * uses one can be asked for any past hour (run, backfill); one that uses none is asked for "now".
 */
export const HOUR_PLACEHOLDERS = {
  'hour.start': (hour: Hour) => hour.iso.replace('.000Z', 'Z'),
  'hour.end': (hour: Hour) => new Date(Date.parse(hour.iso) + 3_600_000).toISOString().replace('.000Z', 'Z'),
  'hour.start_epoch': (hour: Hour) => String(Date.parse(hour.iso) / 1000),
  'hour.end_epoch': (hour: Hour) => String(Date.parse(hour.iso) / 1000 + 3600),
  'hour.date': (hour: Hour) => hour.date,
  'hour.hh': (hour: Hour) => hour.hh,
} as const satisfies Record<string, (hour: Hour) => string>;

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** The placeholder names written in `text` (`{{hour.date}}` gives `hour.date`), known or not. */
export function placeholdersIn(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}

/** Whether `name` is one of HOUR_PLACEHOLDERS. */
export function isHourPlaceholder(name: string): name is keyof typeof HOUR_PLACEHOLDERS {
  return Object.hasOwn(HOUR_PLACEHOLDERS, name);
}

/** `text` with every placeholder replaced by its value for `hour`, passed through `encode` (for a URL path, say). */
export function expandHour(text: string, hour: Hour, encode: (value: string) => string = (v) => v): string {
  return text.replace(PLACEHOLDER, (whole, name: string) => (isHourPlaceholder(name) ? encode(HOUR_PLACEHOLDERS[name](hour)) : whole));
}

/** The places a source can name the hour: its URL, its params' values, its headers' values. */
export interface HourTemplated {
  readonly url: string;
  readonly params: Readonly<Record<string, string>>;
  readonly headers: Readonly<Record<string, string>>;
}

/** Whether the source asks the API for the scheduled hour (a placeholder anywhere), rather than for "now". */
export function asksForTheHour(source: HourTemplated): boolean {
  return [source.url, ...Object.values(source.params), ...Object.values(source.headers)].some((text) => placeholdersIn(text).some(isHourPlaceholder));
}
