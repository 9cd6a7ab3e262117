import type { ColumnsBuilder, PathNode } from './columns.js';

/**
 * Reads the records of a JSON text straight into column builders, field by field, without building
 * the record objects that `JSON.parse` would: the objects, not the parsing, are most of the cost of a
 * large response, in time and in memory (docs/benchmarks.md).
 *
 * It gives exactly what `JSON.parse` and `ColumnsBuilder.add` give, or nothing: anything it does not
 * read the same way (invalid JSON, duplicate keys, keys that start with a digit, which JavaScript
 * objects reorder) makes it return false, and the caller reads the text with `JSON.parse`, which then
 * reads it or names the problem exactly. Numbers are converted by Clinger's fast path (at most 15
 * digits and a power of ten up to 22, both exact, one rounding) or else by `Number()`, as `JSON.parse` does.
 *
 * `recordsPath` is the dotted path split at the dots ([] for the whole text). The builder is left
 * partly filled when it returns false: the caller starts over with a new one.
 */
export function readRecordsInto(text: string, recordsPath: readonly string[], builder: ColumnsBuilder): boolean {
  try {
    const reader = new JsonColumnsReader(text, builder);
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

class JsonColumnsReader {
  private pos = 0;

  constructor(
    private readonly text: string,
    private readonly builder: ColumnsBuilder,
  ) {}

  document(recordsPath: readonly string[]): void {
    this.skipSpace();
    this.at(recordsPath, 0);
    this.skipSpace();
    if (this.pos !== this.text.length) fail();
  }

  /** Walks down `path` from the value at pos, reading the rest of every enclosing object too (validating it). */
  private at(path: readonly string[], depth: number): void {
    if (depth === path.length) return this.records();
    if (this.text.charCodeAt(this.pos) !== OPEN_BRACE) fail();
    this.pos++;
    let found = false;
    this.skipSpace();
    if (this.text.charCodeAt(this.pos) === CLOSE_BRACE) fail();
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

  /** An object (one record) or an array of objects (many). */
  private records(): void {
    const c = this.text.charCodeAt(this.pos);
    if (c === OPEN_BRACE) return this.object(this.builder.root, this.builder.nextRow());
    if (c !== OPEN_BRACKET) fail();
    this.pos++;
    this.skipSpace();
    if (this.text.charCodeAt(this.pos) === CLOSE_BRACKET) {
      this.pos++;
      return;
    }
    do {
      if (this.text.charCodeAt(this.pos) !== OPEN_BRACE) fail();
      this.object(this.builder.root, this.builder.nextRow());
    } while (!this.endOf(CLOSE_BRACKET));
  }

  /** The fields of an object at pos, each into the column of its path (nested objects by their fields). */
  private object(node: PathNode, row: number): void {
    const text = this.text;
    this.pos++;
    this.skipSpace();
    if (text.charCodeAt(this.pos) === CLOSE_BRACE) {
      this.pos++;
      return;
    }
    for (let k = 0; ; k++) {
      if (text.charCodeAt(this.pos) !== QUOTE) fail();
      // Records of one API list their keys in the same order: try the key the last record had here.
      let child = node.order[k];
      if (child !== undefined && text.charCodeAt(this.pos + 1 + child.key.length) === QUOTE && text.startsWith(child.key, this.pos + 1)) {
        this.pos += child.key.length + 2;
      } else {
        const start = this.pos;
        const key = this.string();
        const code = key.charCodeAt(0);
        if (code >= ZERO && code <= NINE) fail(); // JavaScript objects list such keys first
        child = this.builder.child(node, key);
        if (this.pos - start === key.length + 2) node.order[k] = child; // no escapes: safe to predict by its text
      }
      if (child.row === row) fail(); // a duplicate key: JSON.parse keeps the last one
      child.row = row;
      this.colon();
      this.value(child, row);
      if (this.endOf(CLOSE_BRACE)) return;
    }
  }

  private value(node: PathNode, row: number): void {
    const c = this.text.charCodeAt(this.pos);
    if (c === QUOTE) this.builder.set(node, row, this.string());
    else if (c === OPEN_BRACE) this.object(node, row);
    else if (c === OPEN_BRACKET) this.builder.set(node, row, this.array());
    else this.builder.set(node, row, this.scalar());
  }

  /** An array of scalars as an array; one that holds objects or arrays is handed to JSON.parse whole. */
  private array(): unknown[] {
    const start = this.pos;
    const items: unknown[] = [];
    this.pos++;
    this.skipSpace();
    if (this.text.charCodeAt(this.pos) === CLOSE_BRACKET) {
      this.pos++;
      return items;
    }
    do {
      const c = this.text.charCodeAt(this.pos);
      if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        this.pos = start;
        this.skipValue();
        return JSON.parse(this.text.slice(start, this.pos)) as unknown[];
      }
      items.push(c === QUOTE ? this.string() : this.scalar());
    } while (!this.endOf(CLOSE_BRACKET));
    return items;
  }

  /** A number, true, false or null at pos. */
  private scalar(): number | boolean | null {
    const text = this.text;
    const c = text.charCodeAt(this.pos);
    if (c === MINUS || (c >= ZERO && c <= NINE)) return this.number();
    for (const [word, value] of LITERALS) {
      if (text.startsWith(word, this.pos)) {
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
    const negative = text.charCodeAt(pos) === MINUS;
    if (negative) pos++;
    let mantissa = 0;
    let digits = 0;
    let c = text.charCodeAt(pos);
    if (c === ZERO) {
      pos++;
      digits++;
    } else if (c > ZERO && c <= NINE) {
      do {
        mantissa = mantissa * 10 + (c - ZERO);
        digits++;
        c = text.charCodeAt(++pos);
      } while (c >= ZERO && c <= NINE);
    } else fail();
    let scale = 0;
    if (text.charCodeAt(pos) === DOT) {
      c = text.charCodeAt(++pos);
      if (!(c >= ZERO && c <= NINE)) fail();
      do {
        mantissa = mantissa * 10 + (c - ZERO);
        digits++;
        scale--;
        c = text.charCodeAt(++pos);
      } while (c >= ZERO && c <= NINE);
    }
    c = text.charCodeAt(pos);
    let exact = digits <= 15;
    if (c === 101 || c === 69) {
      c = text.charCodeAt(++pos);
      const minus = c === MINUS;
      if (c === MINUS || c === 43) c = text.charCodeAt(++pos);
      if (!(c >= ZERO && c <= NINE)) fail();
      let exponent = 0;
      do {
        exponent = exponent * 10 + (c - ZERO);
        c = text.charCodeAt(++pos);
      } while (c >= ZERO && c <= NINE);
      if (exponent > 400) exact = false;
      scale += minus ? -exponent : exponent;
    }
    this.pos = pos;
    if (!exact || scale < -22 || scale > 22) return Number(text.slice(start, pos));
    const value = scale < 0 ? mantissa / POW10[-scale]! : mantissa * POW10[scale]!;
    return negative ? -value : value;
  }

  /** A string at pos, unescaped; one with escapes is unescaped by JSON.parse. */
  private string(): string {
    const text = this.text;
    if (text.charCodeAt(this.pos) !== QUOTE) fail();
    const n = text.length;
    const start = this.pos + 1;
    let pos = start;
    for (; pos < n; pos++) {
      const c = text.charCodeAt(pos);
      if (c === QUOTE) {
        this.pos = pos + 1;
        return text.slice(start, pos);
      }
      if (c === BACKSLASH) break;
      if (c < 0x20) fail();
    }
    for (; pos < n; pos++) {
      const c = text.charCodeAt(pos);
      if (c === BACKSLASH) pos++;
      else if (c === QUOTE) {
        this.pos = pos + 1;
        return JSON.parse(text.slice(start - 1, pos + 1)) as string;
      } else if (c < 0x20) fail();
    }
    return fail();
  }

  /** Steps over any JSON value, checking its syntax. */
  private skipValue(): void {
    const c = this.text.charCodeAt(this.pos);
    if (c === QUOTE) this.string();
    else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      const close = c === OPEN_BRACE ? CLOSE_BRACE : CLOSE_BRACKET;
      this.pos++;
      this.skipSpace();
      if (this.text.charCodeAt(this.pos) === close) {
        this.pos++;
        return;
      }
      do {
        if (close === CLOSE_BRACE) {
          if (this.text.charCodeAt(this.pos) !== QUOTE) fail();
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
    const c = this.text.charCodeAt(this.pos++);
    if (c === close) return true;
    if (c !== COMMA) fail();
    this.skipSpace();
    return false;
  }

  private colon(): void {
    this.skipSpace();
    if (this.text.charCodeAt(this.pos++) !== COLON) fail();
    this.skipSpace();
  }

  private skipSpace(): void {
    const text = this.text;
    let c = text.charCodeAt(this.pos);
    while (c === 32 || c === 10 || c === 13 || c === 9) c = text.charCodeAt(++this.pos);
  }
}

const LITERALS: readonly (readonly [string, boolean | null])[] = [
  ['true', true],
  ['false', false],
  ['null', null],
];
