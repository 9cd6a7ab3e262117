import { InvalidResponseError } from './errors.js';

/** A JSON object: one record before flattening. */
export type JsonRecord = { [key: string]: unknown };

const decoder = new TextDecoder('utf-8', { fatal: false });

/** Parses a raw response body as JSON, naming the object and what it found when it is not JSON. */
export function parseJsonBody(body: Uint8Array, rawKey: string): unknown {
  const text = decoder.decode(body);
  if (text.trim() === '') throw new InvalidResponseError(`the response stored at ${rawKey} is empty, not JSON`);
  try {
    return JSON.parse(text);
  } catch (error) {
    const start = text.trimStart().slice(0, 40).replace(/\s+/g, ' ');
    throw new InvalidResponseError(`the response stored at ${rawKey} is not JSON (${(error as Error).message}); it starts with "${start}"`, {
      cause: error,
    });
  }
}

/**
 * The records at `recordsPath` (a dotted path; "" is the whole body). An object is one record, an
 * array is many; anything else is an error that names the path and what was found there.
 */
export function extractRecords(body: unknown, recordsPath: string, rawKey: string): JsonRecord[] {
  let node: unknown = body;
  const where = recordsPath === '' ? 'the response body' : `recordsPath "${recordsPath}"`;
  if (recordsPath !== '') {
    for (const part of recordsPath.split('.')) {
      // A number picks an element of an array (`forecast.forecastday.0.hour`).
      if (Array.isArray(node) && /^\d+$/.test(part) && Number(part) < node.length) {
        node = node[Number(part)];
        continue;
      }
      if (!isRecord(node) || !(part in node)) {
        const found = Array.isArray(node) ? `an array of ${node.length}` : `${kindOf(node)}${isRecord(node) ? ` with keys ${keysOf(node)}` : ''}`;
        throw new InvalidResponseError(`${where} was not found in ${rawKey}: there is no "${part}" in ${found}; fix source.recordsPath`);
      }
      node = node[part];
    }
  }
  if (isRecord(node)) return [node];
  if (Array.isArray(node)) {
    node.forEach((item, index) => {
      if (!isRecord(item)) throw new InvalidResponseError(`${where} in ${rawKey} holds ${kindOf(item)} at index ${index}; every record must be a JSON object`);
    });
    return node as JsonRecord[];
  }
  throw new InvalidResponseError(`${where} in ${rawKey} is ${kindOf(node)}; expected a JSON object (one record) or an array of objects`);
}

export function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** "a string", "an array", "null", ... for messages. */
export function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return typeof value === 'undefined' ? 'nothing' : `a ${typeof value} (${JSON.stringify(value).slice(0, 40)})`;
}

function keysOf(value: Record<string, unknown>): string {
  const keys = Object.keys(value);
  return keys.length ? keys.slice(0, 8).map((k) => `"${k}"`).join(', ') + (keys.length > 8 ? ', ...' : '') : '(none)';
}
