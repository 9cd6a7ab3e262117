import { asksForTheHour, type HourTemplated } from './hour-template.js';
import type { Hour } from './layout.js';

/** A clock ahead of the schedule by this much does not make an hour "future". */
const CLOCK_SKEW_MS = 5 * 60_000;
/**
 * How late a scheduled run of a "now"-only source may fetch: EventBridge retries a start for up to an hour,
 * and the state machine's retries take minutes more. A run later than that is no longer the scheduled one.
 */
export const LATE_RUN_GRACE_MS = 60 * 60_000;

export interface FetchableOptions {
  readonly source: HourTemplated;
  readonly now: number;
  /** Store the current answer of a "now"-only source under another hour anyway (it is marked as such). */
  readonly allowCurrentData: boolean;
  /** How long after the hour ends a "now"-only source may still fetch for it. */
  readonly graceMs: number;
}

/**
 * Why the API cannot be asked for `hour`, or undefined when it can. A future hour never can. A source with no
 * hour placeholder answers for "now", so fetching a past hour from it would store today's data under that hour:
 * refused unless `allowCurrentData`. The words say how to fix it.
 */
export function unfetchableHour(hour: Hour, options: FetchableOptions): string | undefined {
  const start = Date.parse(hour.iso);
  const now = new Date(options.now).toISOString();
  if (start > options.now + CLOCK_SKEW_MS) return `the hour ${hour.iso} has not begun yet (it is ${now}): no API can answer for it`;
  if (asksForTheHour(options.source) || options.allowCurrentData) return undefined;
  if (start + 3_600_000 + options.graceMs > options.now) return undefined;
  return (
    `the source has no hour placeholder, so the API answers for now (${now}), not for the hour ${hour.iso}: storing that answer ` +
    `under ${hour.iso} would make up history. Put a placeholder such as {{hour.date}} or {{hour.start}} in source.url, params or headers ` +
    `if the API can answer for a past hour (README, "Which hour the API is asked for"), or allow it explicitly (\`--allow-current-data\`; ` +
    `in an execution input, "allowCurrentData": true): the rows are then marked lake_current_data`
  );
}
