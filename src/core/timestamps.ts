/** Timestamps in JSON text -> epoch milliseconds, always UTC. */

/**
 * Epoch ms of an ISO-8601 timestamp. A value without a zone is read as UTC, never as the machine's
 * local time (the Lambda and a laptop must agree); `YYYY-MM-DD HH:MM` is accepted as well.
 */
export function parseTimestampUtc(value: string): number {
  let ascii = value.length <= isoScratch.length;
  for (let i = 0; ascii && i < value.length; i++) {
    const code = value.charCodeAt(i);
    isoScratch[i] = code;
    ascii = code < 0x80;
  }
  const fast = ascii ? isoUtcMillis(isoScratch, 0, value.length) : NaN;
  if (!Number.isNaN(fast)) return fast;
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?(Z|([+-])(\d{2}):?(\d{2}))?$/.exec(value.trim());
  if (!match) return NaN;
  const [year, month, day, hour = 0, minute = 0, second = 0] = [1, 2, 3, 4, 5, 6].map((i) => (match[i] === undefined ? undefined : Number(match[i]))) as number[];
  // A real calendar date and time: Date.parse would roll 2026-02-30 over into March.
  if (!isCalendarDate(year!, month!, day!) || hour > 23 || minute > 59 || second > 59) return NaN;
  const offset = match[9] ? (match[9] === '-' ? -1 : 1) * (Number(match[10]) * 60 + Number(match[11])) : 0;
  if (match[9] && (Number(match[10]) > 23 || Number(match[11]) > 59)) return NaN;
  const fraction = millisOf(match[7]);
  return daysFromCivil(year!, month!, day!) * 86_400_000 + ((hour * 60 + minute - offset) * 60 + second) * 1000 + fraction;
}

/**
 * The timestamps every reader handles: the years 0001 to 9999. Parquet's INT64 milliseconds hold far
 * more, but DuckDB refuses a whole file with one value past its range (it reads milliseconds as
 * microseconds), and others wrap: a value outside is refused, never stored.
 */
export const MIN_TIMESTAMP_MS = daysFromCivil(1, 1, 1) * 86_400_000;
export const MAX_TIMESTAMP_MS = daysFromCivil(9999, 12, 31) * 86_400_000 + 86_399_999;

/** Whether epoch milliseconds fall within the years 0001 to 9999. */
export function inTimestampRange(ms: number): boolean {
  return ms >= MIN_TIMESTAMP_MS && ms <= MAX_TIMESTAMP_MS;
}

const isoScratch = new Uint8Array(24);

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|([+-])(\d{2}):(\d{2}))$/;

/**
 * Epoch ms of an RFC 3339 timestamp as Step Functions' `IsTimestamp` accepts it: an uppercase T, seconds,
 * optional fractions, and Z or a ±HH:MM offset; and a real calendar date and time (no 30 February, no
 * hour 24). NaN for anything else. Date.parse would roll 2026-02-30 over into March.
 */
export function rfc3339Millis(value: string): number {
  const m = RFC3339.exec(value);
  if (!m) return NaN;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (!isCalendarDate(year, month, day) || hour > 23 || minute > 59 || second > 59) return NaN;
  const offsetMinutes = m[9] ? (m[9] === '-' ? -1 : 1) * (Number(m[10]) * 60 + Number(m[11])) : 0;
  if (m[9] && (Number(m[10]) > 23 || Number(m[11]) > 59)) return NaN;
  const fraction = millisOf(m[7]);
  return daysFromCivil(year, month, day) * 86_400_000 + ((hour * 60 + minute - offsetMinutes) * 60 + second) * 1000 + fraction;
}

/** The milliseconds of a fraction of a second (`.5`, `.123456`), truncated as Date.parse truncates, in integers. */
const millisOf = (fraction: string | undefined) => (fraction ? Number(`${fraction.slice(1)}00`.slice(0, 3)) : 0);

/** Whether year-month-day is a day of the proleptic Gregorian calendar (month 1-12, day within the month). */
export function isCalendarDate(year: number, month: number, day: number): boolean {
  if (!(month >= 1 && month <= 12 && day >= 1)) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = month === 2 ? (leap ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
  return day <= days;
}

/**
 * The common full form `YYYY-MM-DDTHH:MM:SS[.f|.ff|.fff]Z` in bytes [start, end), read digit by digit (a
 * tenth of the time of a regex and Date.parse); NaN for anything else, including the days 29-31 and
 * other edge cases that are left to Date.parse.
 */
export function isoUtcMillis(v: Uint8Array, start: number, end: number): number {
  const n = end - start;
  if (n !== 20 && (n < 22 || n > 24)) return NaN;
  if (v[start + 4] !== 45 || v[start + 7] !== 45 || v[start + 10] !== 84 || v[start + 13] !== 58 || v[start + 16] !== 58 || v[end - 1] !== 90) return NaN;
  const year = digits(v, start, 4);
  const month = digits(v, start + 5, 2);
  const day = digits(v, start + 8, 2);
  const hour = digits(v, start + 11, 2);
  const minute = digits(v, start + 14, 2);
  const second = digits(v, start + 17, 2);
  let millis = 0;
  if (n > 20) {
    if (v[start + 19] !== 46) return NaN;
    millis = digits(v, start + 20, n - 21) * (n === 22 ? 100 : n === 23 ? 10 : 1);
  }
  // NaN in any part fails every comparison below.
  if (!(month >= 1 && month <= 12 && day >= 1 && day <= 28 && hour <= 23 && minute <= 59 && second <= 59 && millis >= 0)) return NaN;
  return daysFromCivil(year, month, day) * 86_400_000 + ((hour * 60 + minute) * 60 + second) * 1000 + millis;
}

/** The number in `length` ASCII digits at `start`; NaN if any is not a digit. */
function digits(v: Uint8Array, start: number, length: number): number {
  let result = 0;
  for (let i = start; i < start + length; i++) {
    const d = v[i]! - 48;
    if (d < 0 || d > 9) return NaN;
    result = result * 10 + d;
  }
  return result;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  return era * 146_097 + yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear - 719_468;
}
