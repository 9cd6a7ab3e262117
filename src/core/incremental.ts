import type { SourceConfig } from './config.js';
import { InvalidResponseError, ObjectNotFoundError, SchemaError } from './errors.js';
import type { Hour } from './layout.js';
import type { CallOptions, ObjectStore } from './ports.js';
import { extractRecords, parseJsonBody } from './records.js';
import { valueAt } from './request-chain.js';

/**
 * The incremental cursor of a source: the largest `incremental.cursorPath` value an hour saw becomes the
 * `incremental.param` of the hours after it. Kept in the curated zone at `_state/<source>.json`, beside the table
 * schemas, as one entry per hour that moved it, so a rerun of an hour asks from where that hour asked before.
 */
export interface IncrementalState {
  readonly source: string;
  readonly cursorPath: string;
  /** In hour order: the value each hour ended with, and when it was written. */
  readonly entries: readonly IncrementalEntry[];
}

export interface IncrementalEntry {
  /** The scheduled hour that saw the value (ISO). */
  readonly hour: string;
  readonly value: string | number;
  readonly setAt: string;
}

/** Hours of history kept: a rerun of an hour older than that asks from the oldest kept value. */
export const INCREMENTAL_HISTORY = 1000;

/** Where a source's incremental state is kept in the curated zone. */
export const incrementalStateKey = (source: string) => `_state/${source}.json`;

/** The value `hour` asks from: the last entry of an earlier hour, or `incremental.initial`. */
export function cursorFor(state: IncrementalState | undefined, source: SourceConfig, hour: Hour): string | number {
  const earlier = (state?.entries ?? []).filter((entry) => entry.hour < hour.iso);
  return earlier.at(-1)?.value ?? source.incremental!.initial;
}

/** The source's state from the store; undefined before the first hour stored one. A damaged one is an error, never a reset. */
export async function readIncrementalState(store: ObjectStore, source: SourceConfig, options: CallOptions = {}): Promise<IncrementalState | undefined> {
  const key = incrementalStateKey(source.name);
  let body: Uint8Array;
  try {
    ({ body } = await store.get(key, options));
  } catch (error) {
    if (error instanceof ObjectNotFoundError) return undefined;
    throw error;
  }
  try {
    const state = JSON.parse(new TextDecoder().decode(body)) as IncrementalState;
    if (Array.isArray(state?.entries)) return state;
  } catch {
    // named below
  }
  throw new SchemaError(`the incremental state ${key} is not valid JSON of the expected shape: restore it from its S3 version, or delete it to start again from incremental.initial`);
}

/**
 * The state after `hour`: its entry set to the largest cursor value of its pages (never below the value the
 * hour asked from), later hours' entries kept. Undefined when the hour moves nothing (no records with a value).
 */
export function advanceState(state: IncrementalState | undefined, source: SourceConfig, hour: Hour, pages: readonly { key: string; body: Uint8Array }[], now: number): IncrementalState | undefined {
  const { cursorPath } = source.incremental!;
  const seen: (string | number)[] = [];
  for (const page of pages) {
    for (const record of extractRecords(parseJsonBody(page.body, page.key), source.recordsPath, page.key)) {
      const value = valueAt(record, cursorPath);
      if (value === undefined || value === null || value === '') continue;
      if (typeof value !== 'string' && typeof value !== 'number') {
        throw new InvalidResponseError(`a record in ${page.key} holds ${JSON.stringify(value).slice(0, 60)} at incremental.cursorPath "${cursorPath}": a cursor must be a string or a number`);
      }
      seen.push(value);
    }
  }
  if (seen.length === 0) return undefined;
  // incremental.initial is text in the config; against numeric cursors it is the number it spells.
  let from = cursorFor(state, source, hour);
  if (typeof from === 'string' && typeof seen[0] === 'number' && from.trim() !== '' && Number.isFinite(Number(from))) from = Number(from);
  const largest = [from, ...seen].reduce((a, b) => (compareCursors(a, b, cursorPath) >= 0 ? a : b));
  const entries = (state?.entries ?? []).filter((entry) => entry.hour !== hour.iso);
  entries.push({ hour: hour.iso, value: largest, setAt: new Date(now).toISOString() });
  entries.sort((a, b) => (a.hour < b.hour ? -1 : a.hour > b.hour ? 1 : 0));
  return { source: source.name, cursorPath, entries: entries.slice(-INCREMENTAL_HISTORY) };
}

/** Numbers by value; timestamps by the instant they name (offsets differ); other strings as text. */
export function compareCursors(a: string | number, b: string | number, cursorPath: string): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') {
    const [x, y] = [Date.parse(a), Date.parse(b)];
    if (/^\d{4}-\d{2}-\d{2}/.test(a) && /^\d{4}-\d{2}-\d{2}/.test(b) && !Number.isNaN(x) && !Number.isNaN(y)) return x - y;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  throw new InvalidResponseError(`incremental.cursorPath "${cursorPath}" holds numbers and strings (${JSON.stringify(a)}, ${JSON.stringify(b)}): its values must be all one or the other`);
}
