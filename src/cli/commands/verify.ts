import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetQueryExecutionCommand, GetQueryResultsCommand, StartQueryExecutionCommand } from '@aws-sdk/client-athena';
import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import type { DescribeExecutionCommandOutput } from '@aws-sdk/client-sfn';
import { DuckDBInstance } from '@duckdb/node-api';
import { configFileOf, loadConfigFile } from '../../adapters/config-file.js';
import { stackNameOf, type PipelineConfig } from '../../core/config.js';
import { curatedObjectKey, hourFromEpochMs, rawObjectKey, type Hour } from '../../core/layout.js';
import { numberOption, parse } from '../args.js';
import { awsClients, withAwsSetup, type AwsClients } from '../aws/clients.js';
import { runExecution } from '../aws/executions.js';
import { stackOutputs } from '../aws/stack.js';
import { causeMessage, formatTable } from '../format.js';
import { contextStackName } from './aws.js';
import { PIPELINE_OPTION, selectPipeline, STACK_OPTIONS } from './common.js';
import { pipelinePrefix, PIPELINE_OUTPUTS } from '../../contract/outputs.js';

export const VERIFY_USAGE = `Usage: api-lake verify [--config FILE] [--pipeline NAME] [-c stackName=NAME] [--region REGION] [--timeout-seconds N]
  A smoke test of a deployed stack (AWS credentials needed): reads the stack's outputs, starts one execution
  for the current hour, waits for it, then checks the raw object, the curated Parquet and its row count, and
  that Athena answers a count of the hour in the stack's workgroup. Prints a pass/fail table with what to do
  for each failure. Exit status: 0 every check passed, 1 one failed, 2 bad arguments or config.
  --timeout-seconds N   how long to wait for the execution (default 900)`;

/** One line of the verdict. */
export interface Check {
  readonly check: string;
  readonly ok: boolean;
  readonly detail: string;
  /** What to do when it failed. */
  readonly fix?: string;
}

export interface VerifyOptions {
  readonly config: PipelineConfig;
  readonly configFile: string;
  readonly stackName: string;
  readonly hour: Hour;
  readonly clients: AwsClients;
  readonly timeoutMs: number;
  readonly pollMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly onProgress?: (line: string) => void;
  /** The pipeline's output prefix (contract/outputs.ts `pipelinePrefix`); none for the only one. */
  readonly prefix?: string;
}

/** Stack outputs the checks need (pipeline-stack.ts names them; the state machine's after the pipeline's prefix). */
const OUTPUTS = ['StateMachineArn', 'RawBucketName', 'CuratedBucketName', 'GlueDatabaseName', 'AthenaWorkGroup'] as const;

/** Runs the checks in order; a failed one that later checks depend on ends the list with it. */
export async function verifyDeployment(options: VerifyOptions): Promise<Check[]> {
  const { clients, hour, config } = options;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const checks: Check[] = [];
  const deploy = `deploy it: API_LAKE_CONFIG=${options.configFile} npx cdk deploy`;

  // 1. The stack and its outputs.
  const stackOutputsFound = await stackOutputs(clients, options.stackName);
  // The pipeline's own outputs under their plain names (an app of several prefixes them with the pipeline's name).
  const outputs = stackOutputsFound && { ...stackOutputsFound, ...Object.fromEntries(PIPELINE_OUTPUTS.map((name) => [name, stackOutputsFound[`${options.prefix ?? ''}${name}`]!]).filter(([, v]) => v !== undefined)) };
  if (!outputs) return [{ check: 'stack', ok: false, detail: `stack ${options.stackName} not found in this account and region`, fix: deploy }];
  const missing = OUTPUTS.filter((name) => !outputs[name]);
  if (missing.length) return [{ check: 'stack', ok: false, detail: `stack ${options.stackName} lacks the outputs ${missing.join(', ')}`, fix: `${deploy} (an older or foreign stack)` }];
  checks.push({ check: 'stack', ok: true, detail: `${options.stackName}: every output present` });

  // 2. One execution for the hour, waited for.
  const name = `api-lake-verify-${hour.compact}-${randomUUID().slice(0, 8)}`;
  const execution = await runExecution(clients, outputs.StateMachineArn!, name, { time: hour.iso.replace('.000Z', 'Z') }, { ...options, sleep });
  const ended = executionCheck(execution, options);
  checks.push(ended.check);
  if (!ended.check.ok || ended.records === undefined) return checks;

  // 3. The raw object, and 4. the curated Parquet with the execution's row count.
  const rawKey = rawObjectKey(config.source.name, hour);
  try {
    const head = await clients.s3.send(new HeadObjectCommand({ Bucket: outputs.RawBucketName, Key: rawKey }));
    checks.push({ check: 'raw object', ok: true, detail: `s3://${outputs.RawBucketName}/${rawKey} (${head.ContentLength} bytes)` });
  } catch (error) {
    checks.push({ check: 'raw object', ok: false, detail: `s3://${outputs.RawBucketName}/${rawKey}: ${(error as Error).name}`, fix: 'look at the Fetch function logs of the execution' });
  }
  const curatedKey = curatedObjectKey(config.table, hour);
  if (ended.records === 0) {
    checks.push({ check: 'curated Parquet', ok: true, detail: 'the hour held no records, so no Parquet was written (as designed)' });
    return checks;
  }
  try {
    const object = await clients.s3.send(new GetObjectCommand({ Bucket: outputs.CuratedBucketName, Key: curatedKey }));
    const rows = await parquetRowCount(await object.Body!.transformToByteArray());
    const ok = rows === ended.records;
    checks.push({
      check: 'curated Parquet',
      ok,
      detail: `s3://${outputs.CuratedBucketName}/${curatedKey}: ${rows} rows${ok ? '' : `, the execution reported ${ended.records}`}`,
      fix: ok ? undefined : 'rerun verify; if it persists, report it with the execution ARN',
    });
  } catch (error) {
    checks.push({ check: 'curated Parquet', ok: false, detail: `s3://${outputs.CuratedBucketName}/${curatedKey}: ${(error as Error).name}: ${(error as Error).message}`, fix: 'look at the Transform function logs of the execution' });
    return checks;
  }

  // 5. Athena answers a count of the hour in the stack's workgroup.
  checks.push(await athenaCheck(options, outputs, ended.records, sleep));
  return checks;
}

function executionCheck(execution: DescribeExecutionCommandOutput, options: VerifyOptions): { check: Check; records?: number } {
  const arn = execution.executionArn ?? '';
  if (execution.status === 'RUNNING') {
    return { check: { check: 'execution', ok: false, detail: `still running after ${options.timeoutMs / 1000} s: ${arn}`, fix: 'wait and look at it in the Step Functions console, or rerun verify with a larger --timeout-seconds' } };
  }
  if (execution.status !== 'SUCCEEDED') {
    const error = execution.error ?? execution.status ?? 'unknown';
    return { check: { check: 'execution', ok: false, detail: `${execution.status}: ${error}: ${causeMessage(execution.cause) ?? ''} (${arn})`, fix: fixFor(error) } };
  }
  const output = JSON.parse(execution.output ?? '{}') as { transform?: { records?: number } };
  if (output.transform?.records === undefined) {
    return {
      check: { check: 'execution', ok: false, detail: `the hour was skipped: the API stayed unavailable after the retries (${arn})`, fix: 'check source.url and that the API is up (the skipped-hour e-mail has the cause), then rerun verify' },
    };
  }
  return { check: { check: 'execution', ok: true, detail: `SUCCEEDED with ${output.transform.records} records (${arn})` }, records: output.transform.records };
}

const FIXES: Record<string, string> = {
  ApiAuthError: 'store a valid key: npx api-lake set-key',
  SecretUnavailableError: 'store the key: npx api-lake set-key',
  ApiRequestError: 'fix source.url or source.params in the config, then deploy again',
  InvalidResponseError: 'the API answered something that is not the records: check source.recordsPath',
  SchemaError: 'see "Types are remembered between hours" in the README',
};
const fixFor = (error: string) => FIXES[error] ?? 'read the failure e-mail or the execution in the Step Functions console';

/** Rows of a Parquet file, as DuckDB reads them. */
async function parquetRowCount(bytes: Uint8Array): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'api-lake-verify-'));
  const file = join(dir, 'hour.parquet');
  writeFileSync(file, bytes);
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const reader = await connection.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM read_parquet('${file.replaceAll("'", "''")}')`);
    return Number(reader.getRowObjectsJson()[0]!.n);
  } finally {
    connection.closeSync();
    instance.closeSync();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function athenaCheck(options: VerifyOptions, outputs: Record<string, string>, records: number, sleep: (ms: number) => Promise<void>): Promise<Check> {
  const { athena } = options.clients;
  const { hour, config } = options;
  // The stack's table has hour as an int (partition projection); a crawler catalogs it as a string.
  const hourValue = config.catalog.mode === 'projection' ? String(Number(hour.hh)) : `'${hour.hh}'`;
  const sql = `SELECT count(*) AS n FROM "${outputs.GlueDatabaseName}"."${config.table}" WHERE dt = '${hour.date}' AND hour = ${hourValue}`;
  const { QueryExecutionId } = await athena.send(new StartQueryExecutionCommand({ QueryString: sql, WorkGroup: outputs.AthenaWorkGroup }));
  const deadline = Date.now() + 120_000;
  let state: string | undefined;
  let reason: string | undefined;
  do {
    const described = await athena.send(new GetQueryExecutionCommand({ QueryExecutionId }));
    state = described.QueryExecution?.Status?.State;
    reason = described.QueryExecution?.Status?.StateChangeReason;
    if (state === 'QUEUED' || state === 'RUNNING') await sleep(options.pollMs ?? 2000);
  } while ((state === 'QUEUED' || state === 'RUNNING') && Date.now() < deadline);
  if (state !== 'SUCCEEDED') {
    const notCataloged = /does not exist|not found/i.test(reason ?? '');
    return {
      check: 'Athena',
      ok: false,
      detail: `${sql}: ${state}${reason ? `: ${reason}` : ''}`,
      fix: notCataloged && outputs.CrawlerName ? `catalog the table first: aws glue start-crawler --name ${outputs.CrawlerName}, then rerun verify` : 'look at the query in the Athena console of the workgroup',
    };
  }
  const result = await athena.send(new GetQueryResultsCommand({ QueryExecutionId }));
  const count = Number(result.ResultSet?.Rows?.[1]?.Data?.[0]?.VarCharValue);
  const ok = count === records;
  return { check: 'Athena', ok, detail: `${sql}: ${count}${ok ? '' : `, expected ${records}`}`, fix: ok ? undefined : 'the catalog may lag: rerun verify in a minute' };
}

export interface VerifyIo {
  readonly out: NodeJS.WritableStream;
  readonly clients?: AwsClients;
  readonly now?: () => number;
  readonly pollMs?: number;
}

export async function verifyCommand(argv: string[], io: VerifyIo = { out: process.stdout }): Promise<number> {
  const { values } = parse(
    argv,
    { config: { type: 'string' }, ...STACK_OPTIONS, 'timeout-seconds': { type: 'string', default: '900' }, ...PIPELINE_OPTION },
    VERIFY_USAGE,
  );
  const configFile = configFileOf(values.config);
  const app = loadConfigFile(values.config);
  const config = selectPipeline(app, values.pipeline, VERIFY_USAGE);
  const stackName = stackNameOf(config, contextStackName(values.context, VERIFY_USAGE));
  const timeoutMs = numberOption(values['timeout-seconds'], 'timeout-seconds', VERIFY_USAGE, { min: 1 })! * 1000;
  const hour = hourFromEpochMs((io.now ?? Date.now)());
  io.out.write(`Verifying stack ${stackName} with one execution for the hour ${hour.iso.slice(0, 13)}:00Z\n`);
  const checks = await withAwsSetup(
    () =>
      verifyDeployment({
        config,
        configFile,
        stackName,
        prefix: pipelinePrefix(app.pipelines.length, config.name),
        hour,
        clients: io.clients ?? awsClients(values.region),
        timeoutMs,
        pollMs: io.pollMs,
        onProgress: (line) => io.out.write(`  ${line}\n`),
      }),
    VERIFY_USAGE,
  );
  const rows = checks.map((c) => ({ check: c.check, result: c.ok ? 'pass' : 'FAIL', detail: c.detail }));
  io.out.write(`\n${formatTable({ columns: ['check', 'result', 'detail'], rows }, 400)}\n`);
  const failed = checks.filter((c) => !c.ok);
  if (failed.length === 0) {
    io.out.write(`All ${checks.length} checks passed.\n`);
    return 0;
  }
  io.out.write(`\nWhat to do:\n${failed.map((c) => `  ${c.check}: ${c.fix ?? 'see the detail above'}`).join('\n')}\n`);
  return 1;
}
