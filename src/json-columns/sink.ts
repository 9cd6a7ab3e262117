/**
 * Where the reader puts the records it reads, field by field: the other half of the module. `N` is the
 * sink's own handle for a key path (a column, or an object whose fields have paths of their own); the
 * reader asks for each once and keeps it.
 */
export interface RecordSink<N> {
  /** The handle of the record itself (the empty path). */
  readonly root: N;
  /** Starts the next record and returns its row number. */
  nextRow(): number;
  /** The handle of `key` under `parent`. */
  child(parent: N, key: string): N;
  /**
   * A field's value in `row`: a string, a number, a boolean, null, or an array. An array is never changed
   * after it is handed over, and rows may share one (a list repeated exactly); an array that holds objects or
   * arrays is JSON.parse's.
   */
  set(node: N, row: number, value: unknown): void;
  /** A hint: about this many records in all, so storage can be allocated once. */
  expect(rows: number): void;
  /** Whether this path's strings are wanted as bytes (a sink that parses them itself, such as timestamps). Asked once per path. */
  wantsBytes(node: N): boolean;
  /**
   * A string without escapes as its UTF-8 bytes [start, end) of `text`. False declines it: the reader then
   * hands over the decoded string. A sink must accept only bytes it validates in full.
   */
  setBytes(node: N, row: number, text: Uint8Array, start: number, end: number): boolean;
  /**
   * A string that is long or not ASCII as its UTF-8 bytes [start, end) of `bytes`, unescaped and valid UTF-8:
   * exactly the string JSON.parse holds, encoded. The bytes are valid only during the call (copy them). False
   * declines it: the reader then hands over the decoded string.
   */
  setUtf8(node: N, row: number, bytes: Uint8Array, start: number, end: number): boolean;
  /**
   * An array that holds an object or an array, as its JSON text: the UTF-8 bytes [start, end) of `text`, exactly
   * what JSON.stringify writes of what JSON.parse holds. False declines it: the reader then hands over JSON.parse's array.
   */
  setJson(node: N, row: number, text: Uint8Array, start: number, end: number): boolean;
}
