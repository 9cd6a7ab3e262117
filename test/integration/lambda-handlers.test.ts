import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hourFromEpochMs, rawObjectKey } from '../../src/core/layout.js';
import { DEMO_API_KEY } from '../../src/demo/weather-api.js';
import { startLocalAws, type LocalAws } from '../helpers/local-aws.js';
import { runNode } from '../helpers/node-process.js';

let aws: LocalAws;
beforeAll(async () => {
  aws = await startLocalAws();
});
afterAll(async () => aws?.stop());

/** The hour this test runs in: the default source answers for "now" only, so Fetch is refused any other. */
const NOW_HOUR = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000);
const NOW_TIME = NOW_HOUR.toISOString().replace('.000Z', 'Z');
const NOW_KEY = rawObjectKey('weather', hourFromEpochMs(NOW_HOUR.getTime()));

/** Invokes the real Lambda handler module in a fresh process, as the Lambda runtime would, with AWS on 127.0.0.1. */
function invoke(handler: 'fetch' | 'transform', event: unknown) {
  const script = `import('./src/handlers/${handler}.ts').then((m) => m.handler(${JSON.stringify(event)})).then((o) => console.log('RESULT ' + JSON.stringify(o)), (e) => { console.log('FAILED ' + e.name + ': ' + e.message); process.exitCode = 1; })`;
  return runNode(['--import', 'tsx', '-e', script], aws.env(handler === 'fetch' ? 'Fetch' : 'Transform'));
}

describe('fetch Lambda handler against S3, Secrets Manager and the demo API on 127.0.0.1', () => {
  it('reads the key, calls the API and stores the response as received, without the key in the output', async () => {
    // Act: the project's source, pointed at the demo API
    const run = await invoke('fetch', { time: NOW_TIME });
    // Assess
    const result = JSON.parse(run.stdout.split('\n').find((l) => l.startsWith('RESULT '))!.slice(7));
    expect(result).toMatchObject({ outcome: 'ok', source: 'weather', hour: NOW_HOUR.toISOString(), firstKey: NOW_KEY, pages: 1, httpStatus: 200 });
    const stored = await aws.s3.client.send(new GetObjectCommand({ Bucket: aws.buckets.raw, Key: result.firstKey }));
    const body = await stored.Body!.transformToString();
    expect(JSON.parse(body)).toHaveProperty('current');
    expect(result.bytes).toBe(Buffer.byteLength(body));
    expect(stored.Metadata).toMatchObject({ source: 'weather', 'scheduled-hour': NOW_HOUR.toISOString(), 'http-status': '200' });
    expect(stored.Metadata!.url).not.toContain(DEMO_API_KEY);
    expect(run.stdout + run.stderr).not.toContain(DEMO_API_KEY);
  });

  it('without the secret, gets AccessDeniedException as a role scoped to its ARN does, and says to run set-key', async () => {
    const stored = aws.secrets.state.value;
    aws.secrets.state.value = undefined;
    try {
      const run = await invoke('fetch', { time: NOW_TIME });
      expect(run.stdout).toMatch(/FAILED SecretUnavailableError: cannot read secret api-lake\/weather\/api-key \(AccessDeniedException: .*not authorized to perform: secretsmanager:GetSecretValue on resource: "arn:aws:secretsmanager:\S+:secret:api-lake\/weather\/api-key".*\): .*npx api-lake set-key/);
    } finally {
      aws.secrets.state.value = stored;
    }
  });
});

describe('fetch Lambda handler when Secrets Manager fails for now', () => {
  it('ends with the retried SecretStoreUnavailableError, not the terminal SecretUnavailableError', async () => {
    aws.secrets.state.failNext = 5; // more than the client's three attempts
    try {
      const run = await invoke('fetch', { time: NOW_TIME });
      expect(run.stdout).toMatch(/FAILED SecretStoreUnavailableError: cannot read secret api-lake\/weather\/api-key for now \(ServiceUnavailableException/);
    } finally {
      aws.secrets.state.failNext = 0;
    }
  });
});

describe('transform Lambda handler against S3 and Glue on 127.0.0.1', () => {
  it('reads raw, writes Parquet, adds the columns to the Glue table, logs JSON with source, hour and step on every line, and emits metrics', async () => {
    // Prepare
    const rawKey = 'weather/dt=2026-11-25/hour=18/weather_20261125T18Z.json';
    await aws.s3.client.send(new PutObjectCommand({ Bucket: aws.buckets.raw, Key: rawKey, Body: readFileSync(new URL('../fixtures/weatherapi-current.json', import.meta.url)) }));
    // Act
    const run = await invoke('transform', { hour: '2026-11-25T18:00:00.000Z', rawKeys: [rawKey] });
    // Assess
    const result = JSON.parse(run.stdout.split('\n').find((l) => l.startsWith('RESULT '))!.slice(7));
    expect(result).toMatchObject({ table: 'weather', curatedKey: 'weather/dt=2026-11-25/hour=18/weather_20261125T18Z.parquet', records: 1 });
    const parquet = await aws.s3.client.send(new GetObjectCommand({ Bucket: aws.buckets.curated, Key: result.curatedKey }));
    const bytes = await parquet.Body!.transformToByteArray();
    expect(Buffer.from(bytes.subarray(0, 4)).toString()).toBe('PAR1');
    // The stack's Glue table got the hour's columns, through the function's own role.
    const table = aws.glue.state.tables.get(`${aws.env('Transform').GLUE_DATABASE}.weather`) as unknown as { StorageDescriptor: { Columns: { Name: string; Type: string }[] } };
    expect(table.StorageDescriptor.Columns).toEqual(expect.arrayContaining([{ Name: 'current_temp_c', Type: 'double' }, { Name: 'location_name', Type: 'string' }]));
    expect(result.schemaChange).toMatchObject({ addedCount: result.columnCount - 4 });
    const lines = run.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
    const logs = lines.filter((l) => 'message' in l);
    expect(logs.map((l) => l.message)).toEqual(expect.arrayContaining(['step started', 'stored curated parquet', 'step succeeded']));
    for (const line of logs) expect(line).toMatchObject({ source: 'weather', step: 'Transform', hour: '2026-11-25T18:00:00.000Z', level: 'INFO' });
    const metrics = lines.find((l) => '_aws' in l)!;
    // The freshness alarm reads hoursLoaded by these dimensions (infra/constructs/pipeline-monitoring.ts).
    expect(metrics).toMatchObject({ records: 1, hoursLoaded: 1, step: 'Transform', source: 'weather', service: 'api-lake' });
    expect(metrics.durationMs).toEqual(expect.any(Number));
  });

  it('rethrows a failure under its own name, after a log line that names it; a missing raw object is 403, as S3 answers a role that may not list', async () => {
    const run = await invoke('transform', { hour: '2026-11-25T19:00:00.000Z', rawKeys: ['weather/dt=2026-11-25/hour=19/weather_20261125T19Z.json'] });
    expect(run.stdout).toMatch(/FAILED StoreRequestError: reading s3:\/\/\S+\/weather\/dt=2026-11-25\/hour=19\/weather_20261125T19Z.json failed: AccessDenied \(HTTP 403\): .*not authorized to perform: s3:ListBucket on resource: "arn:aws:s3:::/);
    const failure = (run.stdout + '\n' + run.stderr).split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l)).find((l) => l.message === 'step failed');
    expect(failure).toMatchObject({ level: 'ERROR', errorName: 'StoreRequestError', step: 'Transform', hour: '2026-11-25T19:00:00.000Z' });
  });
});
