import { join } from 'node:path';
import { Writable } from 'node:stream';
import { AthenaClient } from '@aws-sdk/client-athena';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsHttpClient } from '../../src/adapters/aws/aws-http.js';
import { S3ObjectStore } from '../../src/adapters/aws/s3-store.js';
import type { AwsClients } from '../../src/cli/aws/clients.js';
import { statusCommand } from '../../src/cli/commands/status.js';
import { verifyCommand } from '../../src/cli/commands/verify.js';
import { LOCAL_REGION, type LocalStack } from '../../src/cli/twin/local-stack.js';
import { functionOf } from '../../src/cli/twin/local-tasks.js';
import { runHour } from '../../src/cli/twin/run.js';
import { parseConfig } from '../../src/core/config.js';
import { scheduledHour } from '../../src/core/layout.js';
import { startDemoApi, type DemoApi } from '../../src/demo/weather-api.js';
import { startControlPlane, type ControlPlane } from '../helpers/aws-stand-ins.js';
import { PROJECT_ROOT, runNode } from '../helpers/node-process.js';
import { startS3Server } from '../helpers/s3-server.js';
import { projectConfig } from '../helpers/synth.js';
import { clockOf, localStack, RECOGNISABLE_KEY, tempLake } from '../helpers/twin.js';

const CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
const NOW = Date.parse('2026-11-25T18:20:00Z');

let stack: LocalStack;
let s3: Awaited<ReturnType<typeof startS3Server>>;
let api: DemoApi;
let plane: ControlPlane;
let outputs: Record<string, string>;
/** What the API does during the next execution. */
const behaviour: { status?: number } = {};

beforeAll(async () => {
  stack = localStack();
  const transform = functionOf(stack, 'Transform');
  const buckets = { raw: transform.environment.RAW_BUCKET!, curated: transform.environment.CURATED_BUCKET! };
  s3 = await startS3Server([buckets.raw, buckets.curated]);
  api = await startDemoApi({ key: RECOGNISABLE_KEY, now: () => NOW });
  outputs = {
    StateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:Pipeline',
    RawBucketName: buckets.raw,
    CuratedBucketName: buckets.curated,
    GlueDatabaseName: 'apilake_weather',
    AthenaWorkGroup: 'ApiLake-weather',
    GlueTableName: 'weather',
  };
  const http = new AwsHttpClient({ service: 's3', region: LOCAL_REGION, credentials: () => CREDENTIALS });
  plane = await startControlPlane({
    stacks: { ApiLake: outputs },
    stateMachineArn: outputs.StateMachineArn!,
    athena: { objects: (prefix) => objectsUnder(http, buckets.curated, prefix), database: outputs.GlueDatabaseName!, table: 'weather', workGroup: outputs.AthenaWorkGroup!, partitionKeys: Object.values(localStack().tables)[0]!.tableInput.PartitionKeys as { Name: string; Type: string }[] },
    // The deployed state machine, run by the twin, writing to the S3 stand-in.
    runExecution: async (input) => {
      const faulty = behaviour.status ? await startDemoApi({ key: RECOGNISABLE_KEY, status: behaviour.status }) : undefined;
      const base = projectConfig();
      const config = parseConfig({ ...base, source: { ...base.source, url: `${(faulty ?? api).url}/v1/current.json` } });
      try {
        const result = await runHour({
          config,
          stack,
          lakeDir: tempLake(),
          hour: scheduledHour((input as { time: string }).time),
          now: clockOf(scheduledHour((input as { time: string }).time)),
          input,
          fast: true,
          apiKey: RECOGNISABLE_KEY,
          stores: { raw: new S3ObjectStore(http, buckets.raw, s3.endpoint), curated: new S3ObjectStore(http, buckets.curated, s3.endpoint) },
        });
        if (result.status === 'FAILED') return { status: 'FAILED', error: result.error, cause: result.cause };
        return { status: 'SUCCEEDED', output: JSON.stringify(result.output ?? input) };
      } finally {
        await faulty?.close();
      }
    },
  });
}, 60_000);
afterAll(async () => {
  await Promise.all([plane?.close(), api?.close(), s3?.stop()]);
});

/** Every object under `prefix` in a bucket of the S3 stand-in (a signed ListObjectsV2, then each GET). */
async function objectsUnder(http: AwsHttpClient, bucket: string, prefix: string) {
  const listed = await http.send({ method: 'GET', url: `${s3.endpoint}/${bucket}?list-type=2&prefix=${encodeURIComponent(prefix)}` });
  const keys = [...Buffer.from(listed.body).toString().matchAll(/<Key>([^<]+)<\/Key>/g)].map((m) => m[1]!);
  const store = new S3ObjectStore(http, bucket, s3.endpoint);
  return Promise.all(keys.map(async (key) => ({ key, body: (await store.get(key)).body })));
}

function clients(): AwsClients {
  const options = { region: LOCAL_REGION, endpoint: plane.endpoint, credentials: CREDENTIALS };
  return { cloudFormation: new CloudFormationClient(options), sfn: new SFNClient(options), athena: new AthenaClient(options), s3: s3.client };
}

async function verify(argv: string[] = []) {
  let text = '';
  const out = new Writable({ write: (chunk, _e, done) => ((text += chunk), done()) });
  const code = await verifyCommand(argv, { out, clients: clients(), now: () => NOW, pollMs: 20 });
  return { code, text };
}

describe('api-lake verify, against stand-ins of CloudFormation, Step Functions, S3 and Athena', () => {
  it('passes every check for a working deployment: execution, raw object, Parquet row count, Athena count', async () => {
    behaviour.status = undefined;
    const { code, text } = await verify();
    expect(text).toContain('All 5 checks passed.');
    expect(code).toBe(0);
    expect(text).toContain('Verifying stack ApiLake with one execution for the hour 2026-11-25T18:00Z');
    for (const check of ['stack', 'execution', 'raw object', 'curated Parquet', 'Athena']) expect(text).toMatch(new RegExp(`\\n${check}\\s+\\| pass\\s+\\|`));
    expect(text).toContain('weather/dt=2026-11-25/hour=18/weather_20261125T18Z.parquet: 1 rows');
    expect(text).toContain('All 5 checks passed.');
    expect(plane.queries.at(-1)).toBe(`SELECT count(*) AS n FROM "apilake_weather"."weather" WHERE dt = '2026-11-25' AND hour = 18`);
    expect(JSON.parse(plane.executions.at(-1)!.input)).toEqual({ time: '2026-11-25T18:00:00Z' });
  });

  it('fails on a refused key and says to run set-key, exit 1', async () => {
    behaviour.status = 401;
    const { code, text } = await verify();
    behaviour.status = undefined;
    expect(code).toBe(1);
    expect(text).toMatch(/execution\s+\| FAIL\s+\| FAILED: ApiAuthError: the API refused the key/);
    expect(text).toContain('What to do:\n  execution: store a valid key: npx api-lake set-key');
    expect(text).not.toContain(RECOGNISABLE_KEY);
  });

  it('status --aws reads the executions and the buckets: the verified hour loaded, the refused one failed, the rest missing', async () => {
    let text = '';
    const out = new Writable({ write: (chunk, _e, done) => ((text += chunk), done()) });
    const http = new AwsHttpClient({ service: 's3', region: LOCAL_REGION, credentials: () => CREDENTIALS });
    const io = { out, clients: clients(), now: () => NOW, rawBucket: async (bucket: string) => new S3ObjectStore(http, bucket, s3.endpoint) };
    // The executions of the tests above: the hour 18:00 verified, then failed on a refused key (the latest decides).
    await statusCommand(['--aws', '--from', '2026-11-25T16Z', '--to', '2026-11-25T18Z', '--json'], io);
    const hours = JSON.parse(text) as { hour: string; state: string; records: number | null; reason: string | null }[];
    expect(hours.map((h) => [h.hour.slice(11, 13), h.state])).toEqual([
      ['16', 'missing'],
      ['17', 'missing'],
      ['18', 'failed'],
    ]);
    expect(hours[2]!.reason).toMatch(/ApiAuthError/);
    behaviour.status = undefined;
    await verify(); // loads the hour again
    text = '';
    await statusCommand(['--aws', '--from', '2026-11-25T18Z', '--to', '2026-11-25T18Z', '--json'], io);
    expect(JSON.parse(text)).toEqual([{ hour: '2026-11-25T18:00:00Z', state: 'loaded', records: 1, reason: null }]);
    await expect(statusCommand(['--aws', '-c', 'stackName=Nowhere'], io)).rejects.toThrow(/stack Nowhere is not deployed/);
  });

  it('says to deploy when the stack of the config does not exist', async () => {
    const { code, text } = await verify(['-c', 'stackName=ApiLakeElsewhere']);
    expect(code).toBe(1);
    expect(text).toMatch(/stack\s+\| FAIL\s+\| stack ApiLakeElsewhere not found/);
    expect(text).toContain('deploy it: API_LAKE_CONFIG=api-lake.config.json npx cdk deploy');
  });

  it('runs as the api-lake command with the endpoints set in the environment, as a user would point it at LocalStack', async () => {
    const run = await runNode([join(PROJECT_ROOT, 'bin/api-lake.js'), 'verify', '--timeout-seconds', '60'], {
      PATH: process.env.PATH,
      AWS_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
      AWS_ENDPOINT_URL_CLOUDFORMATION: plane.endpoint,
      AWS_ENDPOINT_URL_SFN: plane.endpoint,
      AWS_ENDPOINT_URL_ATHENA: plane.endpoint,
      AWS_ENDPOINT_URL_S3: s3.endpoint,
    });
    // The hour is the real current one here: the demo API answers any hour.
    expect(run.stderr).not.toMatch(/error/i);
    expect(run.stdout).toMatch(/All 5 checks passed\./);
    expect(run.code).toBe(0);
  });
});
