import { describe, expect, it } from 'vitest';
import { ParquetFileWriter, ROW_GROUP_ROWS, type ParquetColumn } from '../../src/parquet/index.js';
import { readStruct, type Value } from '../helpers/parquet-pages.js';

type Struct = { [id: number]: Value };
const text = (v: Value | undefined) => new TextDecoder().decode(v as Uint8Array);

/** The file's bytes and its footer (FileMetaData), read by the tests' own Thrift reader. */
function written(columns: ParquetColumn[], metadata?: Record<string, string>) {
  const writer = new ParquetFileWriter();
  writer.addRows(columns);
  const bytes = writer.finish(metadata).slice();
  const length = new DataView(bytes.buffer).getUint32(bytes.length - 8, true);
  return { bytes, length, footer: readStruct({ bytes, at: bytes.length - 8 - length }) };
}

const columns: ParquetColumn[] = [
  { name: 'x', type: 'DOUBLE', list: false, values: [1, 2, null] },
  { name: 'at', type: 'TIMESTAMP_MILLIS', list: false, values: [0, null, 1] },
  { name: 'tags', type: 'STRING', list: true, values: [['a'], null, []] },
  { name: 'ok', type: 'BOOLEAN', list: false, values: [true, null, false] },
];

describe('Parquet footer (FileMetaData)', () => {
  it('is framed by PAR1 and its own length, and counts the rows', () => {
    const { bytes, length, footer } = written(columns);
    const magic = (at: number) => text(bytes.subarray(at, at + 4));
    expect([magic(0), magic(bytes.length - 4)]).toEqual(['PAR1', 'PAR1']);
    expect(length).toBeGreaterThan(0);
    expect(footer[1]).toBe(2); // version
    expect(footer[3]).toBe(3); // num_rows
    expect(text(footer[6])).toBe('api-lake'); // created_by
  });

  it('lays out the schema flat: the root, optional leaves, and a list as the 3-level LIST', () => {
    const schema = written(columns).footer[2] as Struct[];
    // SchemaElement: 1 type, 3 repetition_type, 4 name, 5 num_children, 6 converted_type, 10 logicalType
    const shape = schema.map((e) => ({ name: text(e[4]), type: e[1], repetition: e[3], children: e[5], converted: e[6], logical: e[10] }));
    expect(shape).toEqual([
      { name: 'root', type: undefined, repetition: undefined, children: 4, converted: undefined, logical: undefined },
      { name: 'x', type: 5, repetition: 1, children: undefined, converted: undefined, logical: undefined },
      { name: 'at', type: 2, repetition: 1, children: undefined, converted: 9, logical: { 8: { 1: true, 2: { 1: {} } } } },
      { name: 'tags', type: undefined, repetition: 1, children: 1, converted: 3, logical: { 3: {} } },
      { name: 'list', type: undefined, repetition: 2, children: 1, converted: undefined, logical: undefined },
      { name: 'element', type: 6, repetition: 1, children: undefined, converted: 0, logical: { 1: {} } },
      { name: 'ok', type: 0, repetition: 1, children: undefined, converted: undefined, logical: undefined },
    ]);
  });

  it('declares TYPE_ORDER for every leaf column, so Trino (Athena) trusts the min/max statistics', () => {
    const { footer } = written(columns);
    const leaves = (footer[2] as Struct[]).filter((element) => element[1] !== undefined);
    expect(leaves).toHaveLength(4);
    expect(footer[7]).toEqual(leaves.map(() => ({ 1: {} })));
  });

  it('keeps key-value metadata in order, and leaves the field out when there is none', () => {
    const kv = written(columns, { 'b.key': 'é', 'a.key': '' }).footer[5] as Struct[];
    expect(kv.map((e) => [text(e[1]), text(e[2])])).toEqual([
      ['b.key', 'é'],
      ['a.key', ''],
    ]);
    expect(written(columns).footer[5]).toBeUndefined();
  });

  it('points every row group and column chunk at pages that are where it says, with sizes that add up', () => {
    const n = ROW_GROUP_ROWS + 5;
    const { bytes, footer } = written([
      { name: 'id', type: 'INT64', list: false, values: Array.from({ length: n }, (_, i) => i) },
      { name: 'kind', type: 'STRING', list: false, values: Array.from({ length: n }, (_, i) => `k${i % 3}`) },
    ]);
    const groups = footer[4] as Struct[];
    // RowGroup: 1 columns, 2 total_byte_size, 3 num_rows, 5 file_offset, 6 total_compressed_size
    expect(groups.map((g) => g[3])).toEqual([ROW_GROUP_ROWS, 5]);
    let expectedStart = 4; // after the leading PAR1
    for (const group of groups) {
      const chunks = (group[1] as Struct[]).map((c) => c[3] as Struct); // ColumnChunk.meta_data
      expect(group[5]).toBe(expectedStart);
      for (const chunk of chunks) {
        // ColumnMetaData: 7 total_compressed_size, 9 data_page_offset, 11 dictionary_page_offset
        const start = (chunk[11] ?? chunk[9]) as number;
        expect(start).toBe(expectedStart); // chunks follow each other with no gap
        const reader = { bytes, at: start };
        const first = readStruct(reader);
        expect(first[1]).toBe(chunk[11] === undefined ? 0 : 2); // DATA_PAGE, or DICTIONARY_PAGE first
        if (chunk[11] !== undefined) expect(readStruct({ bytes, at: chunk[9] as number })[1]).toBe(0);
        expectedStart += chunk[7] as number;
      }
      expect(group[6]).toBe(chunks.reduce((sum, c) => sum + (c[7] as number), 0));
      expect(group[2]).toBe(chunks.reduce((sum, c) => sum + (c[6] as number), 0));
    }
    // the footer starts right after the last chunk
    const footerLength = new DataView(bytes.buffer).getUint32(bytes.length - 8, true);
    expect(bytes.length - 8 - footerLength).toBe(expectedStart);
  });
});
