import { hourFromEpochMs, hoursBetween, type Hour } from './layout.js';

/**
 * The scheduled hours of an EventBridge schedule expression in a range: the hours a run is expected for (one
 * hour however many runs start in it, since a run writes its hour's keys). `status` compares them with what the
 * lake holds.
 *
 * - `cron(minutes hours day-of-month month day-of-week year)`, in UTC: numbers, names (JAN-DEC, SUN-SAT), `*`, `?`,
 *   lists, ranges and steps. `L`, `W` and `#` are read as `*` (every day they could name).
 * - `rate(N minute|minutes|hour|hours|day|days)`: a rate of an hour or less runs every hour; a longer one every
 *   N hours from a phase EventBridge does not say (it counts from when the rule was made), so `phaseHour` (an
 *   hour known to have run, such as the latest execution's) sets it; midnight UTC without one.
 */
export function scheduledHours(expression: string, from: Hour, to: Hour, phaseHour?: Hour): Hour[] {
  const hours = hoursBetween(from, to);
  const rate = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression);
  if (rate) {
    const n = Number(rate[1]);
    const every = rate[2]!.startsWith('minute') ? 1 : rate[2]!.startsWith('hour') ? n : n * 24;
    if (every <= 1) return hours;
    const phase = phaseHour ? index(phaseHour) % every : 0;
    return hours.filter((h) => ((index(h) % every) + every) % every === phase);
  }
  const cron = /^cron\((\S+) (\S+) (\S+) (\S+) (\S+) (\S+)\)$/.exec(expression);
  if (!cron) throw new Error(`not an EventBridge schedule expression: ${expression}`);
  const [, , hourField, domField, monthField, dowField, yearField] = cron;
  const hour = values(hourField!, 0, 23);
  const dom = values(domField!, 1, 31);
  const month = values(monthField!, 1, 12, MONTHS);
  const dow = values(dowField!, 1, 7, DAYS);
  const year = values(yearField!, 1970, 2199);
  // As in cron, a day matches when both day fields are unrestricted, or either restricted one names it.
  const domAny = domField === '*' || domField === '?';
  const dowAny = dowField === '*' || dowField === '?';
  return hours.filter((h) => {
    const at = new Date(h.iso);
    const dayMatches =
      domAny && dowAny ? true : domAny ? dow.has(at.getUTCDay() + 1) : dowAny ? dom.has(at.getUTCDate()) : dom.has(at.getUTCDate()) || dow.has(at.getUTCDay() + 1);
    return hour.has(at.getUTCHours()) && month.has(at.getUTCMonth() + 1) && year.has(at.getUTCFullYear()) && dayMatches;
  });
}

const index = (h: Hour) => Math.floor(Date.parse(h.iso) / 3_600_000);
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

/** The values a cron field names, between min and max. */
function values(field: string, min: number, max: number, names: string[] = []): Set<number> {
  const all = new Set<number>();
  const number = (text: string) => {
    const i = names.indexOf(text.toUpperCase());
    return i >= 0 ? i + min : Number(text);
  };
  for (const part of field.split(',')) {
    if (part === '*' || part === '?' || /[LW#]/.test(part)) {
      for (let v = min; v <= max; v++) all.add(v);
      continue;
    }
    const [range, step] = part.split('/') as [string, string | undefined];
    const [a, b] = range === '*' ? [min, max] : range.includes('-') ? range.split('-').map(number) : [number(range), step ? max : number(range)];
    for (let v = a!; v <= b! && v <= max; v += step ? Number(step) : 1) if (v >= min) all.add(v);
  }
  return all;
}

/** The latest hour of a range, for the default range of `status`: the last `hours` hours up to `now`. */
export function lastHours(now: number, hours: number): { from: Hour; to: Hour } {
  const to = hourFromEpochMs(now);
  return { from: hourFromEpochMs(now - (hours - 1) * 3_600_000), to };
}
