import { describe, expect, it } from 'vitest';
import { benchSelection } from '../../bench/selection.js';
import { SHAPES } from '../../bench/shapes.js';

/** `npm run bench` with a narrowed selection must never overwrite the full report (issue 16). */
describe('what npm run bench measures and where it writes', () => {
  const root = '/project';

  it('writes docs/benchmarks.md only for every shape at every default size', () => {
    expect(benchSelection({}, root)).toMatchObject({ full: true, reportPath: '/project/docs/benchmarks.md', sizes: [1000, 'large'] });
    expect(benchSelection({}, root).shapes).toHaveLength(SHAPES.length);
    // The same selection spelled out, in another order, is still the full one.
    const spelled = { BENCH_SHAPES: SHAPES.map((s) => s.name).reverse().join(','), BENCH_SIZES: 'large, 1000' };
    expect(benchSelection(spelled, root)).toMatchObject({ full: true, reportPath: '/project/docs/benchmarks.md' });
  });

  it('writes any narrower or other selection to docs/benchmarks-partial.md', () => {
    for (const env of [{ BENCH_SIZES: '1000' }, { BENCH_SIZES: '1000,100000' }, { BENCH_SHAPES: 'weather' }, { BENCH_SIZES: '1000,large,5000' }, { BENCH_SIZES: '1000,100000,1000000' }]) {
      expect(benchSelection(env, root), JSON.stringify(env)).toMatchObject({ full: false, reportPath: '/project/docs/benchmarks-partial.md' });
    }
  });

  it('names an unknown shape or size and what is known', () => {
    expect(() => benchSelection({ BENCH_SHAPES: 'weather,evnts' }, root)).toThrow(/BENCH_SHAPES: no shape named "evnts"; the shapes are weather, events/);
    expect(() => benchSelection({ BENCH_SIZES: '1k' }, root)).toThrow('BENCH_SIZES: "1k" is neither a count of records nor "large"');
  });
});
