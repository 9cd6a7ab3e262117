import { Unescaper } from './escapes.js';
import { longDecimal } from './long-decimal.js';
import { lookUp, MAX_INTERNED_STRING_BYTES, remember, type InternTable } from './intern.js';

/** JSON's structural bytes. */
export const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const COLON = 58;
const MINUS = 45;
const DOT = 46;
export const ZERO = 48;
export const NINE = 57;
export const OPEN_BRACE = 123;
export const CLOSE_BRACE = 125;
export const OPEN_BRACKET = 91;
export const CLOSE_BRACKET = 93;
/** Exact powers of ten: every one up to 1e22 is a double without rounding. */
const POW10 = Array.from({ length: 23 }, (_, i) => Number(`1e${i}`));
/** 2^53: every integer below it is a double, and so is every step of reading one. */
const MAX_EXACT_MANTISSA = 2 ** 53;

/**
 * The text is not one this reader reads as JSON.parse would (invalid JSON, a duplicate key, a key
 * that JavaScript objects reorder, ...): the caller reads it with JSON.parse, which reads it or names the
 * problem. Thrown deep inside the reader and caught at its entry, so the hot path needs no checks.
 */
export class NotReadHereError extends Error {
  override readonly name = 'NotReadHereError';
  constructor() {
    super('read with JSON.parse instead');
  }
}
export const fail = (): never => {
  throw new NotReadHereError();
};
export const decoder = new TextDecoder();

/**
 * The token level of the reader: a position in UTF-8 JSON text and the reading of one token at it
 * (a string, a number, a literal), or of a whole value to step over. Every method moves `pos` past what
 * it read, or fails.
 */
export class Cursor {
  protected text: Uint8Array = new Uint8Array(0);
  protected pos = 0;
  /** The same bytes as a Buffer: an ASCII string is read with toString('latin1'), about 40% faster than TextDecoder. */
  protected latin1: Buffer = Buffer.alloc(0);
  protected readonly unescaper = new Unescaper();

  /** Reads `text` from its start (after a byte-order mark, which TextDecoder drops too). */
  protected begin(text: Uint8Array): void {
    this.text = text;
    this.latin1 = Buffer.from(text.buffer, text.byteOffset, text.byteLength);
    this.pos = text[0] === 0xef && text[1] === 0xbb && text[2] === 0xbf ? 3 : 0;
  }

  /** A number, true, false or null at pos. */
  protected scalar(): number | boolean | null {
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

  /**
   * A number at pos. A mantissa below 2^53 (exact as a double) scaled by a power of ten within ±22 (exact too)
   * is one correctly rounded operation, as JSON.parse rounds; 16 to 30 digits are read by longDecimal when it
   * can prove its result; anything else by Number() from a latin1 string.
   */
  private number(): number {
    const text = this.text;
    const start = this.pos;
    let pos = start;
    const negative = text[pos]! === MINUS;
    if (negative) pos++;
    let mantissa = 0;
    let c = text[pos]!;
    if (c === ZERO) pos++;
    else if (c > ZERO && c <= NINE) {
      do {
        mantissa = mantissa * 10 + (c - ZERO);
        c = text[++pos]!;
      } while (c >= ZERO && c <= NINE);
    } else fail();
    let scale = 0;
    if (text[pos]! === DOT) {
      c = text[++pos]!;
      if (!(c >= ZERO && c <= NINE)) fail();
      do {
        mantissa = mantissa * 10 + (c - ZERO);
        scale--;
        c = text[++pos]!;
      } while (c >= ZERO && c <= NINE);
    }
    c = text[pos]!;
    // Below 2^53 every step was exact: a step whose true value reached 2^53 would have rounded to 2^53 or more.
    let exact = mantissa < MAX_EXACT_MANTISSA;
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
    if (!exact || scale < -22 || scale > 22) {
      const value = longDecimal(text, start, pos);
      return value === value ? value : Number(this.latin1.toString('latin1', start, pos));
    }
    const value = scale < 0 ? mantissa / POW10[-scale]! : mantissa * POW10[scale]!;
    return negative ? -value : value;
  }

  /**
   * A string at pos, unescaped (escapes.ts). With `intern`, a short ASCII string equal to one read before in
   * the same column is that same string: values that repeat (names, codes, tags) are then kept once, not
   * once a record.
   */
  protected string(intern?: InternTable<string>): string {
    return this.stringTo(this.scanString(), intern);
  }

  /**
   * Scans the string at pos up to its closing quote or its first backslash, whichever comes first, and returns
   * where (pos unmoved); `scanHigh` is then the OR of the bytes before it (>= 0x80: not ASCII), `scanHash` their hash.
   */
  protected scanString(): number {
    const text = this.text;
    if (text[this.pos] !== QUOTE) fail();
    const n = text.length;
    let pos = this.pos + 1;
    let hash = 0;
    let high = 0;
    for (; pos < n; pos++) {
      const c = text[pos]!;
      if (c === QUOTE || c === BACKSLASH) break;
      if (c < 0x20) fail();
      high |= c;
      hash = (Math.imul(hash, 31) + c) | 0;
    }
    this.scanHigh = high;
    this.scanHash = hash;
    return pos;
  }
  protected scanHigh = 0;
  private scanHash = 0;

  /** The string at pos, scanned (scanString) up to `stop`. */
  protected stringTo(stop: number, intern?: InternTable<string>): string {
    const text = this.text;
    const start = this.pos + 1;
    if (text[stop] === QUOTE) {
      this.pos = stop + 1;
      if (this.scanHigh >= 0x80) return decoder.decode(text.subarray(start, stop));
      if (intern === undefined || !intern.on || stop - start > MAX_INTERNED_STRING_BYTES) return this.latin1.toString('latin1', start, stop);
      return lookUp(intern, text, start, stop, this.scanHash) ?? remember(intern, text, start, stop, this.scanHash, this.latin1.toString('latin1', start, stop));
    }
    const length = this.unescaper.unescape(text, start, stop, this.scanHigh, fail);
    if (length >= 0) {
      this.pos = this.unescaper.end;
      return this.unescaper.string(length);
    }
    // A lone surrogate, which UTF-8 cannot hold: JSON.parse reads it into the string.
    this.skipString();
    return JSON.parse(decoder.decode(text.subarray(start - 1, this.pos))) as string;
  }

  /** Steps over a string, checking its syntax (escapes, no control characters). */
  protected skipString(): void {
    const text = this.text;
    if (text[this.pos] !== QUOTE) fail();
    const n = text.length;
    for (let pos = this.pos + 1; pos < n; pos++) {
      const c = text[pos]!;
      if (c === QUOTE) {
        this.pos = pos + 1;
        return;
      }
      if (c === BACKSLASH) {
        const e = text[++pos];
        if (e === 117) {
          for (let i = 1; i <= 4; i++) if (!isHex(text[pos + i])) fail();
          pos += 4;
        } else if (!(e === QUOTE || e === BACKSLASH || e === 47 || e === 98 || e === 102 || e === 110 || e === 114 || e === 116)) fail();
      } else if (c < 0x20) fail();
    }
    fail();
  }

  /** Steps over any JSON value, checking its syntax. */
  protected skipValue(): void {
    const c = this.text[this.pos];
    if (c === QUOTE) this.skipString();
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
          this.skipString();
          this.colon();
        }
        this.skipValue();
      } while (!this.endOf(close));
    } else this.scalar();
  }

  /** After a value: true at `close` (consumed), false at a comma (consumed, and the space after it). */
  protected endOf(close: number): boolean {
    this.skipSpace();
    const c = this.text[this.pos++];
    if (c === close) return true;
    if (c !== COMMA) fail();
    this.skipSpace();
    return false;
  }

  protected colon(): void {
    this.skipSpace();
    if (this.text[this.pos++] !== COLON) fail();
    this.skipSpace();
  }

  protected skipSpace(): void {
    const text = this.text;
    let c = text[this.pos];
    while (c === 32 || c === 10 || c === 13 || c === 9) c = text[++this.pos];
  }
}

const isHex = (c: number | undefined) => c !== undefined && ((c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70));

/** Whether the bytes at `start` are the ASCII string `ascii`. */
export function sameAscii(bytes: Uint8Array, start: number, ascii: string): boolean {
  for (let i = 0; i < ascii.length; i++) if (bytes[start + i] !== ascii.charCodeAt(i)) return false;
  return true;
}

const LITERALS: readonly (readonly [string, boolean | null])[] = [
  ['true', true],
  ['false', false],
  ['null', null],
];
