import { CLOSE_BRACE, CLOSE_BRACKET, Cursor, decoder, fail, NINE, OPEN_BRACE, OPEN_BRACKET, QUOTE, sameAscii, ZERO } from './cursor.js';
import { isUtf8 } from 'node:buffer';
import { hashBytes, lookUp, MAX_INTERNED_LIST_BYTES, MAX_INTERNED_STRING_BYTES, newInternTable, remember, type InternTable } from './intern.js';
import { CanonicalJson } from './json-text.js';
import type { RecordSink } from './sink.js';

/** The reader's own state for one key path, beside the sink's handle for it. */
interface PathState<N> {
  readonly key: string;
  /** The sink's handle of this path. */
  readonly target: N;
  /** The sink wants this path's strings as bytes (it parses them itself). */
  readonly bytes: boolean;
  readonly children: Map<string, PathState<N>>;
  /** The last record this path was seen in: a second sight in one record is a duplicate key. */
  row: number;
  /** The children in the order the last record listed them, so the next key can be predicted. */
  readonly order: PathState<N>[];
  /** The children with ASCII keys by the hash of their bytes, to find a key that was not predicted without making a string of it. */
  readonly byHash: Map<number, PathState<N>>;
  /** This path's strings and lists, interned (intern.ts); made on first use (a wide record has thousands of paths). */
  strings: InternTable<string> | undefined;
  lists: InternTable<unknown[]> | undefined;
}

/** Every empty list read: arrays read here are never changed, so they can be one. */
const EMPTY_LIST = Object.freeze([]) as unknown as unknown[];

/**
 * Reads the records of JSON responses (UTF-8 bytes) straight into a sink, field by field, without building
 * the record objects that `JSON.parse` would, nor the text of a whole response: the objects, not the
 * parsing, are most of the cost of a large response, in time and in memory (docs/benchmarks.md). Strings are
 * decoded one value at a time, as TextDecoder decodes the whole body. One reader serves every page of an hour,
 * so what it learns about the paths (their order, their repeated values) carries from page to page.
 *
 * It gives the sink exactly what decoding and `JSON.parse` give, or fails: anything it does not read the same
 * way (invalid JSON, duplicate keys, keys that start with a digit, which JavaScript objects reorder) makes
 * `read` return false, and the caller reads the text with `JSON.parse`, which then reads it or names the
 * problem exactly. The sink is left partly filled then: the caller starts over with a new one.
 */
export class JsonColumnsReader<N> extends Cursor {
  private readonly root: PathState<N>;
  /** Strings inside lists, interned together. */
  private readonly elements = newInternTable<string>();
  /** The elements of the array being read (one array reused, copied once complete). */
  private readonly items: unknown[] = [];
  private readonly canonical = new CanonicalJson();

  constructor(private readonly sink: RecordSink<N>) {
    super();
    this.root = this.state('', sink.root);
  }

  /**
   * Reads the records at `recordsPath` of `text` (keys, and numbers for array elements; [] for the whole
   * text): an object is one record, an array of objects many. False when JSON.parse must read it instead.
   */
  read(text: Uint8Array, recordsPath: readonly string[]): boolean {
    try {
      this.begin(text);
      this.skipSpace();
      this.at(recordsPath, 0);
      this.skipSpace();
      if (this.pos !== this.text.length) fail();
      return true;
    } catch {
      return false;
    }
  }

  private state(key: string, target: N): PathState<N> {
    return { key, target, bytes: this.sink.wantsBytes(target), children: new Map(), row: -1, order: [], byHash: new Map(), strings: undefined, lists: undefined };
  }

  /** Walks down `path` from the value at pos, reading the rest of every enclosing object too (validating it). */
  private at(path: readonly string[], depth: number): void {
    if (depth === path.length) return this.records();
    if (this.text[this.pos] === OPEN_BRACKET && /^\d+$/.test(path[depth]!)) return this.element(path, depth);
    if (this.text[this.pos] !== OPEN_BRACE) fail();
    this.pos++;
    let found = false;
    this.skipSpace();
    if (this.text[this.pos] === CLOSE_BRACE) fail();
    for (;;) {
      const key = this.string();
      this.colon();
      if (key === path[depth]) {
        if (found) fail();
        found = true;
        this.at(path, depth + 1);
      } else this.skipValue();
      if (this.endOf(CLOSE_BRACE)) break;
    }
    if (!found) fail();
  }

  /** Walks into element `path[depth]` of the array at pos (a number in recordsPath), reading the others too. */
  private element(path: readonly string[], depth: number): void {
    const index = Number(path[depth]);
    this.pos++;
    this.skipSpace();
    if (this.text[this.pos] === CLOSE_BRACKET) fail();
    for (let i = 0; ; i++) {
      if (i === index) this.at(path, depth + 1);
      else this.skipValue();
      if (this.endOf(CLOSE_BRACKET)) {
        if (i < index) fail(); // fewer elements: JSON.parse's path names the problem
        return;
      }
    }
  }

  /** An object (one record) or an array of objects (many). */
  private records(): void {
    const c = this.text[this.pos];
    if (c === OPEN_BRACE) return this.object(this.root, this.sink.nextRow());
    if (c !== OPEN_BRACKET) fail();
    this.pos++;
    this.skipSpace();
    if (this.text[this.pos] === CLOSE_BRACKET) {
      this.pos++;
      return;
    }
    const start = this.pos;
    let first = true;
    do {
      if (this.text[this.pos] !== OPEN_BRACE) fail();
      this.object(this.root, this.sink.nextRow());
      // From the first record's length, about how many there are: columns are then allocated once.
      if (first) this.sink.expect(Math.ceil(((this.text.length - start) / Math.max(1, this.pos - start)) * 1.1));
      first = false;
    } while (!this.endOf(CLOSE_BRACKET));
  }

  /** The fields of an object at pos, each to the sink under its path (nested objects by their fields). */
  private object(node: PathState<N>, row: number): void {
    const text = this.text;
    this.pos++;
    this.skipSpace();
    if (text[this.pos] === CLOSE_BRACE) {
      this.pos++;
      return;
    }
    for (let k = 0; ; k++) {
      if (text[this.pos] !== QUOTE) fail();
      // Records of one API list their keys in the same order: try the key the last record had here.
      let child = node.order[k];
      if (child !== undefined && text[this.pos + 1 + child.key.length] === QUOTE && sameAscii(text, this.pos + 1, child.key)) {
        this.pos += child.key.length + 2;
      } else if ((child = this.knownKey(node)) !== undefined) {
        node.order[k] = child;
      } else {
        const start = this.pos;
        const key = this.string();
        const code = key.charCodeAt(0);
        if (code >= ZERO && code <= NINE) fail(); // JavaScript objects list such keys first
        child = node.children.get(key);
        if (child === undefined) {
          child = this.state(key, this.sink.child(node.target, key));
          node.children.set(key, child);
        }
        // As many bytes as characters: ASCII without escapes, so safe to predict by its bytes.
        if (this.pos - start === key.length + 2) {
          node.order[k] = child;
          node.byHash.set(hashBytes(text, start + 1, this.pos - 1), child);
        }
      }
      if (child.row === row) fail(); // a duplicate key: JSON.parse keeps the last one
      child.row = row;
      this.colon();
      this.value(child, row);
      if (this.endOf(CLOSE_BRACE)) return;
    }
  }

  /**
   * The child whose key is at pos, found by the hash of its bytes (pos then after it); undefined, pos unmoved,
   * for a key not seen before, or one with escapes or non-ASCII bytes (read as a string instead).
   */
  private knownKey(node: PathState<N>): PathState<N> | undefined {
    const text = this.text;
    const start = this.pos + 1;
    let hash = 0;
    let pos = start;
    for (let c = text[pos]; c !== QUOTE; c = text[++pos]) {
      if (c === undefined || c === 92 || c < 0x20 || c >= 0x80) return undefined;
      hash = (Math.imul(hash, 31) + c) | 0;
    }
    const child = node.byHash.get(hash);
    if (child === undefined || child.key.length !== pos - start || !sameAscii(text, start, child.key)) return undefined;
    this.pos = pos + 1;
    return child;
  }

  private value(node: PathState<N>, row: number): void {
    const c = this.text[this.pos];
    if (c === QUOTE && node.bytes && this.stringBytes(node, row)) return;
    if (c === QUOTE) this.stringValue(node, row);
    else if (c === OPEN_BRACE) this.object(node, row);
    else if (c === OPEN_BRACKET) this.array(node, row);
    else this.sink.set(node.target, row, this.scalar());
  }

  /**
   * An array to the sink: one of scalars as an array; one that holds objects or arrays as its JSON text when its
   * text is what JSON.stringify would write (json-text.ts) and the sink takes it, else as JSON.parse gives it.
   * A short array written exactly as one read before in the same path is that same array (lists such as
   * tags repeat): arrays are never changed after reading, so rows can share one.
   */
  private array(node: PathState<N>, row: number): void {
    const text = this.text;
    const start = this.pos;
    const items = this.items;
    items.length = 0;
    this.pos++;
    this.skipSpace();
    if (text[this.pos] === CLOSE_BRACKET) {
      this.pos++;
      return this.sink.set(node.target, row, EMPTY_LIST);
    }
    do {
      const c = text[this.pos];
      if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        this.pos = start;
        if (this.jsonText(node, row)) return;
        this.skipValue();
        return this.sink.set(node.target, row, JSON.parse(decoder.decode(text.subarray(start, this.pos))));
      }
      items.push(c === QUOTE ? this.string(this.elements) : this.scalar());
    } while (!this.endOf(CLOSE_BRACKET));
    const end = this.pos;
    const lists = (node.lists ??= newInternTable());
    if (!lists.on || end - start > MAX_INTERNED_LIST_BYTES) return this.sink.set(node.target, row, items.slice());
    const hash = hashBytes(text, start, end);
    this.sink.set(node.target, row, lookUp(lists, text, start, end, hash) ?? remember(lists, text, start, end, hash, items.slice()));
  }

  /** The value at pos as its JSON text, when that is canonical and valid UTF-8 and the sink takes it (pos then after it). */
  private jsonText(node: PathState<N>, row: number): boolean {
    const start = this.pos;
    const end = this.canonical.end(this.text, start);
    if (end < 0) return false;
    if (this.canonical.high >= 0x80 && !isUtf8(this.text.subarray(start, end))) return false;
    if (!this.sink.setJson(node.target, row, this.text, start, end)) return false;
    this.pos = end;
    return true;
  }

  /**
   * A string value: one that is long or not ASCII as its UTF-8 bytes when the sink takes them (no string is
   * made then), any other as a string (a short ASCII one interned). Bytes not valid UTF-8 are decoded, as
   * TextDecoder decodes them, into a string.
   */
  private stringValue(node: PathState<N>, row: number): void {
    const text = this.text;
    const start = this.pos + 1;
    const stop = this.scanString();
    // Values that do not repeat (their path's intern table switched itself off) are offered as bytes too.
    const unique = node.strings !== undefined && !node.strings.on;
    if (text[stop] === QUOTE) {
      const high = this.scanHigh;
      if ((high >= 0x80 || unique || stop - start > MAX_INTERNED_STRING_BYTES) && (high < 0x80 || isUtf8(text.subarray(start, stop))) && this.sink.setUtf8(node.target, row, text, start, stop)) {
        this.pos = stop + 1;
        return;
      }
    } else {
      const unescaper = this.unescaper;
      const length = unescaper.unescape(text, start, stop, this.scanHigh, fail);
      if (length >= 0) {
        this.pos = unescaper.end;
        const high = unescaper.high;
        const bytes = unescaper.bytes;
        if ((high >= 0x80 || unique || length > MAX_INTERNED_STRING_BYTES) && (high < 0x80 || isUtf8(bytes.subarray(0, length))) && this.sink.setUtf8(node.target, row, bytes, 0, length)) return;
        return this.sink.set(node.target, row, unescaper.string(length));
      }
    }
    this.sink.set(node.target, row, this.stringTo(stop, (node.strings ??= newInternTable())));
  }

  /** A string without escapes handed to the sink as bytes; false (pos unmoved) when it has escapes or the sink declines it. */
  private stringBytes(node: PathState<N>, row: number): boolean {
    const start = this.pos + 1;
    const end = this.text.indexOf(QUOTE, start);
    if (end < 0 || this.text.subarray(start, end).includes(92)) return false; // a backslash: let the string be unescaped
    if (!this.sink.setBytes(node.target, row, this.text, start, end)) return false;
    this.pos = end + 1;
    return true;
  }
}
