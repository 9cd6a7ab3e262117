/**
 * Decimal numbers with more digits than a double holds exactly (16 to 30 digits, as JSON.stringify writes most
 * doubles), read without `Number()`: V8's conversion of such a string took a third of reading wide numeric
 * records. The value is computed in double-double arithmetic (about 104 bits, error-free products and sums)
 * and rounded once; the result is returned only when it is provably the correctly rounded one (the exact value
 * is not within the arithmetic's error of a point halfway between two doubles). Otherwise NaN: the caller then
 * uses `Number()`.
 */

const POW10 = Array.from({ length: 23 }, (_, i) => Number(`1e${i}`));
/** Veltkamp's splitter for doubles: 2^27 + 1. */
const SPLITTER = 134217729;
const bits = new Float64Array(1);
const words = new Uint32Array(bits.buffer);
/** The index of the word holding the sign, exponent and top of the mantissa. */
const HIGH = new Uint8Array(new Float64Array([1]).buffer)[7] === 0x3f ? 1 : 0;

/**
 * The value of the decimal number text[start, end) (valid JSON, read before) when it can be proven to be the
 * double JSON.parse gives; NaN when not (more than 30 digits, a power of ten beyond ±22, too near a halfway point).
 */
export function longDecimal(text: Uint8Array, start: number, end: number): number {
  let pos = start;
  const negative = text[pos] === 45;
  if (negative) pos++;
  let high = 0;
  let highDigits = 0;
  let low = 0;
  let lowDigits = 0;
  let scale = 0;
  let fraction = false;
  for (; pos < end; pos++) {
    const c = text[pos]!;
    if (c === 46) {
      fraction = true;
      continue;
    }
    if (c < 48 || c > 57) break;
    const digit = c - 48;
    if (fraction) scale--;
    if (highDigits < 15) {
      high = high * 10 + digit;
      if (high > 0) highDigits++; // leading zeros take no place
    } else {
      low = low * 10 + digit;
      lowDigits++;
    }
  }
  if (pos < end) {
    // an exponent: e, an optional sign, digits
    pos++;
    const minus = text[pos] === 45;
    if (text[pos] === 45 || text[pos] === 43) pos++;
    let exponent = 0;
    for (; pos < end && exponent < 1000; pos++) exponent = exponent * 10 + (text[pos]! - 48);
    scale += minus ? -exponent : exponent;
  }
  if (lowDigits > 15 || lowDigits === 0) return NaN;
  if (scale >= 0 || scale < -22) return NaN;
  // The mantissa high * 10^lowDigits + low exactly, as mh + ml.
  const p = high * POW10[lowDigits]!;
  const e = productError(high, POW10[lowDigits]!, p);
  const mh = p + low;
  const ml = low - (mh - p) + e; // (mh - p) is exact (Sterbenz); low - it is the sum's error, tiny, as is e
  // Divided by 10^-scale: q1 + q2.
  const divisor = POW10[-scale]!;
  const q1 = mh / divisor;
  const p2 = q1 * divisor;
  const e2 = productError(q1, divisor, p2);
  const q2 = (mh - p2 - e2 + ml) / divisor;
  const value = q1 + q2;
  const rest = q2 - (value - q1); // value + rest = q1 + q2 (Fast2Sum: |q1| >= |q2|)
  // The exact value is within 2^-96 of `value` (relative, generously): decided unless that reaches a halfway point.
  bits[0] = value;
  const exponentBits = (words[HIGH]! >>> 20) & 0x7ff;
  if (exponentBits <= 53 || exponentBits >= 2046) return NaN;
  if ((words[HIGH]! & 0xfffff) === 0 && words[1 - HIGH] === 0) return NaN; // a power of two: its halfway points are not symmetric
  bits[0] = 0;
  words[HIGH] = (exponentBits - 53) << 20; // 2^(exponent - 53): half an ulp of value
  const half = bits[0]!;
  if (Math.abs(Math.abs(rest) - half) <= Math.abs(value) * 2 ** -96) return NaN;
  return negative ? -value : value;
}

/** The error of the product p = fl(a * b): a * b = p + productError(a, b, p) exactly (Dekker). */
function productError(a: number, b: number, p: number): number {
  let t = SPLITTER * a;
  const aHigh = t - (t - a);
  const aLow = a - aHigh;
  t = SPLITTER * b;
  const bHigh = t - (t - b);
  const bLow = b - bHigh;
  return aHigh * bHigh - p + aHigh * bLow + aLow * bHigh + aLow * bLow;
}
