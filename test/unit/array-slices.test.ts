import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sliceTopLevelArray } from '../../src/core/array-slices.js';
import { parseConfig } from '../../src/core/config.js';
import { scheduledHour } from '../../src/core/layout.js';
import { encodeHour, SLICED_PARSE_MIN_BYTES } from '../../src/core/steps/transform.js';
import { readParquet } from '../helpers/duckdb.js';

const bytes = (text: string) => new TextEncoder().encode(text);
/** What the slices hold, parsed: must equal JSON.parse of the whole body. */
const reassemble = (text: string, sliceBytes: number) => {
  const body = bytes(text);
  const sliced = sliceTopLevelArray(body, sliceBytes);
  if (!sliced) return null;
  const elements = sliced.slices.flatMap((s) => JSON.parse(`[${new TextDecoder().decode(body.subarray(s.start, s.end))}]`) as unknown[]);
  expect(elements).toHaveLength(sliced.count);
  return elements;
};

describe('sliceTopLevelArray', () => {
  it('cuts between whole elements, whatever strings hold', () => {
    const text = JSON.stringify([{ a: 'x,y]}"\\' }, { b: ['[', '{', '"'] }, 'é ☀️ 日本', 1.5e3, null, [[]], {}]);
    for (const sliceBytes of [1, 5, 1000]) expect(reassemble(text, sliceBytes)).toEqual(JSON.parse(text));
  });

  it('handles empty arrays, whitespace and a BOM', () => {
    expect(sliceTopLevelArray(bytes(' [ ] \n'), 10)).toEqual({ count: 0, slices: [] });
    expect(reassemble('\ufeff [ {"a":1} , {"a":2} ]\n', 1)).toEqual([{ a: 1 }, { a: 2 }]);
  });

  it('declines anything that is not one well-closed top-level array', () => {
    for (const text of ['{"a": []}', '[1,2', '[1,,2]', '[1] x', '["unterminated]', '42', '']) expect(sliceTopLevelArray(bytes(text), 1)).toBeNull();
  });

  it('agrees with JSON.parse for any array of JSON values', () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue({ maxDepth: 3 })), fc.integer({ min: 1, max: 200 }), (values, sliceBytes) => {
        const text = JSON.stringify(values, null, sliceBytes % 2 ? 1 : undefined);
        expect(reassemble(text, sliceBytes)).toEqual(JSON.parse(text));
      }),
      { numRuns: 300 },
    );
  });
});

describe('the transform on a large top-level array (parsed a slice at a time)', () => {
  it('writes the same Parquet content as the whole-body parse', async () => {
    const records = Array.from({ length: 60_000 }, (_, i) => ({ id: i, name: `n${i % 97}`, nested: { v: i / 7, flag: i % 2 === 0 }, tags: i % 5 ? ['a'] : [] }));
    const text = JSON.stringify(records);
    expect(text.length).toBeGreaterThan(SLICED_PARSE_MIN_BYTES);
    const encode = (body: string, recordsPath: string) => {
      const source = parseConfig({ source: { name: 's', url: 'https://x.example/a', auth: { in: 'none' }, recordsPath }, table: 't', schedule: 'rate(1 hour)' }).source;
      const out = encodeHour([{ key: 'k', body: bytes(body) }], { source, table: 't', hour: scheduledHour('2026-11-25T18:00Z'), ingestedAt: 0 })!;
      const file = join(mkdtempSync(join(tmpdir(), 'api-lake-slices-')), 'out.parquet');
      writeFileSync(file, out.body);
      return { out, file };
    };
    const sliced = encode(text, '');
    const whole = encode(`{"data":${text}}`, 'data');
    expect(sliced.out.columns).toEqual(whole.out.columns);
    const digest = 'SELECT count(*) AS n, sum(id) AS ids, md5(string_agg(name, \'\' ORDER BY id)) AS names, sum(nested_v) AS v, count(*) FILTER (WHERE nested_flag) AS flags, sum(len(tags)) AS tags FROM t';
    expect((await readParquet(sliced.file, digest)).rows).toEqual((await readParquet(whole.file, digest)).rows);
    expect((await readParquet(sliced.file, 'SELECT id, name FROM t WHERE id IN (0, 59999) ORDER BY id')).rows).toEqual([
      { id: 0, name: 'n0' },
      { id: 59999, name: `n${59999 % 97}` },
    ]);
  });

  it('reports a bad element of a large array with the same message as the whole parse', () => {
    const records = Array.from({ length: 60_000 }, (_, i) => (i === 59_999 ? 7 : { id: i, pad: 'x'.repeat(60) }));
    const source = parseConfig({ source: { name: 's', url: 'https://x.example/a', auth: { in: 'none' } }, table: 't', schedule: 'rate(1 hour)' }).source;
    expect(() => encodeHour([{ key: 'k', body: bytes(JSON.stringify(records)) }], { source, table: 't', hour: scheduledHour('2026-11-25T18:00Z'), ingestedAt: 0 })).toThrow(
      /holds a number \(7\) at index 59999/,
    );
  });
});
