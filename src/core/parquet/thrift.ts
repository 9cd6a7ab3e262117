import type { ByteSink } from './byte-sink.js';

/** Thrift compact-protocol type ids (the subset Parquet's metadata uses). */
const TYPE = { TRUE: 1, FALSE: 2, I32: 5, I64: 6, BINARY: 8, LIST: 9, STRUCT: 12 } as const;

/** A value of a struct field, tagged with its Thrift type. */
export type ThriftValue =
  | { readonly i32: number }
  | { readonly i64: number }
  | { readonly bool: boolean }
  | { readonly binary: Uint8Array | string }
  | { readonly struct: ThriftStruct }
  | { readonly list: ThriftList };

/** Struct fields by id; undefined fields are left out (Thrift's optional). */
export type ThriftStruct = Readonly<Record<number, ThriftValue | undefined>>;

export type ThriftList =
  | { readonly i32: readonly number[] }
  | { readonly binary: readonly (Uint8Array | string)[] }
  | { readonly struct: readonly ThriftStruct[] };

const encoder = new TextEncoder();
const zigzag = (n: number) => (n >= 0 ? n * 2 : -n * 2 - 1);

/**
 * Writes a struct in the Thrift compact protocol, which is how Parquet stores its file metadata and
 * page headers. Fields are written in ascending id order, as the protocol's field-id deltas expect.
 */
export function writeStruct(sink: ByteSink, struct: ThriftStruct): void {
  let last = 0;
  // Integer keys are enumerated in ascending order (ECMAScript OrdinaryOwnPropertyKeys): no sort needed.
  for (const key in struct) {
    const id = Number(key);
    const value = struct[id];
    if (value === undefined) continue;
    const type = typeOf(value);
    if (id > last && id - last <= 15) sink.u8(((id - last) << 4) | type);
    else {
      sink.u8(type);
      sink.varint(zigzag(id));
    }
    last = id;
    writeValue(sink, value);
  }
  sink.u8(0); // stop
}

function typeOf(value: ThriftValue): number {
  if ('i32' in value) return TYPE.I32;
  if ('i64' in value) return TYPE.I64;
  if ('bool' in value) return value.bool ? TYPE.TRUE : TYPE.FALSE;
  if ('binary' in value) return TYPE.BINARY;
  if ('struct' in value) return TYPE.STRUCT;
  return TYPE.LIST;
}

function writeValue(sink: ByteSink, value: ThriftValue): void {
  if ('i32' in value) sink.varint(zigzag(value.i32));
  else if ('i64' in value) sink.varint(zigzag(value.i64));
  else if ('binary' in value) writeBinary(sink, value.binary);
  else if ('struct' in value) writeStruct(sink, value.struct);
  else if ('list' in value) writeList(sink, value.list);
  // booleans live in the field header
}

function writeBinary(sink: ByteSink, value: Uint8Array | string): void {
  const bytes = typeof value === 'string' ? encoder.encode(value) : value;
  sink.varint(bytes.length);
  sink.write(bytes);
}

function writeList(sink: ByteSink, list: ThriftList): void {
  const [type, items] = 'i32' in list ? [TYPE.I32, list.i32] : 'binary' in list ? [TYPE.BINARY, list.binary] : [TYPE.STRUCT, list.struct];
  if (items.length < 15) sink.u8((items.length << 4) | type);
  else {
    sink.u8(0xf0 | type);
    sink.varint(items.length);
  }
  for (const item of items) {
    if (type === TYPE.I32) sink.varint(zigzag(item as number));
    else if (type === TYPE.BINARY) writeBinary(sink, item as Uint8Array | string);
    else writeStruct(sink, item as ThriftStruct);
  }
}
