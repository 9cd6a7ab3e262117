/**
 * Whether a JSON value's text is already what `JSON.stringify(JSON.parse(text))` writes, so the text itself can
 * stand for the value: an array of objects (commits, labels) becomes a column of JSON text, and parsing it into
 * objects only to write them back was a quarter of reading such records.
 *
 * Canonical here means: no whitespace; strings with only the escapes JSON.stringify writes (`\"`, `\\`, `\b`,
 * `\f`, `\n`, `\r`, `\t`, lowercase `\u00XX` for other control characters); numbers that are their own shortest
 * spelling (at most 15 digits, no exponent, no trailing zero after a point, not -0, at least 1e-6 when below 1);
 * object keys that do not start with a digit (JavaScript lists integer keys first) and are not repeated in one
 * object. Anything else is not proven equal and is left to JSON.parse. Bytes above 0x7f must also be valid UTF-8,
 * which the caller checks when `high` says there are any.
 */

const QUOTE = 34;
const BACKSLASH = 92;
const MINUS = 45;
const ZERO = 48;
const NINE = 57;
/** Objects with more keys than this are not checked for repeats (and not taken as canonical). */
const MAX_KEYS = 32;

export class CanonicalJson {
  /** After `end`: the OR of the bytes of the text (>= 0x80: not ASCII). */
  high = 0;
  private text: Uint8Array = new Uint8Array(0);
  private pos = 0;
  /** Key ranges of the objects being read, as [start, end) pairs, a stack shared by nested objects. */
  private readonly keys: number[] = [];

  /** Where the canonical value at `start` ends, or -1 when it is not canonical (or not valid JSON). */
  end(text: Uint8Array, start: number): number {
    this.text = text;
    this.pos = start;
    this.high = 0;
    this.keys.length = 0;
    return this.value() ? this.pos : -1;
  }

  private value(): boolean {
    const c = this.text[this.pos];
    if (c === QUOTE) return this.string();
    if (c === 123) return this.object();
    if (c === 91) return this.array();
    if (c === MINUS || (c !== undefined && c >= ZERO && c <= NINE)) return this.number();
    return this.literal('true') || this.literal('false') || this.literal('null');
  }

  private array(): boolean {
    const text = this.text;
    if (text[++this.pos] === 93) {
      this.pos++;
      return true;
    }
    for (;;) {
      if (!this.value()) return false;
      const c = text[this.pos++];
      if (c === 93) return true;
      if (c !== 44) return false;
    }
  }

  private object(): boolean {
    const text = this.text;
    const keys = this.keys;
    const base = keys.length;
    if (text[++this.pos] === 125) {
      this.pos++;
      return true;
    }
    for (;;) {
      const start = this.pos + 1;
      const first = text[start];
      if (text[this.pos] !== QUOTE || (first !== undefined && first >= ZERO && first <= NINE) || !this.string()) return false;
      const end = this.pos - 1;
      for (let k = base; k < keys.length; k += 2) if (sameBytes(text, keys[k]!, keys[k + 1]!, start, end)) return false; // a repeated key
      if (keys.length - base >= MAX_KEYS * 2) return false;
      keys.push(start, end);
      if (text[this.pos++] !== 58 || !this.value()) return false;
      const c = text[this.pos++];
      if (c === 125) break;
      if (c !== 44) return false;
    }
    keys.length = base;
    return true;
  }

  private string(): boolean {
    const text = this.text;
    const n = text.length;
    let high = this.high;
    for (let pos = this.pos + 1; pos < n; pos++) {
      const c = text[pos]!;
      if (c === QUOTE) {
        this.pos = pos + 1;
        this.high = high;
        return true;
      }
      if (c === BACKSLASH) {
        const e = text[++pos];
        if (e === 117) {
          // \u00XX, lowercase, for a control character without a short escape
          if (text[pos + 1] !== ZERO || text[pos + 2] !== ZERO) return false;
          const code = (hexLower(text[pos + 3]) << 4) | hexLower(text[pos + 4]);
          if (code < 0 || code >= 0x20 || code === 8 || code === 9 || code === 10 || code === 12 || code === 13) return false;
          pos += 4;
        } else if (!(e === QUOTE || e === BACKSLASH || e === 98 || e === 102 || e === 110 || e === 114 || e === 116)) return false;
      } else if (c < 0x20) return false;
      else high |= c;
    }
    return false;
  }

  private number(): boolean {
    const text = this.text;
    let pos = this.pos;
    const negative = text[pos] === MINUS;
    if (negative) pos++;
    const intStart = pos;
    let c = text[pos];
    if (c === ZERO) c = text[++pos];
    else if (c !== undefined && c > ZERO && c <= NINE) {
      do c = text[++pos];
      while (c !== undefined && c >= ZERO && c <= NINE);
    } else return false;
    const intDigits = pos - intStart;
    let digits = intDigits;
    if (c === 46) {
      const fracStart = ++pos;
      c = text[pos];
      while (c !== undefined && c >= ZERO && c <= NINE) c = text[++pos];
      const fracDigits = pos - fracStart;
      if (fracDigits === 0 || text[pos - 1] === ZERO) return false; // invalid, or a trailing zero stringify drops
      if (intDigits === 1 && text[intStart] === ZERO) {
        let zeros = 0;
        while (text[fracStart + zeros] === ZERO) zeros++;
        if (zeros > 5) return false; // below 1e-6: stringify writes an exponent
      }
      digits += fracDigits;
    } else if (negative && intDigits === 1 && text[intStart] === ZERO) return false; // -0, which stringify writes as 0
    if (digits > 15 || c === 101 || c === 69) return false;
    this.pos = pos;
    return true;
  }

  private literal(word: string): boolean {
    for (let i = 0; i < word.length; i++) if (this.text[this.pos + i] !== word.charCodeAt(i)) return false;
    this.pos += word.length;
    return true;
  }
}

/** A lowercase hex digit's value, or -256 (so any combination of it is negative). */
function hexLower(c: number | undefined): number {
  if (c !== undefined && c >= ZERO && c <= NINE) return c - ZERO;
  if (c !== undefined && c >= 97 && c <= 102) return c - 87;
  return -256;
}

function sameBytes(text: Uint8Array, aStart: number, aEnd: number, bStart: number, bEnd: number): boolean {
  if (aEnd - aStart !== bEnd - bStart) return false;
  for (let i = 0; i < aEnd - aStart; i++) if (text[aStart + i] !== text[bStart + i]) return false;
  return true;
}
