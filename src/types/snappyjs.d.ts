declare module 'snappyjs' {
  /** Snappy raw-block compression (no framing), as Parquet's SNAPPY codec expects. */
  export function compress(input: Uint8Array): Uint8Array;
  export function uncompress(input: Uint8Array): Uint8Array;
  const snappy: { compress: typeof compress; uncompress: typeof uncompress };
  export default snappy;
}

declare module 'snappyjs/snappy_compressor.js' {
  /** The compressor behind `compress`, which writes into a buffer the caller owns. */
  export class SnappyCompressor {
    constructor(input: Uint8Array);
    /** The most bytes `compressToBuffer` can write for this input. */
    maxCompressedLength(): number;
    /** Compresses into `out` (at least maxCompressedLength() long); returns the compressed length. */
    compressToBuffer(out: Uint8Array): number;
  }
}
