import type { ColumnsBuilder, PathNode } from './columns.js';
import { cacheOf, hashBytes, lookUp, MAX_INTERNED_LIST_BYTES, MAX_INTERNED_STRING_BYTES, newInternTable, remember, type InternTable } from './json-intern.js';
import { inTimestampRange, isoUtcMillis } from './timestamps.js';

/**
 * Reads the records of a JSON response (UTF-8 bytes) straight into column builders, field by field,
 * without building the record objects that `JSON.parse` would, nor the text of the whole response: the
 * objects, not the parsing, are most of the cost of a large response, in time and in memory
 * (docs/benchmarks.md). Strings are decoded one value at a time, as TextDecoder decodes the whole body.
 *
 * It gives exactly what decoding, `JSON.parse` and `ColumnsBuilder.add` give, or nothing: anything it does not
 * read the same way (invalid JSON, duplicate keys, keys that start with a digit, which JavaScript
 * objects reorder) makes it return false, and the caller reads the text with `JSON.parse`, which then
 * reads it or names the problem exactly. Numbers are converted by Clinger's fast path (at most 15
 * digits and a power of ten up to 22, both exact, one rounding) or else by `Number()`, as `JSON.parse` does.
 *
 * `recordsPath` is the dotted path split at the dots ([] for the whole text). The builder is left
 * partly filled when it returns false: the caller starts over with a new one.
 */
export function readRecordsInto(body: Uint8Array, recordsPath: readonly string[], builder: ColumnsBuilder): boolean {
  try {
    const reader = new JsonColumnsReader(body, builder);
    reader.document(recordsPath);
    return true;
  } catch {
    return false;
  }
}

const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const COLON = 58;
const MINUS = 45;
const DOT = 46;
const ZERO = 48;
const NINE = 57;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
/** Exact powers of ten: every one up to 1e22 is a double without rounding. */
const POW10 = Array.from({ length: 23 }, (_, i) => Number(`1e${i}`));

class NotReadHere extends Error {
  constructor() {
    super('read with JSON.parse instead');
    this.name = 'NotReadHere';
  }
}
const fail = (): never => {
  throw new NotReadHere();
};
const decoder = new TextDecoder();
/** Every empty list read: arrays read here are never changed, so they can be one. */
const EMPTY_LIST = Object.freeze([]) as unknown as unknown[];

class JsonColumnsReader {
  private pos = 0;
  /** Strings inside lists, interned together. */
  private readonly elements = newInternTable<string>();
  /** The elements of the array being read (one array reused, copied once complete). */
  private readonly items: unknown[] = [];
  /** The same bytes as a Buffer: an ASCII string is read with toString('latin1'), about 40% faster than TextDecoder. */
  private readonly latin1: Buffer;

  constructor(
    private readonly text: Uint8Array,
    private readonly builder: ColumnsBuilder,
  ) {
    this.latin1 = Buffer.from(text.buffer, text.byteOffset, text.byteLength);
  }

  document(recordsPath: readonly string[]): void {
    if (this.text[0] === 0xef && this.text[1] === 0xbb && this.text[2] === 0xbf) this.pos = 3; // a BOM, which TextDecoder drops too
    this.skipSpace();
    this.at(recordsPath, 0);
    this.skipSpace();
    if (this.pos !== this.text.length) fail();
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
    if (c === OPEN_BRACE) return this.object(this.builder.root, this.builder.nextRow());
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
      this.object(this.builder.root, this.builder.nextRow());
      // From the first record's length, about how many there are: columns are then allocated once.
      if (first) this.builder.expect(Math.ceil(((this.text.length - start) / Math.max(1, this.pos - start)) * 1.1));
      first = false;
    } while (!this.endOf(CLOSE_BRACKET));
  }

  /** The fields of an object at pos, each into the column of its path (nested objects by their fields). */
  private object(node: PathNode, row: number): void {
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
      } else {
        const start = this.pos;
        const key = this.string();
        const code = key.charCodeAt(0);
        if (code >= ZERO && code <= NINE) fail(); // JavaScript objects list such keys first
        child = this.builder.child(node, key);
        // As many bytes as characters: ASCII without escapes, so safe to predict by its bytes.
        if (this.pos - start === key.length + 2) node.order[k] = child;
      }
      if (child.row === row) fail(); // a duplicate key: JSON.parse keeps the last one
      child.row = row;
      this.colon();
      this.value(child, row);
      if (this.endOf(CLOSE_BRACE)) return;
    }
  }

  private value(node: PathNode, row: number): void {
    const c = this.text[this.pos];
    if (c === QUOTE && this.builder.isTimestamp(node) && this.timestamp(node, row)) return;
    if (c === QUOTE) this.builder.set(node, row, this.string(cacheOf(node).strings));
    else if (c === OPEN_BRACE) this.object(node, row);
    else if (c === OPEN_BRACKET) this.builder.set(node, row, this.array(cacheOf(node).lists));
    else this.builder.set(node, row, this.scalar());
  }

  /**
   * An array of scalars as an array; one that holds objects or arrays is handed to JSON.parse whole.
   * A short array written exactly as one read before in the same column is that same array (lists
   * such as tags repeat): arrays are never changed after reading, so rows can share one.
   */
  private array(lists: InternTable<unknown[]>): unknown[] {
    const text = this.text;
    const start = this.pos;
    const items = this.items;
    items.length = 0;
    this.pos++;
    this.skipSpace();
    if (text[this.pos] === CLOSE_BRACKET) {
      this.pos++;
      return EMPTY_LIST;
    }
    do {
      const c = text[this.pos];
      if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        this.pos = start;
        this.skipValue();
        return JSON.parse(decoder.decode(text.subarray(start, this.pos))) as unknown[];
      }
      items.push(c === QUOTE ? this.string(this.elements) : this.scalar());
    } while (!this.endOf(CLOSE_BRACKET));
    const end = this.pos;
    if (!lists.on || end - start > MAX_INTERNED_LIST_BYTES) return items.slice();
    const hash = hashBytes(text, start, end);
    return lookUp(lists, text, start, end, hash) ?? remember(lists, text, start, end, hash, items.slice());
  }

  /** A timestamp string at pos in the common ISO form, read without making a string; false (pos unmoved) for any other. */
  private timestamp(node: PathNode, row: number): boolean {
    const start = this.pos + 1;
    const end = this.text.indexOf(QUOTE, start);
    const ms = end > 0 && end - start <= 24 ? isoUtcMillis(this.text, start, end) : NaN;
    // Anything else, year 0000 included, takes the general path, whose error quotes the value.
    if (Number.isNaN(ms) || !inTimestampRange(ms)) return false;
    this.pos = end + 1;
    this.builder.setTimestamp(node, row, ms);
    return true;
  }

  /** A number, true, false or null at pos. */
  private scalar(): number | boolean | null {
    const text = this.text;
    const c = text[this.pos]!;
    if (c === MINUS || (c >= ZERO && c <= NINE)) return this.number();
    for (const [word, value] of LITERALS) {
      if (sameAscii(text, this.pos, word)) {
        this.pos += word.length;
        return value;
      }
    }
    return fail();
  }

  private number(): number {
    const text = this.text;
    const start = this.pos;
    let pos = start;
    const negative = text[pos]! === MINUS;
    if (negative) pos++;
    let mantissa = 0;
    let digits = 0;
    let c = text[pos]!;
    if (c === ZERO) {
      pos++;
      digits++;
    } else if (c > ZERO && c <= NINE) {
      do {
        mantissa = mantissa * 10 + (c - ZERO);
        digits++;
        c = text[++pos]!;
      } while (c >= ZERO && c <= NINE);
    } else fail();
    let scale = 0;
    if (text[pos]! === DOT) {
      c = text[++pos]!;
      if (!(c >= ZERO && c <= NINE)) fail();
      do {
        mantissa = mantissa * 10 + (c - ZERO);
        digits++;
        scale--;
        c = text[++pos]!;
      } while (c >= ZERO && c <= NINE);
    }
    c = text[pos]!;
    let exact = digits <= 15;
    if (c === 101 || c === 69) {
      c = text[++pos]!;
      const minus = c === MINUS;
      if (c === MINUS || c === 43) c = text[++pos]!;
      if (!(c >= ZERO && c <= NINE)) fail();
      let exponent = 0;
      do {
        exponent = exponent * 10 + (c - ZERO);
        c = text[++pos]!;
      } while (c >= ZERO && c <= NINE);
      if (exponent > 400) exact = false;
      scale += minus ? -exponent : exponent;
    }
    this.pos = pos;
    if (!exact || scale < -22 || scale > 22) return Number(decoder.decode(text.subarray(start, pos)));
    const value = scale < 0 ? mantissa / POW10[-scale]! : mantissa * POW10[scale]!;
    return negative ? -value : value;
  }

  /**
   * A string at pos, unescaped; one with escapes is unescaped by JSON.parse. With `intern`, a short
   * ASCII string equal to one read before in the same column is that same string: values that repeat
   * (names, codes, tags) are then kept once, not once a record.
   */
  private string(intern?: InternTable<string>): string {
    const text = this.text;
    if (text[this.pos] !== QUOTE) fail();
    const n = text.length;
    const start = this.pos + 1;
    let pos = start;
    let hash = 0;
    let high = 0;
    for (; pos < n; pos++) {
      const c = text[pos]!;
      if (c === QUOTE) {
        this.pos = pos + 1;
        if (high >= 0x80) return decoder.decode(text.subarray(start, pos));
        if (intern === undefined || !intern.on || pos - start > MAX_INTERNED_STRING_BYTES) return this.latin1.toString('latin1', start, pos);
        return lookUp(intern, text, start, pos, hash) ?? remember(intern, text, start, pos, hash, this.latin1.toString('latin1', start, pos));
      }
      if (c === BACKSLASH) break;
      if (c < 0x20) fail();
      high |= c;
      hash = (Math.imul(hash, 31) + c) | 0;
    }
    for (; pos < n; pos++) {
      const c = text[pos]!;
      if (c === BACKSLASH) pos++;
      else if (c === QUOTE) {
        this.pos = pos + 1;
        return JSON.parse(decoder.decode(text.subarray(start - 1, pos + 1))) as string;
      } else if (c < 0x20) fail();
    }
    return fail();
  }

  /** Steps over any JSON value, checking its syntax. */
  private skipValue(): void {
    const c = this.text[this.pos];
    if (c === QUOTE) this.string();
    else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      const close = c === OPEN_BRACE ? CLOSE_BRACE : CLOSE_BRACKET;
      this.pos++;
      this.skipSpace();
      if (this.text[this.pos] === close) {
        this.pos++;
        return;
      }
      do {
        if (close === CLOSE_BRACE) {
          if (this.text[this.pos] !== QUOTE) fail();
          this.string();
          this.colon();
        }
        this.skipValue();
      } while (!this.endOf(close));
    } else this.scalar();
  }

  /** After a value: true at `close` (consumed), false at a comma (consumed, and the space after it). */
  private endOf(close: number): boolean {
    this.skipSpace();
    const c = this.text[this.pos++];
    if (c === close) return true;
    if (c !== COMMA) fail();
    this.skipSpace();
    return false;
  }

  private colon(): void {
    this.skipSpace();
    if (this.text[this.pos++] !== COLON) fail();
    this.skipSpace();
  }

  private skipSpace(): void {
    const text = this.text;
    let c = text[this.pos];
    while (c === 32 || c === 10 || c === 13 || c === 9) c = text[++this.pos];
  }
}

/** Whether the bytes at `start` are the ASCII string `ascii`. */
function sameAscii(bytes: Uint8Array, start: number, ascii: string): boolean {
  for (let i = 0; i < ascii.length; i++) if (bytes[start + i] !== ascii.charCodeAt(i)) return false;
  return true;
}

const LITERALS: readonly (readonly [string, boolean | null])[] = [
  ['true', true],
  ['false', false],
  ['null', null],
];
