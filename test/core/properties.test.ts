import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/core/config.js';
import { InvalidResponseError, SchemaError } from '../../src/core/errors.js';
import { scheduledHour } from '../../src/core/layout.js';
import { encodeHour } from '../../src/core/steps/transform.js';
import { readParquet } from '../helpers/duckdb.js';
import { tempDir } from '../helpers/temp-dirs.js';

const source = parseConfig({ source: { name: 'prop', url: 'https://x.example/a', auth: { in: 'none' } }, table: 'prop', schedule: 'rate(1 hour)' }).source;
const hour = scheduledHour('2026-11-25T18:00:00Z');
const encode = (records: unknown) =>
  encodeHour([{ key: 'prop/raw.json', body: new TextEncoder().encode(JSON.stringify(records)) }], { source, table: 'prop', hour, ingestedAt: 0 });

type Kind = 'number' | 'string' | 'boolean' | 'numbers' | 'strings';
const value = (kind: Kind): fc.Arbitrary<unknown> =>
  ({
    number: fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => (Object.is(n, -0) ? 0 : n)),
    string: fc.string({ unit: 'grapheme', maxLength: 12 }),
    boolean: fc.boolean(),
    numbers: fc.array(fc.integer({ min: -1e6, max: 1e6 }), { maxLength: 4 }),
    strings: fc.array(fc.string({ unit: 'grapheme-ascii', maxLength: 5 }), { maxLength: 4 }),
  })[kind];

/** A field: a scalar or list of one kind, or an object of such fields (one level down). */
type Field = { name: string; kind: Kind } | { name: string; children: { name: string; kind: Kind }[] };
const name = fc.stringMatching(/^[a-z][a-z0-9_]{0,5}$/);
const kind = fc.constantFrom<Kind>('number', 'string', 'boolean', 'numbers', 'strings');
const leaf = fc.record({ name, kind });
const field: fc.Arbitrary<Field> = fc.oneof(leaf, fc.record({ name, children: fc.uniqueArray(leaf, { selector: (f) => f.name, minLength: 1, maxLength: 3 }) }));

/** Records that follow the fields, each value present, null, or missing. */
const recordsOf = (fields: Field[]) => {
  const leafValue = (k: Kind) => fc.oneof({ weight: 4, arbitrary: value(k) }, { weight: 1, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constant(undefined) });
  const record = fc.record(
    Object.fromEntries(
      fields.map((f) => [f.name, 'kind' in f ? leafValue(f.kind) : fc.record(Object.fromEntries(f.children.map((c) => [c.name, leafValue(c.kind)])))]),
    ) as Record<string, fc.Arbitrary<unknown>>,
  );
  return fc.array(record, { minLength: 1, maxLength: 12 });
};

/** The documented mapping, written independently: flattened name -> value per record, or the collision it must report. */
function expected(fields: Field[], records: Record<string, unknown>[]): { columns: Map<string, unknown[]> } | { collision: true } {
  const paths = new Map<string, string>();
  const leaves: { column: string; get: (r: Record<string, unknown>) => unknown }[] = [];
  for (const f of fields) {
    const members = 'kind' in f ? [{ path: [f.name] }] : f.children.map((c) => ({ path: [f.name, c.name] }));
    for (const { path } of members) {
      const column = path.join('_');
      if (paths.has(column) && paths.get(column) !== JSON.stringify(path)) return { collision: true };
      paths.set(column, JSON.stringify(path));
      leaves.push({ column, get: (r) => path.reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], r) });
    }
  }
  return { columns: new Map(leaves.map((l) => [l.column, records.map((r) => l.get(r) ?? null)])) };
}

describe('flattening and type mapping, for any record set', () => {
  it('Parquet read back with DuckDB equals the input under the documented mapping, or the collision is reported', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(field, { selector: (f) => f.name, minLength: 1, maxLength: 5 }).chain((fields) => fc.tuple(fc.constant(fields), recordsOf(fields))),
        async ([fields, generated]) => {
          const records = JSON.parse(JSON.stringify(generated)) as Record<string, unknown>[]; // what the API would send
          const want = expected(fields, records);
          if ('collision' in want) {
            expect(() => encode(records)).toThrow(SchemaError);
            return;
          }
          const file = join(tempDir('api-lake-prop-'), 'p.parquet');
          writeFileSync(file, encode(records)!.body);
          const { rows } = await readParquet(file);
          expect(rows).toHaveLength(records.length);
          for (const [column, values] of want.columns) {
            expect(rows.map((row) => row[column] ?? null)).toEqual(values);
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it('any JSON at all either encodes or fails with a documented error, never a crash', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (json) => {
        try {
          encode(json);
        } catch (error) {
          expect([SchemaError, InvalidResponseError].some((type) => error instanceof type)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});
