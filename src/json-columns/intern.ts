/**
 * Interning for the reader: a value written exactly as one read before in the same column is that
 * same value, so repeated names, codes and tag lists are kept once, not once a record (fewer objects to
 * hold and for the garbage collector to copy). A small table per column, keyed by a hash of the value's
 * bytes; a table that mostly misses (ids, timestamps) switches itself off.
 */

const SLOTS = 1024;
/** Lookups after which a table with fewer than a quarter hits is switched off. */
const TRIAL = 2048;
/** Strings longer than this are not interned: long values rarely repeat. */
export const MAX_INTERNED_STRING_BYTES = 64;
/** Arrays longer than this (as text) are not interned. */
export const MAX_INTERNED_LIST_BYTES = 256;

export interface InternTable<T> {
  readonly slots: ({ readonly text: Uint8Array; readonly value: T } | undefined)[];
  lookups: number;
  hits: number;
  on: boolean;
}

export function newInternTable<T>(): InternTable<T> {
  return { slots: new Array(SLOTS).fill(undefined), lookups: 0, hits: 0, on: true };
}

/** The hash the tables use (polynomial, ×31) of bytes [start, end); the reader computes it inline while scanning strings. */
export function hashBytes(bytes: Uint8Array, start: number, end: number): number {
  let hash = 0;
  for (let i = start; i < end; i++) hash = (Math.imul(hash, 31) + bytes[i]!) | 0;
  return hash;
}

/** The value written as bytes[start, end) (whose hashBytes is `hash`), if the table holds it. */
export function lookUp<T>(table: InternTable<T>, bytes: Uint8Array, start: number, end: number, hash: number): T | undefined {
  const candidate = table.slots[hash & (SLOTS - 1)];
  table.lookups++;
  if (candidate !== undefined && candidate.text.length === end - start && sameBytes(bytes, start, candidate.text)) {
    table.hits++;
    return candidate.value;
  }
  if (table.lookups === TRIAL && table.hits * 4 < table.lookups) table.on = false;
  return undefined;
}

/** Keeps `value` as the one written as bytes[start, end), in place of what had its slot; returns it. */
export function remember<T>(table: InternTable<T>, bytes: Uint8Array, start: number, end: number, hash: number, value: T): T {
  table.slots[hash & (SLOTS - 1)] = { text: bytes.slice(start, end), value };
  return value;
}

function sameBytes(bytes: Uint8Array, start: number, other: Uint8Array): boolean {
  for (let i = 0; i < other.length; i++) if (bytes[start + i] !== other[i]) return false;
  return true;
}
