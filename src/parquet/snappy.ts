import { SNAPPY_WASM } from './snappy/wasm.js';

/**
 * Snappy compression in WebAssembly (snappy/snappy.c, the reference compressor's algorithm). The same module
 * runs on every Node.js and on Lambda's, x86 or ARM: one code path. Against snappyjs (pure JavaScript, used
 * before) it is about twice as fast once both are warm, and an order of magnitude faster in a fresh process,
 * where JavaScript is still interpreted (docs/benchmarks.md).
 */

/** The part of the WebAssembly API used here: the project's TypeScript libraries declare none of it. */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: object };
};

interface SnappyModule {
  readonly memory: WasmMemory;
  readonly compress: (input: number, length: number, output: number) => number;
  /** Where memory beyond the module's own data starts. */
  readonly heapBase: number;
}

/** Readable bytes after the input and writable bytes after the output: short literals are copied 16 bytes at a time. */
const MARGIN = 16;
const WASM_PAGE = 65536;

let module: SnappyModule | undefined;
let view = new Uint8Array(0);

/** Snappy's bound on the compressed size of `n` bytes. */
export const maxCompressedLength = (n: number) => 32 + n + Math.floor(n / 6);

/** `raw` compressed with Snappy (raw format, as Parquet's SNAPPY codec): a view into the module's memory, valid until the next call. */
export function snappyCompress(raw: Uint8Array): Uint8Array {
  const snappy = (module ??= instantiate());
  const input = snappy.heapBase;
  const output = input + raw.length + MARGIN;
  const end = output + maxCompressedLength(raw.length) + MARGIN;
  const { memory } = snappy;
  if (memory.buffer.byteLength < end) memory.grow(Math.ceil((end - memory.buffer.byteLength) / WASM_PAGE));
  if (view.buffer !== memory.buffer) view = new Uint8Array(memory.buffer); // growing replaces the buffer
  view.set(raw, input);
  return view.subarray(output, output + snappy.compress(input, raw.length, output));
}

function instantiate(): SnappyModule {
  const instance = new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(SNAPPY_WASM, 'base64')));
  const exports = instance.exports as { memory: WasmMemory; compress: SnappyModule['compress']; __heap_base: { value: number } };
  return { memory: exports.memory, compress: exports.compress, heapBase: exports.__heap_base.value };
}
