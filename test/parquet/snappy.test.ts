import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { snappyUncompress } from 'hyparquet';
import { uncompress } from 'snappyjs';
import { describe, expect, it } from 'vitest';
import { maxCompressedLength, snappyCompress } from '../../src/parquet/snappy.js';
import { tempDir } from '../helpers/temp-dirs.js';

/** Decompressed by two independent decoders (snappyjs, hyparquet): both must give the input back. */
function roundTrips(input: Uint8Array): number {
  const compressed = snappyCompress(input).slice();
  expect(Buffer.from(uncompress(compressed)).equals(input)).toBe(true);
  const out = new Uint8Array(input.length);
  snappyUncompress(compressed, out);
  expect(Buffer.from(out).equals(input)).toBe(true);
  expect(compressed.length).toBeLessThanOrEqual(maxCompressedLength(input.length));
  return compressed.length;
}

/** Bytes drawn from a small alphabet, so that they repeat and matches are found at every offset and length. */
const repetitive = fc
  .tuple(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 200_000 }), fc.integer())
  .map(([alphabet, length, seed]) => {
    const bytes = new Uint8Array(length);
    let state = seed | 1;
    for (let i = 0; i < length; i++) {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      // Runs and copies: now and then repeat an earlier stretch, else draw from the alphabet.
      bytes[i] = i > 100 && (state & 7) === 0 ? bytes[i - 1 - ((state >>> 8) % 100)]! : 97 + ((state >>> 3) % alphabet);
    }
    return bytes;
  });

describe('snappyCompress (WebAssembly)', () => {
  it('round-trips any bytes through two independent Snappy decoders', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 300 }), repetitive), (input) => {
        roundTrips(input);
      }),
      { numRuns: 200 },
    );
  });

  it('round-trips the edges: empty, tiny, block boundaries, incompressible, one long run', () => {
    const random = new Uint8Array(300_000).map(() => Math.floor(Math.random() * 256));
    for (const length of [0, 1, 3, 4, 15, 16, 17, 65_535, 65_536, 65_537, 131_072, 300_000]) {
      roundTrips(random.subarray(0, length));
      roundTrips(new Uint8Array(length).fill(7));
    }
    // Random bytes cannot be compressed: the output is the input as literals plus a few bytes of framing.
    expect(roundTrips(random)).toBeLessThan(random.length + 100);
    // A run compresses to about 3 bytes per 64-byte copy.
    expect(roundTrips(new Uint8Array(1 << 20).fill(1))).toBeLessThan(60_000);
  });

  it('gives the bytes back when its memory must grow for a larger input, and after', () => {
    roundTrips(new Uint8Array(5 << 20).map((_, i) => i % 251));
    roundTrips(new Uint8Array(10).fill(3));
  });

  it('compresses text as small as the reference algorithm does (snappyjs ports it), within 1%', async () => {
    const text = new TextEncoder().encode(Array.from({ length: 20_000 }, (_, i) => `{"id":${i},"name":"station-${i % 97}","ok":${i % 3 === 0}}`).join(','));
    const { compress } = await import('snappyjs');
    expect(Math.abs(roundTrips(text) / compress(text).length - 1)).toBeLessThan(0.01);
  });

  it('is built by build.sh from snappy.c as it is now (byte for byte where the same clang is installed)', () => {
    const dir = fileURLToPath(new URL('../../src/parquet/snappy/', import.meta.url));
    const carried = readFileSync(`${dir}wasm.ts`, 'utf8');
    // Everywhere: the module records the hash of the source it was built from, so an edit of snappy.c without a
    // rebuild fails here.
    const source = createHash('sha256').update(readFileSync(`${dir}snappy.c`)).digest('hex');
    expect(carried).toContain(`// snappy.c sha256 ${source}\n`);
    // Where the clang that built it is installed: a fresh build is the same file.
    let clang: string | undefined;
    try {
      clang = execFileSync('clang', ['--version'], { encoding: 'utf8' }).split('\n')[0];
    } catch {
      clang = undefined;
    }
    if (clang && carried.includes(`// ${clang}\n`)) {
      const fresh = join(tempDir('api-lake-snappy-'), 'wasm.ts');
      execFileSync('sh', [`${dir}build.sh`, fresh]);
      expect(readFileSync(fresh, 'utf8')).toBe(carried);
    }
  });
});
