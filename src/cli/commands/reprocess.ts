import { randomUUID } from 'node:crypto';
import { FsObjectStore } from '../../adapters/local/fs-store.js';
import { lakePaths } from '../../adapters/local/lake-paths.js';
import { configFileOf, loadConfigFile } from '../../adapters/config-file.js';
import { stackNameOf, type AppConfig, type PipelineConfig } from '../../core/config.js';
import { hoursBetween, rawHourPrefix, type Hour } from '../../core/layout.js';
import type { ObjectStore } from '../../core/ports.js';
import { numberOption, parse, UsageError } from '../args.js';
import { awsClients, withAwsSetup, type AwsClients } from '../aws/clients.js';
import { runExecution } from '../aws/executions.js';
import { causeMessage } from '../format.js';
import { stackOutputs, userBucket } from '../aws/stack.js';
import { formatTable } from '../format.js';
import { mapConcurrent } from '../pool.js';
import { loadLocalStack, type Synthesizer } from '../twin/stack-cache.js';
import { runHour } from '../twin/run.js';
import { contextStackName } from './aws.js';
import { assertQueryable, hourOption, PIPELINE_OPTION, selectPipeline, STACK_OPTIONS } from './common.js';
import { pipelinePrefix } from '../../contract/outputs.js';

export const REPROCESS_USAGE = `Usage: api-lake reprocess --from ISO-8601 --to ISO-8601 [--config FILE] [--pipeline NAME] [--lake DIR] [--concurrency N]
       api-lake reprocess --from ISO-8601 --to ISO-8601 --aws [--config FILE] [--pipeline NAME] [-c stackName=NAME] [--region REGION] [--concurrency N]
  Runs the Transform step alone for every hour of the range that has raw data: the API is never called and raw
  is never written. Each hour is one execution of the deployed state machine with an input that names the hour's
  raw objects ({"time": ..., "reprocess": {"rawKeys": [...]}}), so it skips Fetch; locally through the twin (lake
  DIR, default ./lake), with --aws on the deployed stack, with your AWS credentials.
  --concurrency N   hours at once (default 4)
  Prints a table per hour and a summary; exit status 1 if any hour failed, 2 bad arguments or config.`;

/** How one hour ended. */
interface HourResult {
  readonly hour: Hour;
  readonly status: 'REPROCESSED' | 'NO RAW' | 'FAILED';
  readonly records?: number;
  readonly curatedKey?: string | null;
  readonly error?: string;
}

/** Runs one hour with its raw keys as the state machine's reprocess input; how it ended. */
type Runner = (hour: Hour, rawKeys: string[]) => Promise<Omit<HourResult, 'hour'>>;

export interface ReprocessIo {
  readonly out: NodeJS.WritableStream;
  /** The CDK app, for the local twin (CliContext). */
  readonly synthesizer: Synthesizer;
  readonly clients?: AwsClients;
  /** The raw zone on AWS (tests pass one on their S3 stand-in); default: the stack's raw bucket with your credentials. */
  readonly rawBucket?: (bucket: string) => Promise<ObjectStore>;
  readonly pollMs?: number;
}

export async function reprocessCommand(argv: string[], io: ReprocessIo): Promise<number> {
  const { values } = parse(
    argv,
    {
      from: { type: 'string' },
      to: { type: 'string' },
      config: { type: 'string' },
      lake: { type: 'string', default: 'lake' },
      concurrency: { type: 'string', default: '4' },
      aws: { type: 'boolean', default: false },
      ...STACK_OPTIONS,
      ...PIPELINE_OPTION,
    },
    REPROCESS_USAGE,
  );
  if (!values.from || !values.to) throw new UsageError('--from and --to are required', REPROCESS_USAGE);
  const hours = hoursBetween(hourOption(values.from, 'from'), hourOption(values.to, 'to'));
  if (hours.length === 0) throw new UsageError(`--from ${values.from} is after --to ${values.to}`, REPROCESS_USAGE);
  if (hours.length > 24 * 366) throw new UsageError(`the range holds ${hours.length} hours; reprocess at most a year at a time`, REPROCESS_USAGE);
  const concurrency = numberOption(values.concurrency, 'concurrency', REPROCESS_USAGE, { min: 1, max: 40 })!;
  const configFile = configFileOf(values.config);
  const app = loadConfigFile(values.config);
  const config = selectPipeline(app, values.pipeline, REPROCESS_USAGE);
  assertQueryable(config, hours, REPROCESS_USAGE);

  let raw: ObjectStore;
  let run: Runner;
  if (values.aws) {
    const clients = io.clients ?? awsClients(values.region);
    const stackName = stackNameOf(config, contextStackName(values.context, REPROCESS_USAGE));
    const outputs = await withAwsSetup(() => stackOutputs(clients, stackName), REPROCESS_USAGE);
    const stateMachineArn = outputs?.[`${pipelinePrefix(app.pipelines.length, config.name)}StateMachineArn`];
    if (!stateMachineArn || !outputs?.RawBucketName) throw new UsageError(`stack ${stackName} is not deployed in this account and region (deploy it: API_LAKE_CONFIG=${configFile} npx cdk deploy)`);
    raw = await (io.rawBucket ?? ((bucket) => userBucket(bucket, values.region)))(outputs.RawBucketName);
    io.out.write(`Reprocessing ${hours.length} hour(s) of ${config.table} on stack ${stackName}, ${concurrency} at a time.\n`);
    run = awsRunner(clients, stateMachineArn, io);
  } else {
    raw = new FsObjectStore(lakePaths(values.lake).raw);
    io.out.write(`Reprocessing ${hours.length} hour(s) of ${config.table} in ${values.lake} through the local twin, ${concurrency} at a time.\n`);
    run = await twinRunner(app, config, values.lake, io.synthesizer);
  }

  const results = await mapConcurrent(hours, concurrency, async (hour): Promise<HourResult> => {
    const rawKeys = await raw.list(rawHourPrefix(config.source.name, hour));
    const result: HourResult = rawKeys.length === 0 ? { hour, status: 'NO RAW' } : { hour, ...(await run(hour, rawKeys)) };
    io.out.write(`  ${hour.iso.slice(0, 13)}Z ${result.status}${result.error ? `: ${result.error}` : ''}\n`);
    return result;
  });
  const rows = results.map((r) => ({ hour: `${r.hour.iso.slice(0, 16)}Z`, status: r.status, records: r.records ?? '', curated: r.curatedKey ?? '', error: r.error ?? '' }));
  io.out.write(`\n${formatTable({ columns: ['hour', 'status', 'records', 'curated', 'error'], rows }, 100)}\n`);
  const count = (status: HourResult['status']) => results.filter((r) => r.status === status).length;
  io.out.write(`${count('REPROCESSED')} reprocessed, ${count('NO RAW')} without raw data, ${count('FAILED')} failed.\n`);
  return count('FAILED') > 0 ? 1 : 0;
}

/** The input that makes the state machine skip Fetch and transform the stored raw objects. */
const reprocessInput = (hour: Hour, rawKeys: string[]) => ({ time: hour.iso.replace('.000Z', 'Z'), reprocess: { rawKeys } });

async function twinRunner(app: AppConfig, config: PipelineConfig, lakeDir: string, synthesizer: Synthesizer): Promise<Runner> {
  const { stack } = await loadLocalStack(app, synthesizer, process.env, config.name);
  return async (hour, rawKeys) => {
    const result = await runHour({ config, stack, validated: true, lakeDir, hour, input: reprocessInput(hour, rawKeys) });
    if (result.status !== 'SUCCEEDED') return { status: 'FAILED', error: `${result.error}: ${causeMessage(result.cause) ?? ''}` };
    return { status: 'REPROCESSED', records: result.output?.transform?.records, curatedKey: result.output?.transform?.curatedKey };
  };
}

function awsRunner(clients: AwsClients, stateMachineArn: string, io: ReprocessIo): Runner {
  return async (hour, rawKeys) => {
    const name = `api-lake-reprocess-${hour.compact}-${randomUUID().slice(0, 8)}`;
    const ended = await runExecution(clients, stateMachineArn, name, reprocessInput(hour, rawKeys), { timeoutMs: 3_600_000, pollMs: io.pollMs });
    if (ended.status !== 'SUCCEEDED') return { status: 'FAILED', error: `${ended.error ?? ended.status}: ${causeMessage(ended.cause)}` };
    const output = JSON.parse(ended.output ?? '{}') as { transform?: { records?: number; curatedKey?: string | null } };
    return { status: 'REPROCESSED', records: output.transform?.records, curatedKey: output.transform?.curatedKey };
  };
}
