/**
 * What `npm run bench` measures: every shape at 1k records and at its large count, unless BENCH_SHAPES or
 * BENCH_SIZES narrow it. Only the full selection may write docs/benchmarks.md; any other goes to
 * docs/benchmarks-partial.md (git-ignored), so a quick run never replaces the figures of a full one.
 */
import { join } from 'node:path';
import { SHAPES, type Shape } from './shapes.js';

/** A count of records, or `large`: the shape's own large count (about 135 MB of JSON). */
export type Size = number | 'large';

export interface Selection {
  readonly shapes: readonly Shape[];
  readonly sizes: readonly Size[];
  /** Every shape at every default size: the run whose report is docs/benchmarks.md. */
  readonly full: boolean;
  readonly reportPath: string;
}

export const DEFAULT_SIZES: readonly Size[] = [1000, 'large'];

/** The selection from BENCH_SHAPES (names, comma-separated) and BENCH_SIZES (counts or `large`). */
export function benchSelection(env: NodeJS.ProcessEnv, root: string): Selection {
  const shapes = env.BENCH_SHAPES ? env.BENCH_SHAPES.split(',').map(shapeNamed) : SHAPES;
  const sizes = env.BENCH_SIZES ? env.BENCH_SIZES.split(',').map(sizeOf) : DEFAULT_SIZES;
  const full = SHAPES.every((shape) => shapes.includes(shape)) && DEFAULT_SIZES.every((size) => sizes.includes(size)) && sizes.length === DEFAULT_SIZES.length;
  return { shapes, sizes, full, reportPath: join(root, full ? 'docs/benchmarks.md' : 'docs/benchmarks-partial.md') };
}

/** The number of records of `size` for `shape`. */
export const recordsOf = (shape: Shape, size: Size) => (size === 'large' ? shape.large : size);

function shapeNamed(name: string): Shape {
  const shape = SHAPES.find((s) => s.name === name.trim());
  if (!shape) throw new Error(`BENCH_SHAPES: no shape named "${name}"; the shapes are ${SHAPES.map((s) => s.name).join(', ')}`);
  return shape;
}

function sizeOf(text: string): Size {
  const trimmed = text.trim();
  if (trimmed === 'large') return 'large';
  const count = Number(trimmed);
  if (!Number.isInteger(count) || count < 1) throw new Error(`BENCH_SIZES: "${text}" is neither a count of records nor "large"`);
  return count;
}
