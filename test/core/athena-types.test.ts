import { parquetMetadata } from 'hyparquet';
import { describe, expect, it } from 'vitest';
import { athenaType, type ScalarType } from '../../src/core/columns.js';
import { COLUMN_TYPES, parseConfig } from '../../src/core/config.js';
import { scheduledHour } from '../../src/core/layout.js';
import { encodeHour } from '../../src/core/steps/transform.js';
import { readStruct, type Value } from '../helpers/parquet-pages.js';

/** The column types Athena engine v3 accepts in DDL that the transform uses (Athena "Data types"). */
const ATHENA_DDL_TYPES = new Set(['double', 'bigint', 'string', 'boolean', 'timestamp']);

/**
 * What each Athena type is written as, and why Athena reads it as that type. Trino (Athena engine v3) picks a
 * decoder from the Hive type and the Parquet type: lib/trino-parquet .../reader/ColumnReaderFactory.java.
 * - double: DOUBLE.
 * - bigint: INT64 without annotation.
 * - string: BYTE_ARRAY; annotated STRING/UTF8 so every other reader reads text too.
 * - boolean: BOOLEAN.
 * - timestamp: INT64 TIMESTAMP(isAdjustedToUTC=true, MILLIS), converted type TIMESTAMP_MILLIS. Trino decodes it
 *   for a `timestamp` column as epoch milliseconds (ValueDecoders getInt64TimestampMillsToShortTimestampDecoder),
 *   Athena's timestamp has millisecond precision, and this is what AWS SDK for pandas writes for Athena tables
 *   (coerce_timestamps="ms").
 * - array<T>: the 3-level LIST, `optional group (LIST) { repeated group list { optional T element } }`, which
 *   Trino resolves by structure (ParquetTypeUtils.getArrayElementColumn).
 */
const PARQUET_OF: Record<ScalarType, { type: string; converted?: string; logical?: unknown }> = {
  double: { type: 'DOUBLE' },
  bigint: { type: 'INT64' },
  string: { type: 'BYTE_ARRAY', converted: 'UTF8', logical: { type: 'STRING' } },
  boolean: { type: 'BOOLEAN' },
  timestamp: { type: 'INT64', converted: 'TIMESTAMP_MILLIS', logical: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MILLIS' } },
};

/** One hour holding every type the transform produces, each as a scalar and as a list. */
function everyType() {
  const source = parseConfig({
    source: { name: 't', url: 'https://x.example/a', auth: { in: 'none' }, columns: { n: 'bigint', at: 'timestamp', ns: 'bigint', ats: 'timestamp' } },
    table: 't',
    schedule: 'rate(1 hour)',
  }).source;
  const record = { d: 1.5, n: 7, s: 'x', b: true, at: '2026-11-25T18:00:00Z', ds: [1.5], ns: [7], ss: ['x'], bs: [true], ats: ['2026-11-25T18:00:00Z'] };
  return encodeHour([{ key: 'raw.json', body: new TextEncoder().encode(JSON.stringify([record])) }], { source, table: 't', hour: scheduledHour('2026-11-25T18:00:00Z'), ingestedAt: 0 })!;
}

describe('column types as Athena reads them', () => {
  it('names every type the transform produces as Athena engine v3 DDL accepts it', () => {
    const produced = new Set<string>();
    for (const type of [...COLUMN_TYPES, 'double', 'string', 'boolean'] as ScalarType[]) for (const list of [false, true]) produced.add(athenaType({ type, list }));
    for (const type of produced) {
      const scalar = /^array<(.+)>$/.exec(type)?.[1] ?? type;
      expect(ATHENA_DDL_TYPES.has(scalar), type).toBe(true);
    }
    const hour = everyType();
    expect(hour.columns).toEqual(
      expect.arrayContaining(['d double', 'n bigint', 's string', 'b boolean', 'at timestamp', 'ds array<double>', 'ns array<bigint>', 'ss array<string>', 'bs array<boolean>', 'ats array<timestamp>']),
    );
  });

  it('writes each Athena type as the Parquet type Athena reads as that type (read by hyparquet)', () => {
    const { body, columns } = everyType();
    const schema = parquetMetadata(body.slice().buffer).schema;
    const byName = new Map(schema.map((element, i) => [element.name, { element, i }]));
    for (const signature of columns) {
      const [name, type] = signature.split(' ') as [string, string];
      const list = /^array<(.+)>$/.exec(type);
      const expected = PARQUET_OF[(list?.[1] ?? type) as ScalarType];
      let leaf = byName.get(name)!;
      if (list) {
        expect(leaf.element).toMatchObject({ repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 });
        expect(schema[leaf.i + 1]).toMatchObject({ name: 'list', repetition_type: 'REPEATED', num_children: 1 });
        leaf = { element: schema[leaf.i + 2]!, i: leaf.i + 2 };
        expect(leaf.element.name).toBe('element');
      }
      expect(leaf.element.repetition_type, signature).toBe('OPTIONAL');
      expect(leaf.element.type, signature).toBe(expected.type);
      expect(leaf.element.converted_type, signature).toBe(expected.converted);
      expect(leaf.element.logical_type, signature).toEqual(expected.logical);
    }
  });

  it('marks timestamps adjusted to UTC in milliseconds, field by field as parquet.thrift numbers them', () => {
    const { body } = everyType();
    const length = new DataView(body.buffer, body.byteOffset).getUint32(body.length - 8, true);
    const footer = readStruct({ bytes: body, at: body.length - 8 - length });
    const decoder = new TextDecoder();
    const at = (footer[2] as { [id: number]: Value }[]).find((e) => decoder.decode(e[4] as Uint8Array) === 'at')!;
    // SchemaElement: 1 type (2 = INT64), 6 converted_type (9 = TIMESTAMP_MILLIS), 10 logicalType; LogicalType 8 TIMESTAMP;
    // TimestampType 1 isAdjustedToUTC, 2 unit; TimeUnit 1 MILLIS.
    expect([at[1], at[6], at[10]]).toEqual([2, 9, { 8: { 1: true, 2: { 1: {} } } }]);
  });
});
