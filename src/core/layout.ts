import { InvalidInputError } from './errors.js';
import { rfc3339Millis } from './timestamps.js';

/**
 * The one module that owns the object-key layout. Nobody else builds a key.
 *
 * Keys come from the *scheduled* hour in UTC (from the execution input), never from wall-clock or
 * local time: a rerun of an hour lands on the same keys and overwrites them, so Athena never sees
 * the hour twice, and DST changes cannot skip or double an hour.
 */

/** A scheduled hour: an instant truncated to the hour, always UTC. */
export interface Hour {
  /** `2026-11-25T18:00:00.000Z` */
  readonly iso: string;
  /** `2026-11-25` */
  readonly date: string;
  /** `18` */
  readonly hh: string;
  /** `20261125T18` */
  readonly compact: string;
}

/**
 * The scheduled hour of an execution. `time` must be an RFC 3339 timestamp with an explicit zone, as the
 * state machine's CheckInput (`IsTimestamp`) accepts it (EventBridge sends `2026-11-25T18:00:00Z`); a
 * zone-less, malformed or impossible value (30 February) is refused rather than guessed, so nothing is
 * ever written under a wrong hour.
 */
export function scheduledHour(time: unknown): Hour {
  const ms = typeof time === 'string' ? rfc3339Millis(time) : NaN;
  if (Number.isNaN(ms)) {
    throw new InvalidInputError(
      `execution input "time" must be an RFC 3339 timestamp with seconds and a zone, such as 2026-11-25T18:00:00Z; got ${describe(time)}`,
    );
  }
  return hourFromEpochMs(ms);
}

/** The hour that contains `epochMs`. */
export function hourFromEpochMs(epochMs: number): Hour {
  const start = new Date(Math.floor(epochMs / 3_600_000) * 3_600_000);
  const iso = start.toISOString();
  const date = iso.slice(0, 10);
  const hh = iso.slice(11, 13);
  return { iso, date, hh, compact: `${date.replaceAll('-', '')}T${hh}` };
}

/** Every hour from `from` to `to`, both included, in order. */
export function hoursBetween(from: Hour, to: Hour): Hour[] {
  const hours: Hour[] = [];
  for (let ms = Date.parse(from.iso); ms <= Date.parse(to.iso); ms += 3_600_000) hours.push(hourFromEpochMs(ms));
  return hours;
}

/**
 * The Hive partitions of both zones, in path order: `dt=YYYY-MM-DD/hour=HH/`. The catalog's partition keys
 * and Athena's partition projection are derived from these (infra/constructs/catalog.ts), never written twice.
 */
export const PARTITION_KEYS = {
  /** The scheduled hour's UTC date, `hour.date`; `format` is the same pattern in Java's DateTimeFormatter, as Athena reads it. */
  date: { name: 'dt', format: 'yyyy-MM-dd' },
  /** The scheduled hour's UTC hour, `hour.hh`: an integer 0-23 written with 2 digits. */
  hour: { name: 'hour', min: 0, max: 23, digits: 2 },
} as const;

function partition(hour: Hour): string {
  return `${PARTITION_KEYS.date.name}=${hour.date}/${PARTITION_KEYS.hour.name}=${hour.hh}`;
}

/**
 * Athena's `storage.location.template` for a table at `tableLocation` (`s3://bucket/<table>/`): where the
 * partition of a `dt` and an `hour` is, with `${dt}` and `${hour}` filled in by partition projection.
 */
export function partitionLocationTemplate(tableLocation: string): string {
  const { date, hour } = PARTITION_KEYS;
  return `${tableLocation}${date.name}=\${${date.name}}/${hour.name}=\${${hour.name}}/`;
}

/** Which response of an hour a raw object holds: the request of a fan-out (its id; "" without one) and the page. */
export interface RawPagePosition {
  /** The request's name in keys (source-config.ts `requestIdOf`): letters, digits, `.` and `-`; "" for the only request. */
  readonly request?: string;
  /** 0 for the first page of the request, 1 for the next, ... */
  readonly page?: number;
}

/**
 * Raw zone key of one response page: `<source>/dt=YYYY-MM-DD/hour=HH/<source>_<YYYYMMDDTHH>Z[_r-<request>][_pNNNN].json`.
 * The first page has no page suffix (as a source without pagination writes it); the next ones `_p0001` onward,
 * four digits so keys sort in page order. A fan-out request's name comes after `_r-`, which it cannot contain.
 */
export function rawObjectKey(source: string, hour: Hour, position: RawPagePosition = {}): string {
  const { request = '', page = 0 } = position;
  if (!/^[A-Za-z0-9.-]*$/.test(request)) throw new Error(`a request name in a raw key must be letters, digits, . and -: "${request}"`);
  if (!Number.isInteger(page) || page < 0 || page > 9999) throw new Error(`a page number in a raw key must be 0 to 9999: ${page}`);
  return `${rawHourPrefix(source, hour)}${source}_${hour.compact}Z${request ? `_r-${request}` : ''}${page ? `_p${String(page).padStart(4, '0')}` : ''}.json`;
}

/** The request and page of a raw key of `source` and `hour` (rawObjectKey's inverse), or undefined for any other key. */
export function rawPagePositionOf(source: string, hour: Hour, key: string): Required<RawPagePosition> | undefined {
  const prefix = `${rawHourPrefix(source, hour)}${source}_${hour.compact}Z`;
  if (!key.startsWith(prefix)) return undefined;
  const match = /^(?:_r-([A-Za-z0-9.-]+))?(?:_p(\d{4}))?\.json$/.exec(key.slice(prefix.length));
  if (!match || match[2] === '0000') return undefined;
  return { request: match[1] ?? '', page: match[2] ? Number(match[2]) : 0 };
}

/** The prefix of every raw object of one hour of a source (every page): `<source>/dt=YYYY-MM-DD/hour=HH/`. */
export function rawHourPrefix(source: string, hour: Hour): string {
  return `${source}/${partition(hour)}/`;
}

/** Curated zone key: `<table>/dt=YYYY-MM-DD/hour=HH/<table>_<YYYYMMDDTHH>Z.parquet`. */
export function curatedObjectKey(table: string, hour: Hour): string {
  return `${table}/${partition(hour)}/${table}_${hour.compact}Z.parquet`;
}

/**
 * Where a table's column types are remembered between hours, beside (not under) the table prefix so
 * neither the crawler nor a query ever reads it as data.
 */
export function tableSchemaKey(table: string): string {
  return `_schemas/${table}.json`;
}

/** The prefix under which a table's Hive partitions live (the crawler's and DuckDB's root). */
export function curatedTablePrefix(table: string): string {
  return `${table}/`;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing (the field is missing)';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
