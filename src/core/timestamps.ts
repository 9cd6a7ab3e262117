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
  const match = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{1,2}):(\d{2})(:\d{2}(?:\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(value.trim());
  if (!match) return NaN;
  const [, date, h = '00', m = '00', s = ':00', zone = 'Z'] = match;
  return Date.parse(`${date}T${h.padStart(2, '0')}:${m}${s}${zone}`);
}

const isoScratch = new Uint8Array(24);

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
