import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/core/errors.js';
import { curatedObjectKey, curatedTablePrefix, hourFromEpochMs, hoursBetween, PARTITION_KEYS, partitionLocationTemplate, rawHourPrefix, rawObjectKey, scheduledHour } from '../../src/core/layout.js';

describe('object layout', () => {
  it('keys raw and curated objects by the scheduled UTC hour in Hive partitions', () => {
    const hour = scheduledHour('2026-11-25T18:00:00Z');
    expect(rawObjectKey('weather', hour)).toBe('weather/dt=2026-11-25/hour=18/weather_20261125T18Z.json');
    expect(curatedObjectKey('weather', hour)).toBe('weather/dt=2026-11-25/hour=18/weather_20261125T18Z.parquet');
    expect(rawObjectKey('weather', hour, { page: 2 })).toBe('weather/dt=2026-11-25/hour=18/weather_20261125T18Z_p0002.json');
    expect(rawObjectKey('weather', hour, { request: '-37.50-145.74', page: 12 })).toBe('weather/dt=2026-11-25/hour=18/weather_20261125T18Z_r--37.50-145.74_p0012.json');
  });

  it('truncates to the hour and converts offsets to UTC, so a late or zoned start lands in the same hour', () => {
    expect(scheduledHour('2026-11-25T18:59:59.999Z').iso).toBe('2026-11-25T18:00:00.000Z');
    expect(scheduledHour('2026-11-26T05:30:00+11:00').iso).toBe('2026-11-25T18:00:00.000Z');
  });

  it('gives distinct consecutive hours across a DST change (Melbourne, 2026-04-05 03:00 local)', () => {
    // Local clocks in Australia/Melbourne repeat 02:00-03:00; UTC keys never repeat or skip.
    const hours = hoursBetween(scheduledHour('2026-04-04T14:00:00Z'), scheduledHour('2026-04-04T18:00:00Z'));
    const keys = hours.map((h) => rawObjectKey('weather', h));
    expect(new Set(keys).size).toBe(5);
    expect(keys[0]).toContain('dt=2026-04-04/hour=14');
    expect(keys[4]).toContain('dt=2026-04-04/hour=18');
  });

  it('rolls over the year boundary', () => {
    const [last, first] = hoursBetween(scheduledHour('2026-12-31T23:00:00Z'), scheduledHour('2027-01-01T00:00:00Z'));
    expect(curatedObjectKey('weather', last!)).toBe('weather/dt=2026-12-31/hour=23/weather_20261231T23Z.parquet');
    expect(curatedObjectKey('weather', first!)).toBe('weather/dt=2027-01-01/hour=00/weather_20270101T00Z.parquet');
  });

  it('refuses a missing, zone-less, impossible or garbage time instead of guessing an hour', () => {
    for (const bad of [undefined, null, 42, '', '2026-11-25T18:00:00', 'yesterday', '2026-13-45T99:00:00Z', '2026-02-30T00:00:00Z', '2026-11-25T24:00:00Z', '2026-11-25 18:00:00Z']) {
      expect(() => scheduledHour(bad)).toThrow(InvalidInputError);
    }
    expect(() => scheduledHour(undefined)).toThrow(/"time" must be an RFC 3339 timestamp with seconds and a zone.*the field is missing/);
  });

  it('accepts exactly what Step Functions IsTimestamp accepts: RFC 3339 with seconds, uppercase T, Z or an offset', () => {
    expect(scheduledHour('2028-02-29T18:30:00Z').iso).toBe('2028-02-29T18:00:00.000Z');
    expect(scheduledHour('2026-11-25T18:00:00.5+00:00').iso).toBe('2026-11-25T18:00:00.000Z');
    for (const refused of ['2026-11-25T18:00Z', '2026-11-25t18:00:00z', '2026-11-25T18:00:00+0200', '2027-02-29T00:00:00Z']) {
      expect(() => scheduledHour(refused)).toThrow(InvalidInputError);
    }
  });

  it("is the location Athena's partition projection computes for every hour, from the template and the projection settings", () => {
    // Athena fills the template with the date in the projection's format and the hour padded to its digits.
    const javaDate = (pattern: string, date: Date) =>
      pattern.replace('yyyy', String(date.getUTCFullYear()).padStart(4, '0')).replace('MM', String(date.getUTCMonth() + 1).padStart(2, '0')).replace('dd', String(date.getUTCDate()).padStart(2, '0'));
    const { date, hour } = PARTITION_KEYS;
    const template = partitionLocationTemplate(`s3://bucket/${curatedTablePrefix('weather')}`);
    expect(template).toBe('s3://bucket/weather/dt=${dt}/hour=${hour}/');
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1970, 0, 1), max: Date.UTC(9999, 11, 31, 23) }), (ms) => {
        const h = hourFromEpochMs(ms);
        const at = new Date(h.iso);
        expect(at.getUTCHours()).toBeGreaterThanOrEqual(hour.min);
        expect(at.getUTCHours()).toBeLessThanOrEqual(hour.max);
        const projected = template.replace(`\${${date.name}}`, javaDate(date.format, at)).replace(`\${${hour.name}}`, String(at.getUTCHours()).padStart(hour.digits, '0'));
        const key = curatedObjectKey('weather', h);
        expect(projected).toBe(`s3://bucket/${key.slice(0, key.lastIndexOf('/') + 1)}`);
        expect(rawHourPrefix('weather', h)).toBe(key.slice(0, key.lastIndexOf('/') + 1)); // both zones share the partitions
      }),
    );
  });
});
