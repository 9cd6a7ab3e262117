import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { queryLake } from '../../src/cli/lake-query.js';
import { assertEveryTaskHasHandler } from '../../src/cli/twin/run.js';
import { localTaskHandlers } from '../../src/cli/twin/local-tasks.js';
import { taskStateNames } from '../../src/cli/twin/stack-cache.js';
import { definition, everythingProduced, filesUnder, localStack, RECOGNISABLE_KEY, runAgainstDemo, tempLake } from '../helpers/twin.js';
import { projectConfig } from '../helpers/synth.js';

beforeAll(() => {
  definition();
}, 60_000);

const count = async (lake: string) => (await queryLake(lake, 'SELECT count(*)::INT AS n FROM weather')).rows[0]!.n;
const message = (run: { notifications: { message: string }[] }) => JSON.parse(run.notifications[0]!.message) as Record<string, unknown>;

describe('local twin, end to end through the synthesized state machine', () => {
  it('maps every Task state of the deployed definition to a local handler', () => {
    const names = taskStateNames(definition());
    expect(names.sort()).toEqual(['Fetch', 'NotifyFailure', 'NotifySchemaChanged', 'NotifySkipped', 'Transform']);
    const handlers = localTaskHandlers({ config: projectConfig(), stack: localStack(), lakeDir: tempLake() });
    expect(() => assertEveryTaskHasHandler(definition(), handlers)).not.toThrow();
    const { Transform: _dropped, ...incomplete } = handlers;
    expect(() => assertEveryTaskHasHandler(definition(), incomplete)).toThrow(/no handler for Task state\(s\) Transform/);
  });

  it('happy path: raw JSON and curated Parquet for the hour, queryable with its partitions', async () => {
    const run = await runAgainstDemo();
    expect(run.status).toBe('SUCCEEDED');
    expect(run.output?.transformInput?.chains).toEqual([{ request: 0, firstKey: 'weather/dt=2026-11-25/hour=18/weather_20261125T18Z.json', pages: 1, bytes: expect.any(Number) }]);
    expect(run.output?.transform?.curatedKey).toBe('weather/dt=2026-11-25/hour=18/weather_20261125T18Z.parquet');
    const { rows } = await queryLake(run.lake, 'SELECT dt, hour, location_name, current_pressure_mb, lake_raw_key FROM weather');
    expect(rows).toEqual([
      { dt: '2026-11-25', hour: 18, location_name: 'Healesville', current_pressure_mb: expect.any(Number), lake_raw_key: run.output!.transformInput!.chains![0]!.firstKey },
    ]);
    // The first hour gives the stack's table its columns: a "schema changed" notice, not a failure.
    expect(run.notifications.map((n) => JSON.parse(n.message).outcome)).toEqual(['SCHEMA_CHANGED']);
  });

  it('503 twice then success: retried, one raw and one curated object, no duplicate rows', async () => {
    const run = await runAgainstDemo({ failFirst: 2 });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.apiCalls).toBe(3);
    expect(run.progress.filter((e) => e.kind === 'state-retry' && e.state === 'Fetch').map((e) => e.attempt)).toEqual([2, 3]);
    expect(filesUnder(join(run.lake, 'raw')).filter((f) => f.endsWith('.json') && !f.endsWith('.meta.json'))).toHaveLength(1);
    expect(filesUnder(join(run.lake, 'curated')).filter((f) => f.endsWith('.parquet'))).toHaveLength(1);
    expect(await count(run.lake)).toBe(1);
  });

  it('API down for every attempt: the hour is skipped with a notification, SUCCEEDED, nothing curated', async () => {
    const run = await runAgainstDemo({ failFirst: 100 });
    expect(run.status).toBe('SKIPPED');
    expect(run.apiCalls).toBe(4); // 1 + 3 retries
    expect(message(run)).toMatchObject({ outcome: 'SKIPPED', source: 'weather', scheduledTime: '2026-11-25T18:00:00Z', error: 'ApiUnavailableError' });
    expect(filesUnder(run.lake).filter((f) => !f.includes('_notifications') && !f.includes('_logs') && !f.includes('_executions'))).toEqual([]);
  });

  it('401: a failure notification that names the key problem, FAILED, no retry storm', async () => {
    const run = await runAgainstDemo({ status: 401 });
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('ApiAuthError');
    expect(run.apiCalls).toBe(1);
    const failure = message(run);
    expect(failure).toMatchObject({ outcome: 'FAILED', step: 'Fetch', error: 'ApiAuthError', scheduledTime: '2026-11-25T18:00:00Z', rawKeys: [] });
    expect(String(failure.cause)).toMatch(/refused the key.*API key provided is invalid/);
    expect(String(failure.execution)).toMatch(/^arn:aws:states:.*:execution:/);
  });

  it('malformed body: the raw object is kept as received and named in the failure notification', async () => {
    const run = await runAgainstDemo({ malformed: true });
    expect(run.status).toBe('FAILED');
    const failure = message(run);
    expect(failure).toMatchObject({ step: 'Transform', error: 'InvalidResponseError', rawKeys: ['weather/dt=2026-11-25/hour=18/weather_20261125T18Z.json'] });
    expect(String(failure.summary)).toContain('weather_20261125T18Z.json');
    expect(String(failure.cause)).toContain('is not JSON');
    expect(filesUnder(join(run.lake, 'raw')).some((f) => f.endsWith('weather_20261125T18Z.json'))).toBe(true);
    expect(filesUnder(join(run.lake, 'curated'))).toEqual([]);
  });

  it('the same hour twice: the lake holds it once', async () => {
    const lake = tempLake();
    await runAgainstDemo({}, { lake });
    expect(await count(lake)).toBe(1);
    const again = await runAgainstDemo({}, { lake });
    expect(again.status).toBe('SUCCEEDED');
    expect(await count(lake)).toBe(1);
  });

  it('an input without a time fails with a notification and writes nothing under any hour', async () => {
    const run = await runAgainstDemo({}, { input: { when: 'now' } });
    expect(run.status).toBe('FAILED');
    expect(run.apiCalls).toBe(0);
    expect(message(run)).toMatchObject({ step: 'CheckInput', error: 'InvalidInputError' });
    expect(filesUnder(join(run.lake, 'raw'))).toEqual([]);
  });

  it('never lets the API key appear in the output, the lake, the logs or the notifications', async () => {
    const runs = await Promise.all([runAgainstDemo(), runAgainstDemo({ failFirst: 100 }), runAgainstDemo({ status: 401 }), runAgainstDemo({ malformed: true }), runAgainstDemo({ status: 400 })]);
    for (const run of runs) {
      const produced = everythingProduced(run);
      expect(produced.length).toBeGreaterThan(100);
      expect(produced).not.toContain(RECOGNISABLE_KEY);
    }
    // The logs did record the calls, with the key redacted, and the search covered the execution history.
    expect(everythingProduced(runs[0]!)).toContain('key=***');
    expect(JSON.stringify(runs[0]!.history)).toContain('"rawKeys"');
  });
});
