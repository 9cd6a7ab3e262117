import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/core/config.js';
import { advanceState, compareCursors, cursorFor, INCREMENTAL_HISTORY, type IncrementalState } from '../../src/core/incremental.js';
import { scheduledHour } from '../../src/core/layout.js';

const source = parseConfig({
  source: { name: 'events', url: 'https://api.example.com/e', auth: { in: 'none' }, recordsPath: 'data', incremental: { cursorPath: 'meta.updated', param: 'since', initial: '2026-01-01T00:00:00Z' } },
  table: 'events',
  schedule: 'rate(1 hour)',
}).source;
const hour = (h: number) => scheduledHour(`2026-11-25T${String(h).padStart(2, '0')}:00:00Z`);
const page = (...updated: (string | number | null)[]) => ({ key: 'p.json', body: new TextEncoder().encode(JSON.stringify({ data: updated.map((u, i) => ({ id: i, meta: { updated: u } })) })) });

describe('the incremental cursor', () => {
  it('asks from incremental.initial before any hour moved it, then from the last earlier hour', () => {
    expect(cursorFor(undefined, source, hour(10))).toBe('2026-01-01T00:00:00Z');
    const state = advanceState(undefined, source, hour(10), [page('2026-11-25T10:05:00Z', '2026-11-25T10:40:00+01:00', null)], 0);
    // 10:40+01:00 is 09:40Z, earlier than 10:05Z: the instant counts, not the text
    expect(state?.entries).toEqual([{ hour: hour(10).iso, value: '2026-11-25T10:05:00Z', setAt: '1970-01-01T00:00:00.000Z' }]);
    expect(cursorFor(state, source, hour(11))).toBe('2026-11-25T10:05:00Z');
    // a rerun of hour 10 asks from where it asked before: the state before that hour
    expect(cursorFor(state, source, hour(10))).toBe('2026-01-01T00:00:00Z');
  });

  it('replaces a rerun hour\'s entry and keeps the later hours\' entries', () => {
    let state: IncrementalState | undefined;
    state = advanceState(state, source, hour(10), [page('2026-11-25T10:05:00Z')], 0);
    state = advanceState(state, source, hour(11), [page('2026-11-25T11:30:00Z')], 0);
    state = advanceState(state, source, hour(10), [page('2026-11-25T10:20:00Z')], 0);
    expect(state!.entries.map((e) => [e.hour.slice(11, 13), e.value])).toEqual([
      ['10', '2026-11-25T10:20:00Z'],
      ['11', '2026-11-25T11:30:00Z'],
    ]);
    expect(cursorFor(state, source, hour(12))).toBe('2026-11-25T11:30:00Z');
  });

  it('moves nothing for an hour without values, and never below where the hour asked from', () => {
    const state = advanceState(undefined, source, hour(10), [page('2026-11-25T10:05:00Z')], 0);
    expect(advanceState(state, source, hour(11), [page(null, null)], 0)).toBeUndefined();
    const older = advanceState(state, source, hour(11), [page('2026-11-25T09:00:00Z')], 0);
    expect(older!.entries.at(-1)!.value).toBe('2026-11-25T10:05:00Z');
  });

  it('compares numbers as numbers (incremental.initial is the number it spells), and refuses a mix', () => {
    const numeric = { ...source, incremental: { ...source.incremental!, initial: '100' } };
    const state = advanceState(undefined, numeric, hour(10), [page(99, 250, 7)], 0);
    expect(state!.entries[0]!.value).toBe(250);
    expect(() => advanceState(undefined, numeric, hour(10), [page(5, 'x')], 0)).toThrow(/holds numbers and strings/);
    expect(compareCursors('b', 'a', 'p')).toBeGreaterThan(0);
  });

  it(`keeps the last ${INCREMENTAL_HISTORY} hours`, () => {
    let state: IncrementalState | undefined;
    for (let h = 0; h < INCREMENTAL_HISTORY + 5; h++) {
      const at = scheduledHour(new Date(Date.UTC(2026, 0, 1) + h * 3_600_000).toISOString());
      state = advanceState(state, source, at, [page(new Date(Date.UTC(2026, 0, 1) + h * 3_600_000 + 60_000).toISOString())], 0);
    }
    expect(state!.entries).toHaveLength(INCREMENTAL_HISTORY);
  });
});
