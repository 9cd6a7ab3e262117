import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsHttpClient } from '../../src/adapters/aws/aws-http.js';
import { S3ObjectStore } from '../../src/adapters/aws/s3-store.js';
import { statusCommand } from '../../src/cli/commands/status.js';
import { LOCAL_REGION } from '../../src/cli/twin/local-stack.js';
import { functionOf } from '../../src/cli/twin/local-tasks.js';
import { runHour } from '../../src/cli/twin/run.js';
import { parseConfig } from '../../src/core/config.js';
import { rawObjectKey, scheduledHour } from '../../src/core/layout.js';
import { startDemoApi, type DemoApiOptions } from '../../src/demo/weather-api.js';
import { startControlPlane, type ControlPlane } from '../helpers/aws-stand-ins.js';
import { startS3Server } from '../helpers/s3-server.js';
import { projectConfig } from '../helpers/synth.js';
import { clockOf, localStack, RECOGNISABLE_KEY, tempLake } from '../helpers/twin.js';

const STATE_MACHINE = 'arn:aws:states:us-east-1:000000000000:stateMachine:Pipeline';
const NOW = Date.parse('2026-11-26T00:10:00Z');
/** What the demo API does in each hour the test runs through the deployed definition. */
const FAULTS: Record<string, DemoApiOptions> = {
  '2026-11-25T18:00:00Z': {},
  '2026-11-25T19:00:00Z': { failFirst: 100 },
  '2026-11-25T20:00:00Z': { status: 401 },
  '2026-11-25T21:00:00Z': { malformed: true },
};

/**
 * `status --aws` against stand-ins: CloudFormation and Step Functions on one port (the SDK clients the CLI uses),
 * S3 by s3rver. The executions are real runs of the synthesized definition with the real step code, whose outputs
 * Step Functions would keep, so `status` reads what a deployed stack holds, not a hand-written imitation of it.
 */
describe('api-lake status --aws, against stand-ins of CloudFormation, Step Functions and S3', () => {
  let plane: ControlPlane;
  let s3: Awaited<ReturnType<typeof startS3Server>>;
  let zone: (bucket: string) => S3ObjectStore;
  let clients: { cloudFormation: CloudFormationClient; sfn: SFNClient; s3: typeof s3.client; athena: never };

  beforeAll(async () => {
    const stack = localStack();
    const transform = functionOf(stack, 'Transform');
    const buckets = { raw: transform.environment.RAW_BUCKET!, curated: transform.environment.CURATED_BUCKET! };
    s3 = await startS3Server([buckets.raw, buckets.curated]);
    const http = new AwsHttpClient({ service: 's3', region: LOCAL_REGION, credentials: () => ({ accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }) });
    zone = (bucket) => new S3ObjectStore(http, bucket, s3.endpoint);
    plane = await startControlPlane({
      stacks: { ApiLake: { StateMachineArn: STATE_MACHINE, RawBucketName: buckets.raw, CuratedBucketName: buckets.curated } },
      stateMachineArn: STATE_MACHINE,
      athena: { objects: async () => [], database: 'd', table: 'weather', workGroup: 'w', partitionKeys: [] },
      runExecution: async (input) => {
        const time = (input as { time: string }).time;
        const hour = scheduledHour(time);
        const api = await startDemoApi({ key: RECOGNISABLE_KEY, now: () => Date.parse(hour.iso), ...FAULTS[time] });
        try {
          const base = projectConfig();
          const config = parseConfig({ ...base, source: { ...base.source, url: `${api.url}/v1/current.json` } });
          const result = await runHour({ config, stack, lakeDir: tempLake(), hour, now: clockOf(hour), fast: true, apiKey: RECOGNISABLE_KEY, input, stores: { raw: zone(buckets.raw), curated: zone(buckets.curated) } });
          // On AWS a skipped hour is a SUCCEEDED execution (HourSkipped is a Succeed state) whose output holds the error.
          return result.status === 'FAILED' ? { status: 'FAILED', error: result.error, cause: result.cause } : { status: 'SUCCEEDED', output: JSON.stringify(result.output) };
        } finally {
          await api.close();
        }
      },
    });
    const options = { region: LOCAL_REGION, endpoint: plane.endpoint, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } };
    clients = { cloudFormation: new CloudFormationClient(options), sfn: new SFNClient(options), s3: s3.client, athena: undefined as never };

    // An older execution of 18:00 that failed: the later one decides the hour.
    plane.executions.push({ executionArn: `${STATE_MACHINE}:old-18`.replace(':stateMachine:', ':execution:'), name: 'old-18', status: 'FAILED', input: '{"time":"2026-11-25T18:00:00Z"}', error: 'States.Timeout', startDate: NOW / 1000 - 7000, stopDate: NOW / 1000 - 6900 });
    // A manual execution whose input names no hour concerns none.
    plane.executions.push({ executionArn: `${STATE_MACHINE.replace(':stateMachine:', ':execution:')}:manual`, name: 'manual', status: 'FAILED', input: '{}', error: 'States.Runtime', startDate: NOW / 1000 - 6000 });
    for (const time of Object.keys(FAULTS)) {
      await clients.sfn.send(new StartExecutionCommand({ stateMachineArn: STATE_MACHINE, input: JSON.stringify({ time }) }));
    }
    while (plane.executions.some((e) => e.status === 'RUNNING')) await new Promise((resolve) => setTimeout(resolve, 50));
    // 22:00: stopped (StopExecution) after Fetch stored the response; 23:00: running now; 00:00 the next day: nothing at all.
    const cut = scheduledHour('2026-11-25T22:00:00Z');
    await zone(buckets.raw).put(rawObjectKey('weather', cut), new TextEncoder().encode('{}'), { contentType: 'application/json' });
    const started = NOW / 1000 - 600;
    plane.executions.push({ executionArn: `${STATE_MACHINE.replace(':stateMachine:', ':execution:')}:cut-22`, name: 'cut-22', status: 'ABORTED', input: '{"time":"2026-11-25T22:00:00Z"}', startDate: started, stopDate: started + 5 });
    plane.executions.push({ executionArn: `${STATE_MACHINE.replace(':stateMachine:', ':execution:')}:now-23`, name: 'now-23', status: 'RUNNING', input: '{"time":"2026-11-25T23:00:00Z"}', startDate: started + 10 });
  }, 120_000);

  afterAll(async () => {
    await Promise.all([plane?.close(), s3?.stop()]);
  });

  async function status(argv: string[]): Promise<string> {
    let text = '';
    const out = new Writable({ write: (chunk, _e, done) => ((text += chunk), done()) });
    expect(await statusCommand(['--aws', ...argv], { out, clients, rawBucket: async (bucket) => zone(bucket), now: () => NOW })).toBe(0);
    return text;
  }

  it('gives every hour its state from the executions and, where none decides, from the buckets', async () => {
    const hours = JSON.parse(await status(['--from', '2026-11-25T18Z', '--to', '2026-11-26T00Z', '--json'])) as { hour: string; state: string; records: number | null; reason: string | null }[];
    expect(hours.map((h) => [h.hour, h.state, h.records])).toEqual([
      ['2026-11-25T18:00:00Z', 'loaded', 1],
      ['2026-11-25T19:00:00Z', 'skipped', null],
      ['2026-11-25T20:00:00Z', 'failed', null],
      ['2026-11-25T21:00:00Z', 'failed', null],
      ['2026-11-25T22:00:00Z', 'raw-only', null],
      ['2026-11-25T23:00:00Z', 'running', null],
      ['2026-11-26T00:00:00Z', 'missing', null],
    ]);
    // Step Functions' execution output holds the error, not the step that raised it (locally the notice names it).
    expect(hours[1]!.reason).toMatch(/^ApiUnavailableError: .*answered HTTP 503/);
    expect(hours[2]!.reason).toMatch(/ApiAuthError/);
    expect(hours[3]!.reason).toMatch(/InvalidResponseError: the response stored at weather\/dt=2026-11-25\/hour=21\/.* is not JSON/);
    expect(JSON.stringify(hours)).not.toContain(RECOGNISABLE_KEY);
  });

  it('names the AWS command that mends each hour', async () => {
    const text = await status(['--from', '2026-11-25T18Z', '--to', '2026-11-26T00Z']);
    expect(text).toContain('in stack ApiLake');
    expect(text).toMatch(/1 loaded, 1 skipped, 2 failed, 1 raw-only, 1 running, 1 missing/);
    // The default source answers only for now: a past skipped hour cannot be asked for again.
    expect(text).toMatch(/2026-11-25T19Z {2}skipped: .*\n {4}fix: the API answers only for now: this hour cannot be fetched again/);
    expect(text).toMatch(/2026-11-25T20Z {2}failed: .*ApiAuthError.*\n {4}fix: npx api-lake set-key, then /);
    expect(text).toContain('fix: npx api-lake reprocess --from 2026-11-25T21Z --to 2026-11-25T21Z --aws (after fixing the cause)');
    expect(text).toContain('fix: npx api-lake reprocess --from 2026-11-25T22Z --to 2026-11-25T22Z --aws');
    expect(text).not.toContain('2026-11-25T18Z  ');
  });

  it('says AWS could not be reached, and what to check, when no connection is made', async () => {
    const closed = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as AddressInfo;
        server.close(() => resolve(port));
      });
    });
    const options = { region: LOCAL_REGION, endpoint: `http://127.0.0.1:${closed}`, credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, maxAttempts: 1 };
    const out = new Writable({ write: (_c, _e, done) => done() });
    const offline = { ...clients, cloudFormation: new CloudFormationClient(options) };
    await expect(statusCommand(['--aws'], { out, clients: offline, rawBucket: async (bucket) => zone(bucket), now: () => NOW })).rejects.toThrow(
      new RegExp(`could not reach AWS \\(.*ECONNREFUSED 127.0.0.1:${closed}.*\\): check the network connection, the region`),
    );
  });

  it('says AWS refused a request, as a missing permission, when S3 answers 403 (no s3:ListBucket, say)', async () => {
    const denying = createServer((_req, res) => res.writeHead(403, { 'content-type': 'application/xml' }).end('<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>'));
    await new Promise<void>((resolve) => denying.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = denying.address() as AddressInfo;
      const s3Denied = new S3Client({ region: LOCAL_REGION, endpoint: `http://127.0.0.1:${port}`, forcePathStyle: true, credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, maxAttempts: 1 });
      const out = new Writable({ write: (_c, _e, done) => done() });
      // 20:00 failed, so its curated object is looked for (HeadObject), which S3 refuses.
      await expect(statusCommand(['--aws', '--from', '2026-11-25T20Z', '--to', '2026-11-25T20Z'], { out, clients: { ...clients, s3: s3Denied }, rawBucket: async (bucket) => zone(bucket), now: () => NOW })).rejects.toThrow(
        /^AWS refused a request \(\w+.*\): your credentials lack a permission this command needs \(the README names them with the command\)$/,
      );
    } finally {
      denying.closeAllConnections();
      await new Promise((resolve) => denying.close(resolve));
    }
  });

  it('refuses a stack that is not deployed, naming it', async () => {
    const out = new Writable({ write: (_c, _e, done) => done() });
    await expect(statusCommand(['--aws', '-c', 'stackName=Nowhere'], { out, clients, rawBucket: async (bucket) => zone(bucket), now: () => NOW })).rejects.toThrow(
      /stack Nowhere is not deployed in this account and region/,
    );
  });
});
