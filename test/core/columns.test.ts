import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { columnName } from '../../src/core/column-names.js';
import { columnSignature } from '../../src/core/columns.js';
import { cellsOf, columnsOf } from '../helpers/columns.js';
import { parseTimestampUtc } from '../../src/core/timestamps.js';
import { InvalidResponseError, SchemaError } from '../../src/core/errors.js';
import { extractRecords, parseJsonBody } from '../../src/core/records.js';

const weather = JSON.parse(readFileSync(new URL('../fixtures/weatherapi-current.json', import.meta.url), 'utf8'));
const bytes = (text: string) => new TextEncoder().encode(text);

describe('flattening', () => {
  it('names nested fields by their full path', () => {
    const columns = columnsOf([weather]);
    const names = columns.map((c) => c.name);
    expect(names).toContain('current_condition_text');
    expect(names).toContain('location_tz_id');
    expect(columns.find((c) => c.name === 'current_condition_text')!.path).toBe('current.condition.text');
  });

  it('makes names Athena-safe: lowercase, [a-z0-9_], starting with a letter', () => {
    expect(columnName(['Temp-C'])).toBe('temp_c');
    expect(columnName(['température'])).toBe('temperature');
    expect(columnName(['2nd'])).toBe('c_2nd');
  });

  it('stores a field named like a partition key (dt, hour) as source_dt, source_hour', () => {
    expect(columnName(['dt'])).toBe('source_dt');
    expect(columnName(['Hour'])).toBe('source_hour');
    expect(columnName(['main', 'dt'])).toBe('main_dt');
    expect(columnsOf([{ dt: 1764093600, hour: 18 }]).map((c) => c.name)).toEqual(['source_dt', 'source_hour']);
  });

  it('refuses two fields that become one column, naming both', () => {
    expect(() => columnsOf([{ a: { b_c: 1 }, a_b: { c: 2 } }])).toThrow(SchemaError);
    expect(() => columnsOf([{ Temp: 1, temp: 2 }])).toThrow(/fields "Temp" and "temp" both become column "temp"/);
    expect(() => columnsOf([{ 'a.b': 1, a: { b: 2 } }])).toThrow(/both become column "a_b"/);
  });
});

describe('type mapping', () => {
  it('maps every JSON number to double, so 1015.0 and 1016 share a type', () => {
    const [pressure] = columnsOf([{ pressure_mb: 1015.0 }, { pressure_mb: 1016 }]);
    expect(columnSignature(pressure!)).toBe('pressure_mb double');
    expect(cellsOf(pressure!.values)).toEqual([1015, 1016]);
  });

  it('uses the declared type when the config names the column', () => {
    const columns = columnsOf([{ epoch: 1764093600, at: '2025-11-26 05:00', n: 7 }], { epoch: 'bigint', at: 'timestamp', n: 'string' });
    expect(columns.map(columnSignature)).toEqual(['epoch bigint', 'at timestamp', 'n string']);
    expect(cellsOf(columns[0]!.values)).toEqual([1764093600]);
    expect(cellsOf(columns[1]!.values)).toEqual([Date.parse('2025-11-26T05:00:00Z')]);
    expect(cellsOf(columns[2]!.values)).toEqual(['7']);
  });

  it('reads full ISO-8601 UTC timestamps exactly as Date.parse does, and refuses impossible dates Date.parse rolls over', () => {
    const isoForms = fc
      .tuple(fc.date({ min: new Date('0000-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true }), fc.integer({ min: 0, max: 3 }))
      .map(([date, fraction]) => {
        const iso = date.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
        return fraction === 0 ? `${iso.slice(0, 19)}Z` : `${iso.slice(0, 20 + fraction)}Z`;
      });
    fc.assert(
      fc.property(isoForms, (text) => {
        expect(parseTimestampUtc(text)).toBe(Date.parse(text));
      }),
      { numRuns: 2000 },
    );
    for (const text of ['2024-02-29T12:00:00Z', '2026-13-01T00:00:00Z', '2026-01-01T23:59:60Z', '2026-1-01T00:00:00Z'])
      expect(parseTimestampUtc(text), text).toBe(Date.parse(text));
    for (const text of ['2026-02-30T00:00:00Z', '2026-02-29T00:00:00Z', '2026-04-31 10:00', '2100-02-29T00:00:00+01:00', '2026-01-01T24:00:00Z']) {
      expect(Date.parse(text.replace(' ', 'T') + (text.includes('Z') || text.includes('+') ? '' : 'Z')), text).not.toBeNaN();
      expect(parseTimestampUtc(text), text).toBeNaN();
    }
  });

  it('reads zone-less timestamps as UTC, never as the machine local time', () => {
    expect(parseTimestampUtc('2025-11-26 05:00')).toBe(Date.UTC(2025, 10, 26, 5, 0));
    expect(parseTimestampUtc('2025-11-26T05:00:00+11:00')).toBe(Date.UTC(2025, 10, 25, 18, 0));
    expect(parseTimestampUtc('2025-11-26')).toBe(Date.UTC(2025, 10, 26));
    expect(Number.isNaN(parseTimestampUtc('26/11/2025'))).toBe(true);
  });

  it('types booleans, strings, all-null columns as string, scalar arrays as lists and object arrays as JSON', () => {
    const columns = columnsOf([
      { ok: true, s: 'x', none: null, tags: ['a', 'b'], alerts: [{ level: 1 }] },
      { ok: false, s: null, none: null, tags: [], alerts: [] },
    ]);
    expect(columns.map(columnSignature)).toEqual(['ok boolean', 's string', 'none string', 'tags array<string>', 'alerts string']);
    expect(cellsOf(columns[3]!.values)).toEqual([['a', 'b'], []]);
    expect(cellsOf(columns[4]!.values)).toEqual(['[{"level":1}]', '[]']);
  });

  it('fills columns missing from a record with null', () => {
    const columns = columnsOf([{ a: 1 }, { b: 'x' }]);
    expect(columns.map((c) => cellsOf(c.values))).toEqual([[1, null], [null, 'x']]);
  });

  it('refuses a column whose type changes between records, naming it and both types', () => {
    expect(() => columnsOf([{ v: 1 }, { v: 'one' }])).toThrow(/column "v" \(v\) is number in an earlier record but string in record 1/);
    expect(() => columnsOf([{ v: [1, 'a'] }])).toThrow(/mixes number and string/);
    expect(() => columnsOf([{ v: 'x' }], { v: 'bigint' })).toThrow(/declared bigint/);
    expect(() => columnsOf([{ v: 2 ** 60 }], { v: 'bigint' })).toThrow(/within ±2\^53/);
  });
});

describe('records', () => {
  it('takes an object as one record and an array as many, at recordsPath', () => {
    expect(extractRecords(weather, '', 'k')).toHaveLength(1);
    expect(extractRecords({ data: { items: [{ a: 1 }, { a: 2 }] } }, 'data.items', 'k')).toHaveLength(2);
    expect(extractRecords([], '', 'k')).toEqual([]);
  });

  it('names the path and what it found when the records are missing or not objects', () => {
    expect(() => extractRecords({ data: {} }, 'data.items', 'raw/key.json')).toThrow(/recordsPath "data.items" was not found in raw\/key.json: there is no "items"/);
    expect(() => extractRecords({ data: [1] }, 'data', 'k')).toThrow(/holds a number \(1\) at index 0/);
    expect(() => extractRecords(42, '', 'k')).toThrow(InvalidResponseError);
  });

  it('names the raw object when the body is empty or not JSON', () => {
    expect(() => parseJsonBody(bytes(''), 'raw/a.json')).toThrow(/raw\/a.json is empty, not JSON/);
    expect(() => parseJsonBody(bytes('<html>oops</html>'), 'raw/a.json')).toThrow(/raw\/a.json is not JSON .* starts with "<html>oops/);
    expect(() => parseJsonBody(bytes('{"a": '), 'raw/a.json')).toThrow(InvalidResponseError);
  });
});
