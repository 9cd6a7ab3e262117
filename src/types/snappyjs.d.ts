// The tests' independent Snappy decoder (the writer compresses with src/parquet/snappy.ts).
declare module 'snappyjs' {
  /** Snappy raw-block compression (no framing), as Parquet's SNAPPY codec expects. */
  export function compress(input: Uint8Array): Uint8Array;
  export function uncompress(input: Uint8Array): Uint8Array;
  const snappy: { compress: typeof compress; uncompress: typeof uncompress };
  export default snappy;
}
