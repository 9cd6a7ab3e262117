import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { SFNClient } from '@aws-sdk/client-sfn';
import { beforeAll, describe, expect, it } from 'vitest';
import { AwsHttpClient } from '../../src/adapters/aws/aws-http.js';
import { S3ObjectStore } from '../../src/adapters/aws/s3-store.js';
import { reprocessCommand, type ReprocessIo } from '../../src/cli/commands/reprocess.js';
import { queryLake } from '../../src/cli/lake-query.js';
import { LOCAL_REGION } from '../../src/cli/twin/local-stack.js';
import { functionOf } from '../../src/cli/twin/local-tasks.js';
import { runHour } from '../../src/cli/twin/run.js';
import { parseConfig } from '../../src/core/config.js';
import { scheduledHour } from '../../src/core/layout.js';
import { startControlPlane } from '../helpers/aws-stand-ins.js';
import { startS3Server } from '../helpers/s3-server.js';
import { projectConfig } from '../helpers/synth.js';
import { clockOf, filesUnder, localStack, runAgainstDemo, synthesizer, tempLake } from '../helpers/twin.js';
import { tempDir } from '../helpers/temp-dirs.js';

beforeAll(() => {
  localStack();
}, 60_000);

/** A config file like the project's, with `patch` applied to the source, pointed at a port nothing listens on: a call to the API would fail. */
function configFile(patch: Record<string, unknown> = {}): string {
  const base = projectConfig();
  const file = join(tempDir('api-lake-reprocess-'), 'config.json');
  writeFileSync(file, JSON.stringify({ ...base, source: { ...base.source, url: 'http://127.0.0.1:2/v1/current.json', ...patch } }));
  return file;
}

async function reprocess(argv: string[], io: Partial<ReprocessIo> = {}) {
  let text = '';
  const out = new Writable({ write: (chunk, _e, done) => ((text += chunk), done()) });
  const code = await reprocessCommand(argv, { out, synthesizer, ...io });
  return { code, text };
}

/** Every raw file (objects and their metadata) with its bytes. */
const rawFiles = (lake: string) => Object.fromEntries(filesUnder(join(lake, 'raw')).map((f) => [f, readFileSync(f, 'latin1')]));

describe('api-lake reprocess, through the twin', () => {
  it("is the documented recovery from a SchemaError: rewrites every hour from raw as declared, never calling the API or touching raw", async () => {
    // Prepare: an hour loads, the next fails because the column changed type; raw holds both responses.
    const lake = tempLake();
    await runAgainstDemo({ body: '{"station": "a", "reading": 15}' }, { lake, hour: '2026-11-25T18:00:00Z' });
    const failed = await runAgainstDemo({ body: '{"station": "a", "reading": "high"}' }, { lake, hour: '2026-11-25T19:00:00Z' });
    expect(failed.error).toBe('SchemaError');
    expect(failed.cause).toContain('npx api-lake reprocess --from <first hour> --to <last hour>');
    const before = rawFiles(lake);
    // Act: the README's steps: declare the type, move the table schema aside, reprocess the hours.
    renameSync(join(lake, 'curated/_schemas/weather.json'), join(lake, 'weather.schema.old.json'));
    const { code, text } = await reprocess(['--from', '2026-11-25T18Z', '--to', '2026-11-25T20Z', '--lake', lake, '--config', configFile({ columns: { reading: 'string' } })]);
    // Assess
    expect(code).toBe(0);
    expect(text).toMatch(/2026-11-25T18:00Z \| REPROCESSED \| 1 +\| weather\/dt=2026-11-25\/hour=18\//);
    expect(text).toMatch(/2026-11-25T20:00Z \| NO RAW/);
    expect(text).toContain('2 reprocessed, 1 without raw data, 0 failed.');
    const { rows } = await queryLake(lake, 'SELECT hour, reading FROM weather ORDER BY hour');
    expect(rows).toEqual([
      { hour: 18, reading: '15' },
      { hour: 19, reading: 'high' },
    ]);
    expect(rawFiles(lake)).toEqual(before); // not one byte of raw written, no version kept: the API was never called
  });

  it('reports an hour whose raw data cannot be transformed, and exits 1', async () => {
    const lake = tempLake();
    await runAgainstDemo({ body: '<html>maintenance</html>' }, { lake, hour: '2026-11-25T18:00:00Z' });
    const { code, text } = await reprocess(['--from', '2026-11-25T18Z', '--to', '2026-11-25T18Z', '--lake', lake, '--config', configFile()]);
    expect(code).toBe(1);
    expect(text).toContain('2026-11-25T18Z FAILED: InvalidResponseError: the response stored at weather/dt=2026-11-25/hour=18/weather_20261125T18Z.json is not JSON');
    expect(text).toMatch(/2026-11-25T18:00Z \| FAILED +\| +\| +\| InvalidResponseError: /);
    expect(text).toContain('0 reprocessed, 0 without raw data, 1 failed.');
  });

  it('keeps the earlier raw response when a rerun replaces it, as the versioned raw bucket does', async () => {
    const lake = tempLake();
    await runAgainstDemo({ body: '{"v": 1}' }, { lake });
    await runAgainstDemo({ body: '{"v": 2}' }, { lake });
    const key = 'weather/dt=2026-11-25/hour=18/weather_20261125T18Z.json';
    expect(readFileSync(join(lake, 'raw', key), 'utf8')).toBe('{"v": 2}');
    const kept = filesUnder(join(lake, 'raw/.versions')).filter((f) => !f.endsWith('.meta.json'));
    expect(kept).toEqual([expect.stringMatching(new RegExp(`raw/\\.versions/${key.replace(/[.]/g, '\\.')}\\.v\\d{8}T\\d{9}Z$`))]);
    expect(readFileSync(kept[0]!, 'utf8')).toBe('{"v": 1}');
    expect(JSON.parse(readFileSync(`${kept[0]}.meta.json`, 'utf8')).metadata).toMatchObject({ 'scheduled-hour': '2026-11-25T18:00:00.000Z' });
  });

  it('refuses an input whose raw keys are not of that hour', async () => {
    const run = await runAgainstDemo({}, { input: { time: '2026-11-25T18:00:00Z', reprocess: { rawKeys: ['weather/dt=2026-11-24/hour=18/x.json'] } } });
    expect(run.status).toBe('FAILED');
    expect(run.apiCalls).toBe(0);
    expect(run.cause).toContain('raw key \\"weather/dt=2026-11-24/hour=18/x.json\\" is not a page of source weather for the hour 2026-11-25T18:00:00.000Z');
  });
});

describe('api-lake reprocess --aws, against stand-ins of CloudFormation, Step Functions and S3', () => {
  it('starts one execution per hour with raw data, that skips Fetch, at most --concurrency at once', async () => {
    const stack = localStack();
    const transform = functionOf(stack, 'Transform');
    const buckets = { raw: transform.environment.RAW_BUCKET!, curated: transform.environment.CURATED_BUCKET! };
    const s3 = await startS3Server([buckets.raw, buckets.curated]);
    const http = new AwsHttpClient({ service: 's3', region: LOCAL_REGION, credentials: () => ({ accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }) });
    const zone = (bucket: string) => new S3ObjectStore(http, bucket, s3.endpoint);
    let running = 0;
    let peak = 0;
    const plane = await startControlPlane({
      stacks: { ApiLake: { StateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:Pipeline', RawBucketName: buckets.raw } },
      stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:Pipeline',
      athena: { objects: async () => [], database: 'd', table: 'weather', workGroup: 'w', partitionKeys: [] },
      runExecution: async (input) => {
        peak = Math.max(peak, ++running);
        try {
          const hour = scheduledHour((input as { time: string }).time);
          const base = projectConfig();
          const config = parseConfig({ ...base, source: { ...base.source, url: 'http://127.0.0.1:2/v1/current.json' } });
          const result = await runHour({ config, stack, lakeDir: tempLake(), hour, now: clockOf(hour), input, stores: { raw: zone(buckets.raw), curated: zone(buckets.curated) } });
          return result.status === 'FAILED' ? { status: 'FAILED', error: result.error, cause: result.cause } : { status: 'SUCCEEDED', output: JSON.stringify(result.output) };
        } finally {
          running--;
        }
      },
    });
    try {
      // Prepare: raw data for 5 of 6 hours, as Fetch would have stored it.
      const fixture = readFileSync(new URL('../fixtures/weatherapi-current.json', import.meta.url));
      for (const hh of ['00', '01', '02', '03', '05']) {
        await zone(buckets.raw).put(`weather/dt=2026-11-25/hour=${hh}/weather_20261125T${hh}Z.json`, fixture, { contentType: 'application/json' });
      }
      const options = { region: LOCAL_REGION, endpoint: plane.endpoint, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } };
      // Act
      const { code, text } = await reprocess(['--aws', '--from', '2026-11-25T00Z', '--to', '2026-11-25T05Z', '--concurrency', '2'], {
        clients: { cloudFormation: new CloudFormationClient(options), sfn: new SFNClient(options), s3: s3.client, athena: undefined as never },
        rawBucket: async (bucket) => zone(bucket),
        pollMs: 10,
      });
      // Assess
      expect(code).toBe(0);
      expect(text).toContain('5 reprocessed, 1 without raw data, 0 failed.');
      expect(plane.executions).toHaveLength(5);
      expect(JSON.parse(plane.executions.find((e) => e.name.includes('T03'))!.input)).toEqual({ time: '2026-11-25T03:00:00Z', reprocess: { rawKeys: ['weather/dt=2026-11-25/hour=03/weather_20261125T03Z.json'] } });
      expect(peak).toBe(2);
      expect(await zone(buckets.curated).list('weather/')).toHaveLength(5);
    } finally {
      await Promise.all([plane.close(), s3.stop()]);
    }
  });
});
