/**
 * Strings with escapes, unescaped in one pass into UTF-8 bytes and decoded once. They were read by
 * `JSON.parse` one string at a time (a TextDecoder decoding, then JSON.parse's own scan and copy), which
 * made escaped text (commit messages, bodies with newlines) a third of reading it.
 */

const QUOTE = 34;
const BACKSLASH = 92;
/** What each escape letter stands for (`\"`, `\\`, `\/`, `\b`, `\f`, `\n`, `\r`, `\t`); 0 for none (`\u` is read apart). */
const SIMPLE = new Uint8Array(128);
for (const [letter, byte] of [['"', 34], ['\\', 92], ['/', 47], ['b', 8], ['f', 12], ['n', 10], ['r', 13], ['t', 9]] as const) SIMPLE[letter.charCodeAt(0)] = byte;
/** Runs of at least this many plain bytes are copied with `set`, shorter ones byte by byte. */
const RUN_COPY = 32;
const decoder = new TextDecoder();

export class Unescaper {
  private buffer: Uint8Array = new Uint8Array(4096);
  private latin1 = Buffer.from(this.buffer.buffer);
  /** After `unescape`: the position after the closing quote, and the OR of the string's bytes (>= 0x80: not ASCII). */
  end = 0;
  high = 0;

  /** The unescaped bytes of the last string, valid until the next `unescape`. */
  get bytes(): Uint8Array {
    return this.buffer;
  }

  /**
   * Unescapes the string whose text starts at `start` (after its opening quote) into `bytes`, where `at` is its
   * first backslash and the bytes before it are plain (no quote, backslash or control character), their OR
   * `high`; returns its length in bytes. -1 for a string `JSON.parse` must read: a `\u` escape of a lone
   * surrogate, which UTF-8 cannot hold. Throws `invalid()`'s error for invalid JSON.
   */
  unescape(text: Uint8Array, start: number, at: number, high: number, invalid: () => never): number {
    this.reserve(at - start + 64);
    let bytes: Uint8Array = this.buffer;
    bytes.set(text.subarray(start, at));
    let out = at - start;
    let pos = at;
    const n = text.length;
    for (;;) {
      if (pos >= n) return invalid();
      let c = text[pos]!;
      if (c === QUOTE) break;
      if (c === BACKSLASH) {
        c = text[pos + 1]!;
        if (c === 117) {
          let code = hex4(text, pos + 2, invalid);
          pos += 6;
          if (code >= 0xd800 && code <= 0xdfff) {
            const low = code <= 0xdbff && text[pos] === BACKSLASH && text[pos + 1] === 117 ? hex4(text, pos + 2, invalid) : -1;
            if (low < 0xdc00 || low > 0xdfff) return -1; // a lone surrogate
            code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
            pos += 6;
          }
          if (out + 4 > bytes.length) bytes = this.grow(out);
          out = writeUtf8(bytes, out, code);
          high |= code;
          continue;
        }
        const byte = c < 128 ? SIMPLE[c]! : 0;
        if (byte === 0) return invalid();
        if (out + 1 > bytes.length) bytes = this.grow(out);
        bytes[out++] = byte;
        pos += 2;
        continue;
      }
      // A run of plain bytes up to the next quote or backslash.
      const run = pos;
      while (pos < n && (c = text[pos]!) !== QUOTE && c !== BACKSLASH) {
        if (c < 0x20) return invalid();
        high |= c;
        pos++;
      }
      const length = pos - run;
      if (out + length > bytes.length) bytes = this.grow(out + length);
      if (length >= RUN_COPY) bytes.set(text.subarray(run, pos), out);
      else for (let i = 0; i < length; i++) bytes[out + i] = text[run + i]!;
      out += length;
    }
    this.end = pos + 1;
    this.high = high;
    return out;
  }

  /** The first `length` unescaped bytes as a string. */
  string(length: number): string {
    return this.high < 0x80 ? this.latin1.toString('latin1', 0, length) : decoder.decode(this.buffer.subarray(0, length));
  }

  private reserve(length: number): void {
    if (length > this.buffer.length) this.grow(length);
  }

  /** Room for at least `needed` + 64 bytes, keeping what is written. */
  private grow(needed: number): Uint8Array {
    const bytes = new Uint8Array(Math.max(needed + 64, this.buffer.length * 2));
    bytes.set(this.buffer);
    this.buffer = bytes;
    this.latin1 = Buffer.from(bytes.buffer);
    return bytes;
  }
}

/** The four hex digits at `pos` as a number. */
function hex4(text: Uint8Array, pos: number, invalid: () => never): number {
  let code = 0;
  for (let i = 0; i < 4; i++) {
    const c = text[pos + i]!;
    const digit = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
    if (digit < 0) return invalid();
    code = (code << 4) | digit;
  }
  return code;
}

/** Writes code point `code` (not a surrogate) as UTF-8 at `out`; returns the position after it. */
function writeUtf8(bytes: Uint8Array, out: number, code: number): number {
  if (code < 0x80) bytes[out++] = code;
  else if (code < 0x800) {
    bytes[out++] = 0xc0 | (code >> 6);
    bytes[out++] = 0x80 | (code & 0x3f);
  } else if (code < 0x10000) {
    bytes[out++] = 0xe0 | (code >> 12);
    bytes[out++] = 0x80 | ((code >> 6) & 0x3f);
    bytes[out++] = 0x80 | (code & 0x3f);
  } else {
    bytes[out++] = 0xf0 | (code >> 18);
    bytes[out++] = 0x80 | ((code >> 12) & 0x3f);
    bytes[out++] = 0x80 | ((code >> 6) & 0x3f);
    bytes[out++] = 0x80 | (code & 0x3f);
  }
  return out;
}
