/** A run of whole top-level array elements: bytes [start, end) of the body, holding `count` elements. */
export interface ArraySlice {
  readonly start: number;
  readonly end: number;
  readonly count: number;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const isSpace = (c: number | undefined) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/**
 * Cuts a body that is one top-level JSON array into slices of whole elements, each about `sliceBytes`
 * long, without parsing it: so a large response can be parsed a slice at a time, and only one slice's
 * objects are in memory at once. Scans bytes (UTF-8 multi-byte sequences never contain the structural
 * characters) and jumps over strings with a native search.
 *
 * Returns null for anything that is not a plain top-level array, or that does not close properly: the
 * caller then parses the whole body, whose error names the problem exactly.
 */
export function sliceTopLevelArray(body: Uint8Array, sliceBytes: number): { count: number; slices: ArraySlice[] } | null {
  const n = body.length;
  let i = 0;
  if (body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) i = 3; // UTF-8 BOM
  while (i < n && isSpace(body[i])) i++;
  if (body[i] !== OPEN_BRACKET) return null;
  const slices: ArraySlice[] = [];
  let depth = 0;
  let count = 0;
  let sliceStart = ++i;
  let sliceCount = 0;
  let inElement = false;
  for (; i < n; i++) {
    const c = body[i]!;
    if (c === QUOTE) {
      let j = i + 1;
      for (;;) {
        j = body.indexOf(QUOTE, j);
        if (j < 0) return null;
        let backslashes = 0;
        for (let b = j - 1; body[b] === BACKSLASH; b--) backslashes++;
        if (backslashes % 2 === 0) break;
        j++;
      }
      i = j;
      inElement = true;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      depth++;
      inElement = true;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      if (depth > 0) {
        depth--;
        continue;
      }
      if (c !== CLOSE_BRACKET) return null;
      if (inElement) {
        count++;
        sliceCount++;
      }
      if (sliceCount > 0) slices.push({ start: sliceStart, end: i, count: sliceCount });
      for (i++; i < n; i++) if (!isSpace(body[i])) return null;
      return { count, slices };
    } else if (c === COMMA && depth === 0) {
      if (!inElement) return null;
      count++;
      sliceCount++;
      inElement = false;
      if (i - sliceStart >= sliceBytes) {
        slices.push({ start: sliceStart, end: i, count: sliceCount });
        sliceStart = i + 1;
        sliceCount = 0;
      }
    } else if (!isSpace(c)) {
      inElement = true;
    }
  }
  return null;
}
