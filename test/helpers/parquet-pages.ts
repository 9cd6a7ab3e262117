import { readFileSync } from 'node:fs';
import { readParquet } from './duckdb.js';

/** One page as its header says: type (0 DATA_PAGE, 2 DICTIONARY_PAGE, 3 DATA_PAGE_V2), encoding and sizes. */
export interface PageInfo {
  readonly column: string;
  readonly rowGroup: number;
  readonly type: number;
  readonly encoding: number;
  readonly numValues: number;
  readonly uncompressedSize: number;
}

export const PAGE = { DATA_PAGE: 0, DICTIONARY_PAGE: 2, DATA_PAGE_V2: 3 } as const;
export const ENCODING = { PLAIN: 0, RLE: 3, RLE_DICTIONARY: 8 } as const;

/**
 * The pages of every column chunk of a Parquet file. Where each chunk starts and how long it is come
 * from DuckDB's parquet_metadata(); the page headers (Thrift compact structs) are read here, field by
 * field, independently of the writer under test.
 */
export async function parquetPages(path: string): Promise<PageInfo[]> {
  const bytes = new Uint8Array(readFileSync(path));
  const { rows } = await readParquet(
    path,
    `SELECT path_in_schema AS column, row_group_id AS rg, coalesce(dictionary_page_offset, data_page_offset) AS start, total_compressed_size AS size
     FROM parquet_metadata('${path.replaceAll("'", "''")}') ORDER BY rg, column_id`,
  );
  const pages: PageInfo[] = [];
  for (const row of rows) {
    let at = Number(row.start);
    const end = at + Number(row.size);
    while (at < end) {
      const reader = { bytes, at };
      const header = readStruct(reader);
      const body = (header[5] ?? header[7] ?? header[8] ?? {}) as Record<number, number>;
      pages.push({
        column: String(row.column),
        rowGroup: Number(row.rg),
        type: header[1] as number,
        encoding: body[2]!,
        numValues: body[1]!,
        uncompressedSize: header[2] as number,
      });
      at = reader.at + (header[3] as number);
    }
  }
  return pages;
}

/** The file's footer (FileMetaData), read field by field by the Thrift reader here: `{ [field id]: value }`. */
export function parquetFooter(path: string): { [id: number]: Value } {
  const bytes = new Uint8Array(readFileSync(path));
  const length = new DataView(bytes.buffer, bytes.byteOffset).getUint32(bytes.length - 8, true);
  return readStruct({ bytes, at: bytes.length - 8 - length });
}

export type Reader = { bytes: Uint8Array; at: number };
export type Value = number | boolean | Uint8Array | Value[] | { [id: number]: Value };

function varint(r: Reader): number {
  let result = 0;
  let scale = 1;
  for (;;) {
    const byte = r.bytes[r.at++]!;
    result += (byte & 0x7f) * scale;
    if (byte < 0x80) return result;
    scale *= 128;
  }
}

const unzigzag = (n: number) => (n % 2 === 0 ? n / 2 : -(n + 1) / 2);

function readValue(r: Reader, type: number): Value {
  switch (type) {
    case 1:
      return true;
    case 2:
      return false;
    case 3:
      return r.bytes[r.at++]!;
    case 4:
    case 5:
    case 6:
      return unzigzag(varint(r));
    case 8: {
      const length = varint(r);
      r.at += length;
      return r.bytes.subarray(r.at - length, r.at);
    }
    case 9: {
      const head = r.bytes[r.at++]!;
      const size = head >> 4 === 15 ? varint(r) : head >> 4;
      return Array.from({ length: size }, () => readValue(r, head & 0x0f));
    }
    case 12:
      return readStruct(r);
    default:
      throw new Error(`unexpected Thrift type ${type} at byte ${r.at}`);
  }
}

export function readStruct(r: Reader): { [id: number]: Value } {
  const struct: { [id: number]: Value } = {};
  let id = 0;
  for (;;) {
    const head = r.bytes[r.at++]!;
    if (head === 0) return struct;
    id = head >> 4 ? id + (head >> 4) : unzigzag(varint(r));
    struct[id] = readValue(r, head & 0x0f);
  }
}
