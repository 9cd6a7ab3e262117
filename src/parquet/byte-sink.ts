/** A growable little-endian byte buffer: the one place the Parquet writer puts bytes. */
export class ByteSink {
  bytes: Uint8Array;
  private view: DataView;
  length = 0;

  constructor(capacity = 1 << 16) {
    this.bytes = new Uint8Array(capacity);
    this.view = new DataView(this.bytes.buffer);
  }

  /** Makes room for `n` more bytes. */
  reserve(n: number): void {
    const needed = this.length + n;
    if (needed <= this.bytes.length) return;
    let capacity = this.bytes.length * 2;
    while (capacity < needed) capacity *= 2;
    const bytes = new Uint8Array(capacity);
    bytes.set(this.bytes.subarray(0, this.length));
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer);
  }

  u8(value: number): void {
    this.reserve(1);
    this.bytes[this.length++] = value;
  }

  u32(value: number): void {
    this.reserve(4);
    this.view.setUint32(this.length, value, true);
    this.length += 4;
  }

  /** Writes `value` at an earlier position (a length prefix known only afterwards). */
  u32At(position: number, value: number): void {
    this.view.setUint32(position, value, true);
  }

  f64(value: number): void {
    this.reserve(8);
    this.view.setFloat64(this.length, value, true);
    this.length += 8;
  }

  /** Doubles, little-endian: one copy on a little-endian machine (all that Lambda and Node run on). */
  f64s(values: Float64Array): void {
    if (!LITTLE_ENDIAN) {
      for (const value of values) this.f64(value);
      return;
    }
    this.reserve(values.length * 8);
    this.bytes.set(new Uint8Array(values.buffer, values.byteOffset, values.length * 8), this.length);
    this.length += values.length * 8;
  }

  /** A signed 64-bit integer given as a safe-integer number or a bigint. */
  i64(value: number | bigint): void {
    this.reserve(8);
    if (typeof value === 'bigint') {
      this.view.setBigInt64(this.length, value, true);
    } else {
      this.view.setUint32(this.length, value >>> 0, true); // ToUint32 is the low word, also for negatives
      this.view.setInt32(this.length + 4, Math.floor(value / 4294967296), true);
    }
    this.length += 8;
  }

  /** ULEB128, for non-negative numbers up to 2^53. */
  varint(value: number): void {
    this.reserve(8);
    while (value >= 0x80) {
      this.bytes[this.length++] = (value % 0x80) | 0x80;
      value = Math.floor(value / 0x80);
    }
    this.bytes[this.length++] = value;
  }

  write(bytes: Uint8Array): void {
    this.reserve(bytes.length);
    this.bytes.set(bytes, this.length);
    this.length += bytes.length;
  }

  /** Appends a string as UTF-8 and returns the number of bytes written. */
  utf8(text: string): number {
    this.reserve(text.length * 3);
    const bytes = this.bytes;
    const start = this.length;
    // Short ASCII strings (most names and codes) are copied here: a call into the encoder costs more than they do.
    if (text.length <= 32) {
      let i = 0;
      for (; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (c >= 0x80) break;
        bytes[start + i] = c;
      }
      if (i === text.length) {
        this.length += i;
        return i;
      }
    }
    const { written } = encoder.encodeInto(text, bytes.subarray(start));
    this.length += written;
    return written;
  }

  /** Appends a string of bytes, one character a byte (a latin1 string), after its 4-byte length: a PLAIN BYTE_ARRAY. */
  latin1String(text: string): void {
    this.u32(text.length);
    this.reserve(text.length);
    this.length += Buffer.from(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength).write(text, this.length, 'latin1');
  }

  /** The bytes written so far (a view, not a copy). */
  contents(): Uint8Array {
    return this.bytes.subarray(0, this.length);
  }
}

const encoder = new TextEncoder();
const LITTLE_ENDIAN = new Uint8Array(new Float64Array([1]).buffer)[7] === 0x3f;
