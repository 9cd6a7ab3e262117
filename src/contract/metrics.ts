// The contract between the functions (src/handlers/, which emit metrics) and the stack (infra/, whose alarms and
// dashboard read them): a name changed on one side only would leave an alarm watching a metric nobody emits.

/** Powertools' service name: every function's logs and metrics carry it (the `service` dimension). */
export const SERVICE_NAME = 'api-lake';

/** Where the functions' embedded metrics go, and the pipelines' log-derived ones. */
export const METRICS_NAMESPACE = 'ApiLake';

/** The embedded metrics a step emits, by the dimensions `service`, `step` and `source`. */
export const METRIC = {
  /** Every step: its duration, in milliseconds. */
  durationMs: 'durationMs',
  /** Transform: the records of the hour. */
  records: 'records',
  /** Transform: 1 for an hour whose Parquet landed (the freshness alarm's metric). */
  hoursLoaded: 'hoursLoaded',
} as const;

/** Log lines a metric filter of the stack reads (by `$.message`), with the field it takes the value from. */
export const LOG_METRIC = {
  /** Fetch waited inside the Lambda on a short Retry-After: `waitSeconds` is the dashboard's Retry-After waits. */
  retryAfterWait: { message: 'source asked to retry after a short wait', valueField: 'waitSeconds' },
} as const;
