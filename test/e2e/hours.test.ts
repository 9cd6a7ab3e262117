import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { queryLake } from '../../src/cli/lake-query.js';
import { parseConfig, type PipelineConfig } from '../../src/core/config.js';
import type { LocalStack } from '../../src/cli/twin/local-stack.js';
import { filesUnder, localStack, runAgainstDemo, synthesizeLocalStack, tempLake } from '../helpers/twin.js';

const history = JSON.parse(readFileSync(new URL('../../examples/weather-history.json', import.meta.url), 'utf8')) as PipelineConfig;
let historyStack: LocalStack;
beforeAll(() => {
  localStack();
  historyStack = synthesizeLocalStack(parseConfig(history));
}, 60_000);

/** The history example's source, pointed at the demo API's history.json. */
const historySource = (c: PipelineConfig) => parseConfig({ ...history, source: { ...history.source, url: c.source.url.replace('current.json', 'history.json') } });
const NOW = Date.parse('2026-11-30T03:10:00Z');
const message = (run: { notifications: { message: string }[] }) => JSON.parse(run.notifications.at(-1)!.message) as Record<string, unknown>;

describe('which hour the API is asked for', () => {
  it('a source with hour placeholders is asked for the scheduled hour, whenever it runs (a backfill)', async () => {
    const lake = tempLake();
    for (const hour of ['2026-11-20T00:00:00Z', '2026-11-20T01:00:00Z']) {
      const run = await runAgainstDemo({ now: () => NOW }, { lake, hour, now: () => NOW, config: historySource, stack: historyStack });
      expect(run.status).toBe('SUCCEEDED');
    }
    const { rows } = await queryLake(lake, "SELECT hour, strftime(to_timestamp(time_epoch), '%Y-%m-%dT%H') AS answered_for, lake_current_data FROM weather_history ORDER BY hour");
    expect(rows).toEqual([
      { hour: 0, answered_for: '2026-11-20T00', lake_current_data: false },
      { hour: 1, answered_for: '2026-11-20T01', lake_current_data: false },
    ]);
  });

  it('a source with none, run for a past hour, is refused by Fetch before any call: it would make up history', async () => {
    const run = await runAgainstDemo({}, { hour: '2026-11-20T00:00:00Z', now: () => NOW });
    expect(run.status).toBe('FAILED');
    expect(run.apiCalls).toBe(0);
    expect(message(run)).toMatchObject({ step: 'Fetch', error: 'InvalidInputError' });
    expect(run.cause).toContain('the source has no hour placeholder, so the API answers for now (2026-11-30T03:10:00.000Z), not for the hour 2026-11-20T00:00:00.000Z');
    expect(filesUnder(join(run.lake, 'raw'))).toEqual([]);
  });

  it('with "allowCurrentData": true it stores the current answer, marked in the raw metadata and in the lineage', async () => {
    const run = await runAgainstDemo({ now: () => NOW }, { hour: '2026-11-20T00:00:00Z', now: () => NOW, allowCurrentData: true });
    expect(run.status).toBe('SUCCEEDED');
    const meta = JSON.parse(readFileSync(join(run.lake, 'raw', `${run.output!.transformInput!.chains![0]!.firstKey}.meta.json`), 'utf8')) as { metadata: Record<string, string> };
    expect(meta.metadata).toMatchObject({ 'scheduled-hour': '2026-11-20T00:00:00.000Z', 'fetched-at': '2026-11-30T03:10:00.000Z', 'current-data': 'true' });
    const { rows } = await queryLake(run.lake, 'SELECT dt, hour, lake_current_data FROM weather');
    expect(rows).toEqual([{ dt: '2026-11-20', hour: 0, lake_current_data: true }]);
  });

  it('the scheduled run a little late (the next hour) still loads, marked as current data', async () => {
    const run = await runAgainstDemo({}, { hour: '2026-11-30T02:00:00Z', now: () => NOW });
    expect(run.status).toBe('SUCCEEDED');
    expect((await queryLake(run.lake, 'SELECT lake_current_data FROM weather')).rows).toEqual([{ lake_current_data: true }]);
  });

  it('a future hour is refused for every source', async () => {
    for (const options of [{}, { config: historySource, stack: historyStack }]) {
      const run = await runAgainstDemo({}, { hour: '2026-11-30T05:00:00Z', now: () => NOW, ...options });
      expect(run.status).toBe('FAILED');
      expect(run.apiCalls).toBe(0);
      expect(run.cause).toContain('the hour 2026-11-30T05:00:00.000Z has not begun yet');
    }
  });
});
