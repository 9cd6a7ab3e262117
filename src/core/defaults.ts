/** Defaults, held as named constants so docs, code and tests agree (README "Configuration"). */
export const DEFAULTS = {
  requestTimeoutSeconds: 10,
  // The transform peaks at 2-3.5x the JSON size (the bench's shapes at about 135 MB, docs/benchmarks.md): 32 MiB stays well inside 1,769 MB.
  maxResponseBytes: 32 * 1024 * 1024,
  retryMaxAttempts: 3,
  retryIntervalSeconds: 20,
  retryBackoffRate: 2,
  retryMaxDelaySeconds: 300,
  rawInfrequentAccessAfterDays: 30,
  crawlerSchedule: 'cron(30 0 * * ? *)',
  catalogMode: 'projection',
  // The first date Athena's partition projection covers. A fixed date, not "the deploy date": a default that
  // moved would change the table on a later deploy and hide the hours before it.
  catalogFirstDate: '2026-01-01',
  fetchMemoryMb: 512,
  transformMemoryMb: 1769,
  logRetentionDays: 30,
  athenaResultsExpireDays: 7,
  secretField: 'apiKey',
  maxPages: 1000,
  staleAfterHours: 3,
  skippedHoursInARow: 3,
  fanOutConcurrency: 5,
  stackName: 'ApiLake',
  removal: 'destroy',
} as const;
