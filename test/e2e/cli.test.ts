import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SECRET_RECOVERY_WINDOW_DAYS } from '../../src/adapters/aws/secret-admin.js';
import { afterAll, describe, expect, it } from 'vitest';
import { destroyCommand, setKeyCommand } from '../../src/cli/commands/aws.js';
import { startSecretsManager, type SecretsManagerStandIn } from '../helpers/secrets-manager-server.js';
import { UsageError } from '../../src/cli/args.js';
import { startDemoApi } from '../../src/demo/weather-api.js';
import { PROJECT_ROOT, runNode } from '../helpers/node-process.js';
import { RECOGNISABLE_KEY, tempLake } from '../helpers/twin.js';
import { tempDir } from '../helpers/temp-dirs.js';


/** Runs the real `api-lake` entry point in a child process. */
const cli = (args: string[], env: Record<string, string> = {}) => runNode([join(PROJECT_ROOT, 'bin/api-lake.js'), ...args], { ...process.env, ...env });

describe('api-lake CLI', () => {
  it('exits 2 with a message naming the problem for bad arguments and bad config', async () => {
    const dir = tempDir('api-lake-cli-');
    const badConfig = join(dir, 'bad.json');
    writeFileSync(badConfig, JSON.stringify({ source: { name: 'x', url: 'http://example.com', auth: { in: 'query', name: 'key' } }, table: 't', schedule: 'hourly' }));
    const [hour, flag, config, url, unknown] = await Promise.all([
      cli(['run', '--hour', 'yesterday']),
      cli(['run', '--bogus']),
      cli(['run', '--config', badConfig]),
      cli(['run', '--api-url', 'http://example.com/v1']),
      cli(['frobnicate']),
    ]);
    expect(hour).toMatchObject({ code: 2 });
    expect(hour.stderr).toContain('--hour must be an ISO-8601 time with a zone such as 2026-11-25T18Z');
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/Unknown option '--bogus'/);
    expect(flag.stderr).toContain('Usage: api-lake run');
    expect(config.code).toBe(2);
    expect(config.stderr).toContain('source.url: must be an https URL');
    expect(config.stderr).toContain('schedule: must be an EventBridge schedule expression');
    expect(url.code).toBe(2);
    expect(url.stderr).toContain('--api-url: must be an https URL');
    expect(unknown.code).toBe(2);
  });

  it('run --demo succeeds (exit 0), then query reads it as a table, JSON and CSV', async () => {
    const lake = tempLake();
    const run = await cli(['run', '--demo', '--fast', '--lake', lake, '--hour', '2026-11-25T18:00Z', '--allow-current-data']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Status: SUCCEEDED');
    expect(run.stdout).toContain('weather/dt=2026-11-25/hour=18/weather_20261125T18Z.parquet');
    expect(run.stdout).toMatch(/> Fetch\n\s+< Fetch ok \(\d+ ms\)/);
    // States that call nothing end as they start: no '< Succeeded ok' line.
    expect(run.stdout).toContain('  > Succeeded\n');
    expect(run.stdout).not.toMatch(/< (Succeeded|CheckInput|PlanRequests|MorePages)/);
    expect(run.stdout).toContain('Next: npx api-lake query');
    const [table, json, csv, bad] = await Promise.all([
      cli(['query', 'SELECT dt, hour, location_name FROM weather', '--lake', lake]),
      cli(['query', 'SELECT dt, hour FROM weather', '--lake', lake, '--json']),
      cli(['query', 'SELECT dt, hour FROM weather', '--lake', lake, '--csv']),
      cli(['query', 'SELECT nope FROM weather', '--lake', lake]),
    ]);
    expect(table.stdout).toMatch(/dt\s+\| hour \| location_name\n[-+]+\n2026-11-25 \|   18 \| Healesville\s*\n\(1 row\)/);
    expect(JSON.parse(json.stdout)).toEqual([{ dt: '2026-11-25', hour: 18 }]); // hour is an int, as the Glue table has it
    expect(csv.stdout).toBe('dt,hour\n2026-11-25,18\n');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/nope.*tables: weather/);
    // The default source answers for now: its answer under a past hour is marked as current data.
    const marked = await cli(['query', 'SELECT lake_current_data FROM weather', '--lake', lake, '--json']);
    expect(JSON.parse(marked.stdout)).toEqual([{ lake_current_data: true }]);
  });

  it('refuses a past hour for a source with no hour placeholder, and a future hour for any source (exit 2, nothing run)', async () => {
    const lake = tempLake();
    const future = new Date(Date.now() + 2 * 3_600_000).toISOString().slice(0, 13) + 'Z';
    const [past, ahead, history] = await Promise.all([
      cli(['run', '--demo', '--fast', '--lake', lake, '--hour', '2026-11-20T00Z']),
      cli(['backfill', '--demo', '--fast', '--lake', lake, '--from', '2026-11-20T00Z', '--to', future]),
      cli(['run', '--demo', '--fast', '--lake', lake, '--hour', future, '--config', 'examples/weather-history.json']),
    ]);
    expect(past.code).toBe(2);
    expect(past.stderr).toContain('the source has no hour placeholder, so the API answers for now');
    expect(past.stderr).toContain('would make up history. Put a placeholder such as {{hour.date}}');
    expect(past.stderr).toContain('--allow-current-data');
    expect(ahead.code).toBe(2);
    expect(ahead.stderr).toMatch(/\(\d+ of the \d+ hours are refused\)/);
    expect(history.code).toBe(2);
    expect(history.stderr).toMatch(/the hour \S+ has not begun yet/);
    expect((await import('node:fs')).existsSync(join(lake, 'raw'))).toBe(false);
  });

  it('refuses hours before catalog.firstDate, which Athena would never show (exit 2, nothing run)', async () => {
    const lake = tempLake();
    const early = await cli(['backfill', '--demo', '--fast', '--lake', lake, '--from', '2025-12-31T23Z', '--to', '2026-01-01T00Z', '--config', 'examples/weather-history.json']);
    expect(early.code).toBe(2);
    expect(early.stderr).toContain('hour 2025-12-31T23Z is before catalog.firstDate 2026-01-01');
    expect(early.stderr).toContain('Set catalog.firstDate to 2025-12-31 or earlier');
    expect((await import('node:fs')).existsSync(join(lake, 'raw'))).toBe(false);
  });

  it('catalog prints the table as the twin catalog holds it: text, Athena DDL and JSON', async () => {
    const lake = tempLake();
    const before = await cli(['catalog', '--lake', lake, '--json']);
    expect(before.code).toBe(0);
    expect(JSON.parse(before.stdout).columns.map((c: { name: string }) => c.name)).toEqual(['lake_scheduled_hour', 'lake_ingested_at', 'lake_raw_key', 'lake_current_data']);
    expect((await cli(['run', '--demo', '--fast', '--lake', lake, '--hour', '2026-11-25T18:00Z', '--allow-current-data'])).code).toBe(0);
    const [text, ddl, json] = await Promise.all([
      cli(['catalog', '--lake', lake]),
      cli(['catalog', '--lake', lake, '--ddl', '--bucket', 'my-curated-bucket']),
      cli(['catalog', '--lake', lake, '--json']),
    ]);
    expect(text.stdout).toMatch(/^Table apilake_weather\.weather \(from .*_catalog\/apilake_weather\/weather\.json, version 2\)/);
    expect(text.stdout).toMatch(/current_temp_c\s+double\n/);
    expect(text.stdout).toMatch(/hour\s+int\s+projected: integer, range 0,23, 2 digits/);
    expect(ddl.stdout).toContain('CREATE EXTERNAL TABLE `apilake_weather`.`weather` (\n  `location_name` string,');
    expect(ddl.stdout).toContain("PARTITIONED BY (`dt` string, `hour` int)\nSTORED AS PARQUET\nLOCATION 's3://my-curated-bucket/weather/'");
    expect(ddl.stdout).toContain("'storage.location.template'='s3://my-curated-bucket/weather/dt=${dt}/hour=${hour}/'");
    expect(ddl.stdout).toContain("'projection.dt.range'='2026-01-01,NOW'");
    const view = JSON.parse(json.stdout);
    expect(Object.keys(view)).toEqual(['database', 'table', 'location', 'columns', 'partitionKeys', 'parameters']);
    expect(view.partitionKeys).toEqual([
      { name: 'dt', type: 'string' },
      { name: 'hour', type: 'int' },
    ]);
    expect(view.columns).toContainEqual({ name: 'current_temp_c', type: 'double' });
    const [both, bucket] = await Promise.all([cli(['catalog', '--lake', lake, '--ddl', '--json']), cli(['catalog', '--lake', lake, '--bucket', 'Not_A_Bucket'])]);
    expect([both.code, bucket.code]).toEqual([2, 2]);
    expect(both.stderr).toContain('--ddl and --json exclude each other');
    expect(bucket.stderr).toContain('--bucket must be an S3 bucket name');
  });

  it.each(readdirSync('examples').filter((f) => f.endsWith('.json')))('examples/%s runs with --demo --fast, as the README says', async (file) => {
    const config = JSON.parse(readFileSync(`examples/${file}`, 'utf8')) as { pipelines?: { name: string }[] };
    const lake = tempLake();
    // An app of several pipelines runs one at a time (--pipeline), into one lake.
    for (const pipeline of config.pipelines?.map((p) => ['--pipeline', p.name]) ?? [[]]) {
      const run = await cli(['run', '--config', `examples/${file}`, ...pipeline, '--demo', '--fast', '--lake', lake]);
      expect(run.stderr).not.toMatch(/unexpected error/);
      expect([run.code, run.stdout.match(/Status: \w+/)?.[0]]).toEqual([0, 'Status: SUCCEEDED']);
    }
    if (config.pipelines) {
      const bare = await cli(['run', '--config', `examples/${file}`, '--demo', '--fast', '--lake', lake]);
      expect([bare.code, bare.stderr]).toEqual([2, expect.stringContaining('this config has 2 pipelines (weather, events): choose one with --pipeline NAME')]);
    }
  });

  it('start (npm start) runs one hour against the in-process demo API and ends with a query of it', async () => {
    const lake = tempLake();
    const run = await cli(['start', '--lake', lake]);
    const now = new Date().toISOString();
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Status: SUCCEEDED');
    expect(run.stdout).toContain('Querying the curated lake with DuckDB');
    expect(run.stdout).toMatch(new RegExp(`${now.slice(0, 10)} \\| +${Number(now.slice(11, 13))} \\| Healesville .*\\n\\(1 row\\)`));
  });

  it('run exits 1 after the notification when the key is refused; the key is in no output', async () => {
    const api = await startDemoApi({ key: 'the-right-key' });
    try {
      const lake = tempLake();
      const run = await cli(['run', '--fast', '--lake', lake, '--api-url', `${api.url}/v1/current.json`], { API_LAKE_API_KEY: RECOGNISABLE_KEY });
      expect(run.code).toBe(1);
      expect(run.stdout).toContain('Status: FAILED');
      expect(run.stdout).toContain('ApiAuthError');
      // The notification as the e-mail reads: subject, summary, the error with the twin's fix (not set-key, which writes to AWS).
      expect(run.stderr).toContain('  ! api-lake weather: pipeline FAILED\n');
      expect(run.stderr).toMatch(/error: Fetch ApiAuthError: the API refused the key \(HTTP 401: .*\)\. Check the key and set API_LAKE_API_KEY to a valid one/);
      expect(run.stderr).not.toContain('\\"');
      expect(run.stdout).not.toContain('Next: npx api-lake query');
      expect(run.stdout + run.stderr).not.toContain(RECOGNISABLE_KEY);
    } finally {
      await api.close();
    }
  });

  it('backfill runs every hour of the range in order and prints a per-hour table', async () => {
    const lake = tempLake();
    const history = ['--config', 'examples/weather-history.json'];
    const run = await cli(['backfill', '--demo', '--fast', '--lake', lake, '--from', '2026-11-25T22Z', '--to', '2026-11-26T00:00Z', ...history]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/2026-11-25T22Z \| SUCCEEDED \| 1 +\| +\n2026-11-25T23Z \| SUCCEEDED \| 1 +\| +\n2026-11-26T00Z \| SUCCEEDED \| 1 +\| +\n/);
    expect(run.stdout).toContain('3 hours: 3 loaded, 0 skipped, 0 failed\n');
    const rerun = await cli(['backfill', '--demo', '--fast', '--lake', lake, '--from', '2026-11-25T23:00Z', '--to', '2026-11-25T23:00Z', ...history]);
    expect(rerun.code).toBe(0);
    // Each hour holds the API's answer for that hour (the history endpoint), not today's.
    const counted = await cli(['query', "SELECT hour, strftime(to_timestamp(time_epoch), '%Y-%m-%dT%H') AS answered_for, lake_current_data FROM weather_history ORDER BY ALL", '--lake', lake, '--json']);
    expect(JSON.parse(counted.stdout)).toEqual([
      { hour: 0, answered_for: '2026-11-26T00', lake_current_data: false },
      { hour: 22, answered_for: '2026-11-25T22', lake_current_data: false },
      { hour: 23, answered_for: '2026-11-25T23', lake_current_data: false },
    ]);
  });
});

/** An in-memory stand-in for Secrets Manager: behaves like it for Put on a missing secret and Create. */
const ADMIN = { accessKeyId: 'AKIDADMIN', secretAccessKey: 'admin-secret', sessionToken: 'admin-session' };

/** A Secrets Manager stand-in on 127.0.0.1, and an SDK client of the CLI's kind pointed at it. */
async function secretsManager(): Promise<{ sm: SecretsManagerStandIn; client: SecretsManagerClient }> {
  const sm = await startSecretsManager({ credentials: ADMIN, region: 'us-east-1', secretName: 'api-lake/weather/api-key', value: undefined });
  standIns.push(sm);
  return { sm, client: new SecretsManagerClient({ region: 'us-east-1', endpoint: sm.endpoint, credentials: ADMIN }) };
}
const standIns: SecretsManagerStandIn[] = [];
afterAll(async () => Promise.all(standIns.map((s) => s.close())));

function capture() {
  let text = '';
  return { stream: new Writable({ write: (chunk, _e, done) => ((text += chunk), done()) }), text: () => text };
}

describe('api-lake destroy', () => {
  it('refuses to destroy without a terminal to confirm on unless --yes is given', async () => {
    const run = await cli(['destroy']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('no terminal to confirm on: pass --yes');
  });

  it('destroys the stack and the secret of the config it is given, and only those', async () => {
    // Prepare: two deployments' configs, and both secrets stored
    const { sm, client } = await secretsManager();
    const dir = tempDir('api-lake-destroy-');
    const pollen = join(dir, 'pollen.json');
    const base = JSON.parse(readFileSync(join(PROJECT_ROOT, 'api-lake.config.json'), 'utf8'));
    writeFileSync(pollen, JSON.stringify({ ...base, stackName: 'ApiLakePollen', source: { ...base.source, name: 'pollen' }, table: 'pollen' }));
    sm.state.secrets.set('api-lake/weather/api-key', { value: '{"apiKey":"w"}' });
    sm.state.secrets.set('api-lake/pollen/api-key', { value: '{"apiKey":"p"}' });
    const cdkRuns: { args: string[]; config: string | undefined }[] = [];
    const io = (out = capture()) => ({ out: out.stream, interactive: false, cdk: (args: string[], env: NodeJS.ProcessEnv) => (cdkRuns.push({ args, config: env.API_LAKE_CONFIG }), 0), secrets: client, confirm: async () => true, text: out.text });
    // Act
    const first = io();
    expect(await destroyCommand(['--config', pollen, '--yes'], first)).toBe(0);
    const second = io();
    expect(await destroyCommand(['--yes'], second)).toBe(0);
    // Assess: each config reached only its own stack and secret, and named both before acting
    expect(cdkRuns).toEqual([
      { args: ['destroy', 'ApiLakePollen', '--force'], config: pollen },
      { args: ['destroy', 'ApiLake', '--force'], config: 'api-lake.config.json' },
    ]);
    expect(sm.state.calls).toEqual(['DeleteSecret api-lake/pollen/api-key', 'DeleteSecret api-lake/weather/api-key']);
    expect(sm.state.secrets.get('api-lake/pollen/api-key')).toEqual({ value: '{"apiKey":"p"}', deletedWithWindowDays: SECRET_RECOVERY_WINDOW_DAYS });
    expect(first.text()).toMatch(/^Stack: ApiLakePollen \(from .*pollen\.json\)\nSecret: api-lake\/pollen\/api-key\n/);
    expect(second.text()).toMatch(/^Stack: ApiLake \(from api-lake\.config\.json\)\nSecret: api-lake\/weather\/api-key\n/);
    // -c stackName= overrides the config's name, and is passed on to cdk
    const third = io();
    await destroyCommand(['-c', 'stackName=ApiLakeTest', '--yes'], third);
    expect(cdkRuns.at(-1)!.args).toEqual(['destroy', 'ApiLakeTest', '-c', 'stackName=ApiLakeTest', '--force']);
    expect(third.text()).toContain('Secret api-lake/weather/api-key did not exist.');
  });

  it('keeps the secret when cdk destroy fails', async () => {
    const { sm, client } = await secretsManager();
    sm.state.secrets.set('api-lake/weather/api-key', { value: 'k' });
    const out = capture();
    expect(await destroyCommand(['--yes'], { out: out.stream, interactive: false, cdk: () => 1, secrets: client, confirm: async () => true })).toBe(1);
    expect(sm.state.calls).toEqual([]);
  });
});

describe('api-lake set-key', () => {
  it('creates the secret from piped stdin, then updates it, never printing the key', async () => {
    const { sm, client } = await secretsManager();
    const first = capture();
    await setKeyCommand([], { stdin: Readable.from([`${RECOGNISABLE_KEY}\n`]), out: first.stream, secrets: client });
    expect(JSON.parse(sm.state.value!)).toEqual({ apiKey: RECOGNISABLE_KEY });
    expect(first.text()).toContain('Created secret api-lake/weather/api-key');
    const second = capture();
    await setKeyCommand([], { stdin: Readable.from(['new-key-2']), out: second.stream, secrets: client });
    expect(JSON.parse(sm.state.value!)).toEqual({ apiKey: 'new-key-2' });
    expect(sm.state.calls).toEqual(['PutSecretValue api-lake/weather/api-key', 'CreateSecret api-lake/weather/api-key', 'PutSecretValue api-lake/weather/api-key']);
    expect(second.text()).toContain('Updated secret');
    expect(first.text() + second.text()).not.toContain(RECOGNISABLE_KEY);
  });

  it('after destroy scheduled the secret for deletion, restores it and stores the new key', async () => {
    const { sm, client } = await secretsManager();
    sm.state.secrets.set('api-lake/weather/api-key', { value: '{"apiKey":"old"}', deletedWithWindowDays: 7 });
    const out = capture();
    await setKeyCommand([], { stdin: Readable.from(['fresh-key']), out: out.stream, secrets: client });
    expect(sm.state.secrets.get('api-lake/weather/api-key')).toEqual({ value: '{"apiKey":"fresh-key"}' });
    expect(sm.state.calls).toEqual(['PutSecretValue api-lake/weather/api-key', 'RestoreSecret api-lake/weather/api-key', 'PutSecretValue api-lake/weather/api-key']);
    expect(out.text()).toContain('Restored (it was scheduled for deletion) and updated secret api-lake/weather/api-key');
  });

  it('says how to set up AWS when there are no credentials or no region, before it reads the key', async () => {
    const { sm } = await secretsManager();
    // A stdin that records being read: the key must not be asked for when it could not be stored.
    const untouched = () => {
      const state = { read: false };
      return { state, stdin: new Readable({ read() { state.read = true; this.push('k'); this.push(null); } }) };
    };
    const noCredentials = new SecretsManagerClient({
      region: 'us-east-1',
      endpoint: sm.endpoint,
      credentials: async () => Promise.reject(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' })),
    });
    const first = untouched();
    await expect(setKeyCommand([], { stdin: first.stdin, out: capture().stream, secrets: noCredentials })).rejects.toThrow(/no AWS credentials found: run `aws configure`/);
    const noRegion = new SecretsManagerClient({ endpoint: sm.endpoint, credentials: ADMIN, region: async (): Promise<string> => Promise.reject(new Error('Region is missing')) });
    const second = untouched();
    await expect(setKeyCommand([], { stdin: second.stdin, out: capture().stream, secrets: noRegion })).rejects.toThrow(/no AWS region: pass --region or set AWS_REGION/);
    expect([first.state.read, second.state.read]).toEqual([false, false]);
    expect(sm.state.calls).toEqual([]);
  });

  it('refuses an empty key or one with spaces, storing nothing', async () => {
    const { sm, client } = await secretsManager();
    await expect(setKeyCommand([], { stdin: Readable.from(['']), out: capture().stream, secrets: client })).rejects.toThrow(UsageError);
    await expect(setKeyCommand([], { stdin: Readable.from(['two words']), out: capture().stream, secrets: client })).rejects.toThrow(/whitespace/);
    expect(sm.state.secrets.size).toBe(0);
  });
});
