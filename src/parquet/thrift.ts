import type { ByteSink } from './byte-sink.js';

/** Thrift compact-protocol type ids (the subset Parquet's metadata uses). */
const TYPE = { TRUE: 1, FALSE: 2, I32: 5, I64: 6, BINARY: 8, LIST: 9, STRUCT: 12 } as const;

/** A value of a struct field, tagged with its Thrift type. */
export type ThriftValue =
  | { readonly i32: number }
  | { readonly i64: number }
  | { readonly bool: boolean }
  | { readonly binary: Uint8Array | string }
  | { readonly struct: StructValue }
  | { readonly list: ThriftList };

export type ThriftList =
  | { readonly i32: readonly number[] }
  | { readonly binary: readonly (Uint8Array | string)[] }
  | { readonly struct: readonly StructValue[] };

/** A struct of parquet.thrift: its fields' names and ids, in ascending id order (the order they are written in). */
export interface StructType<F extends string = string> {
  readonly name: string;
  readonly fields: readonly (readonly [F, number])[];
}

/** A struct's fields by name; an undefined field is left out (Thrift's optional). */
export interface StructValue<F extends string = string> {
  readonly type: StructType<F>;
  readonly fields: { readonly [K in F]?: ThriftValue };
}

/** Declares a struct by its fields' names and ids, as parquet.thrift numbers them. */
export function structType<const F extends string>(name: string, ids: Readonly<Record<F, number>>): StructType<F> {
  const fields = (Object.entries(ids) as [F, number][]).sort((a, b) => a[1] - b[1]);
  return { name, fields };
}

/** A struct of `type` with the given fields. */
export function struct<F extends string>(type: StructType<F>, fields: { readonly [K in F]?: ThriftValue }): { struct: StructValue<F> } {
  return { struct: { type, fields } };
}

export const i32 = (value: number) => ({ i32: value });
export const i64 = (value: number) => ({ i64: value });
export const bool = (value: boolean) => ({ bool: value });
export const binary = (value: Uint8Array | string) => ({ binary: value });

const encoder = new TextEncoder();
const zigzag = (n: number) => (n >= 0 ? n * 2 : -n * 2 - 1);

/**
 * Writes a struct in the Thrift compact protocol, which is how Parquet stores its file metadata and
 * page headers: each present field as a header (the delta from the previous field id and the type),
 * then its value; a stop byte ends the struct.
 */
export function writeStruct(sink: ByteSink, value: StructValue): void {
  let last = 0;
  for (const [name, id] of value.type.fields) {
    const field = value.fields[name];
    if (field === undefined) continue;
    const type = typeOf(field);
    if (id > last && id - last <= 15) sink.u8(((id - last) << 4) | type);
    else {
      sink.u8(type);
      sink.varint(zigzag(id));
    }
    last = id;
    writeValue(sink, field);
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
    else writeStruct(sink, item as StructValue);
  }
}
