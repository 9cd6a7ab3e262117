import { existsSync, readdirSync, statSync } from 'node:fs';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand, ListExecutionsCommand, type ExecutionListItem } from '@aws-sdk/client-sfn';
import { configFileOf, loadConfigFile } from '../../adapters/config-file.js';
import { FsObjectStore } from '../../adapters/local/fs-store.js';
import { lakePaths } from '../../adapters/local/lake-paths.js';
import { pipelinePrefix } from '../../contract/outputs.js';
import { stackNameOf, type PipelineConfig } from '../../core/config.js';
import { curatedObjectKey, hourFromEpochMs, rawHourPrefix, scheduledHour, type Hour } from '../../core/layout.js';
import type { ObjectStore } from '../../core/ports.js';
import { lastHours, scheduledHours } from '../../core/schedule.js';
import { parse, UsageError } from '../args.js';
import { awsClients, withAwsSetup, type AwsClients } from '../aws/clients.js';
import { stackOutputs, userBucket } from '../aws/stack.js';
import { mapConcurrent } from '../pool.js';
import { fixOf, localHourEvidence, renderStatus, stateOf, type HourEvidence, type HourStatus } from '../status.js';
import { contextStackName } from './aws.js';
import { hourOption, PIPELINE_OPTION, selectPipeline, STACK_OPTIONS, whereArgs } from './common.js';

export const STATUS_USAGE = `Usage: api-lake status [--from ISO-8601] [--to ISO-8601] [--config FILE] [--pipeline NAME] [--lake DIR] [--json]
       api-lake status --aws [--from ISO-8601] [--to ISO-8601] [--config FILE] [--pipeline NAME] [-c stackName=NAME] [--region REGION] [--json]
  Every scheduled hour of the range (default: the last 24 hours) with its state: loaded (and its records),
  skipped, failed, raw-only, running or missing. A grid, one row per UTC day, then every hour that is not
  loaded with its reason and the command that mends it. Locally it reads the lake (raw, curated, the twin's
  execution history); with --aws the stack's buckets and its Step Functions executions, with your credentials.
  --from TIME           the first hour, e.g. 2026-11-25T00Z (default: a day before --to)
  --to TIME             the last hour (default: the current hour; hours not begun are left out)
  --config FILE         pipeline config (default: API_LAKE_CONFIG, else api-lake.config.json)
  --pipeline NAME       the pipeline, when the config has several (required then)
  --lake DIR            on-disk lake (default ./lake)
  --aws                 the deployed stack instead of the lake, with your AWS credentials
  --region REGION       with --aws: the stack's region (default: AWS_REGION or your profile's)
  -c stackName=NAME     with --aws: the stack, when not the config's stackName
  --json                [{"hour", "state", "records", "reason"}, ...] in hour order
  Exit status: 0, whatever the hours' states; 2 bad arguments or config, a lake that cannot be read, no stack,
  or AWS not reached (--aws).`;

/** Hours a status covers at most: a quarter of a year. */
const MAX_HOURS = 24 * 92;

export interface StatusIo {
  readonly out: NodeJS.WritableStream & { isTTY?: boolean };
  readonly clients?: AwsClients;
  readonly rawBucket?: (bucket: string) => Promise<ObjectStore>;
  readonly now?: () => number;
}

export async function statusCommand(argv: string[], io: StatusIo = { out: process.stdout }): Promise<number> {
  const { values } = parse(
    argv,
    {
      from: { type: 'string' },
      to: { type: 'string' },
      config: { type: 'string' },
      lake: { type: 'string', default: 'lake' },
      json: { type: 'boolean', default: false },
      aws: { type: 'boolean', default: false },
      ...STACK_OPTIONS,
      ...PIPELINE_OPTION,
    },
    STATUS_USAGE,
  );
  const now = (io.now ?? Date.now)();
  const current = hourFromEpochMs(now);
  // A range given by one end is a day from it: --to alone ends the day there, --from alone starts it (up to now).
  const given = { from: values.from ? hourOption(values.from, 'from') : undefined, to: values.to ? hourOption(values.to, 'to') : undefined };
  const from = given.from ?? (given.to ? lastHours(Date.parse(given.to.iso), 24).from : lastHours(now, 24).from);
  const askedTo = given.to ?? current;
  if (Date.parse(from.iso) > Date.parse(current.iso)) throw new UsageError(`--from ${values.from} is in the future: no hour of the range has begun (it is ${new Date(now).toISOString().slice(0, 16)}Z)`, STATUS_USAGE);
  if (Date.parse(from.iso) > Date.parse(askedTo.iso)) throw new UsageError(`--from ${values.from} is after --to ${values.to}`, STATUS_USAGE);
  // Hours that have not begun have no state yet: they are left out, not counted as missing.
  const to = Date.parse(askedTo.iso) > Date.parse(current.iso) ? current : askedTo;
  if ((Date.parse(to.iso) - Date.parse(from.iso)) / 3_600_000 >= MAX_HOURS) throw new UsageError(`the range holds more than ${MAX_HOURS} hours; ask for a quarter at most`, STATUS_USAGE);
  const configFile = configFileOf(values.config);
  const app = loadConfigFile(values.config);
  const config = selectPipeline(app, values.pipeline, STATUS_USAGE);

  let evidence: HourEvidence[];
  let where: string;
  if (values.aws) {
    const clients = io.clients ?? awsClients(values.region);
    const stackName = stackNameOf(app, contextStackName(values.context, STATUS_USAGE));
    const outputs = await withAwsSetup(() => stackOutputs(clients, stackName), STATUS_USAGE);
    const stateMachineArn = outputs?.[`${pipelinePrefix(app.pipelines.length, config.name)}StateMachineArn`];
    if (!outputs || !stateMachineArn) throw new UsageError(`stack ${stackName} is not deployed in this account and region (deploy it: API_LAKE_CONFIG=${configFile} npx cdk deploy)`, STATUS_USAGE);
    const raw = await (io.rawBucket ?? ((bucket) => userBucket(bucket, values.region)))(outputs.RawBucketName!);
    evidence = await withAwsSetup(() => awsEvidence(config, clients, stateMachineArn, outputs.CuratedBucketName!, raw, from, to), STATUS_USAGE);
    where = `stack ${stackName}`;
  } else {
    if (!existsSync(values.lake)) throw new UsageError(`there is no lake at ${values.lake}: run \`npm start\` or \`npx api-lake run\` first, or pass --lake DIR`, STATUS_USAGE);
    if (!statSync(values.lake).isDirectory()) throw new UsageError(`the lake ${values.lake} is a file, not a directory: pass --lake DIR, the directory \`npx api-lake run\` writes to`, STATUS_USAGE);
    evidence = await localEvidence(config, values.lake, from, to).catch((error: Error) => {
      // A lake whose directories cannot be read (a file in place of one, no permission): what is wrong and where.
      if (error.name === 'StoreUnavailableError' || error.name === 'StoreRequestError') throw new UsageError(`cannot read the lake ${values.lake}: ${error.message}`, undefined, { cause: error });
      throw error;
    });
    where = `lake ${values.lake}`;
  }
  const statuses = evidence.map(stateOf);
  if (values.json) {
    io.out.write(`${JSON.stringify(statuses.map(({ hour, state, records, reason }) => ({ hour, state, records, reason })), null, 2)}\n`);
    return 0;
  }
  const cut = to !== askedTo ? `; the hours after ${to.iso.slice(0, 13)}Z have not begun` : '';
  const title = `${config.name}: ${config.source.name} -> ${config.table} (${config.schedule}) in ${where}, ${from.iso.slice(0, 13)}Z to ${to.iso.slice(0, 13)}Z (UTC${cut})`;
  // On AWS the lake is not the place: --lake does not go with the command that mends an hour.
  const args = whereArgs({ ...values, lake: values.aws ? undefined : values.lake }).join(' ');
  io.out.write(renderStatus(statuses, { color: io.out.isTTY === true, title, fix: (s: HourStatus) => fixOf(s, config, values.aws, now, args && ` ${args}`) }));
  return 0;
}

/** The evidence of each scheduled hour in the twin's lake. */
async function localEvidence(config: PipelineConfig, lakeDir: string, from: Hour, to: Hour): Promise<HourEvidence[]> {
  const paths = lakePaths(lakeDir);
  const raw = new FsObjectStore(paths.raw);
  const curated = new FsObjectStore(paths.curated);
  const ran = latestRun(paths.executions, config.name);
  return mapConcurrent(scheduledHours(config.schedule, from, to, ran), 8, (hour) => localHourEvidence(config, paths, hour, { raw, curated }));
}

/** The latest hour the twin ran the pipeline for (the phase of a rate schedule), if any. */
function latestRun(dir: string, pipeline: string): Hour | undefined {
  try {
    const latest = readdirSync(`${dir}/${pipeline}`).sort().at(-1);
    return latest ? scheduledHour(`${latest.slice(0, 4)}-${latest.slice(4, 6)}-${latest.slice(6, 8)}T${latest.slice(9, 11)}:00:00Z`) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The evidence of each scheduled hour on AWS: the state machine's executions started since the range began (the
 * latest for each hour it names), and, for an hour without one, the curated object and the raw prefix.
 */
async function awsEvidence(config: PipelineConfig, clients: AwsClients, stateMachineArn: string, curatedBucket: string, raw: ObjectStore, from: Hour, to: Hour): Promise<HourEvidence[]> {
  const listed: ExecutionListItem[] = [];
  let nextToken: string | undefined;
  do {
    const page = await clients.sfn.send(new ListExecutionsCommand({ stateMachineArn, nextToken, maxResults: 1000 }));
    listed.push(...(page.executions ?? []));
    nextToken = page.nextToken;
    // Newest first: an execution started before the range cannot be of an hour in it.
    if ((page.executions ?? []).some((e) => e.startDate && e.startDate.getTime() < Date.parse(from.iso))) break;
  } while (nextToken);
  const described = await mapConcurrent(
    listed.filter((e) => !e.startDate || e.startDate.getTime() >= Date.parse(from.iso)),
    8,
    (e) => clients.sfn.send(new DescribeExecutionCommand({ executionArn: e.executionArn })),
  );
  const byHour = new Map<string, HourEvidence['execution'] & { startedAt: number }>();
  for (const d of described) {
    let hour: Hour;
    try {
      hour = scheduledHour((JSON.parse(d.input ?? '{}') as { time?: unknown }).time);
    } catch {
      continue; // an input without a time concerns no hour
    }
    const output = JSON.parse(d.output ?? '{}') as { error?: { Error?: string; Cause?: string }; transform?: { records?: number } };
    const skipped = d.status === 'SUCCEEDED' && output.error !== undefined && output.transform === undefined;
    const execution = {
      startedAt: d.startDate?.getTime() ?? 0,
      status: (skipped ? 'SKIPPED' : d.status) as NonNullable<HourEvidence['execution']>['status'],
      error: skipped ? output.error?.Error : d.error,
      cause: skipped ? output.error?.Cause : d.cause,
      records: output.transform?.records ?? null,
    };
    const known = byHour.get(hour.iso);
    if (!known || known.startedAt < execution.startedAt) byHour.set(hour.iso, execution);
  }
  const latest = [...byHour.keys()].sort().at(-1);
  return mapConcurrent(scheduledHours(config.schedule, from, to, latest ? hourFromEpochMs(Date.parse(latest)) : undefined), 8, async (hour): Promise<HourEvidence> => {
    const execution = byHour.get(hour.iso);
    if (execution && execution.status !== 'FAILED' && execution.status !== 'ABORTED') return { hour, execution, raw: true };
    const head = await clients.s3.send(new HeadObjectCommand({ Bucket: curatedBucket, Key: curatedObjectKey(config.table, hour) })).catch((error: Error) => {
      if (error.name === 'NotFound' || error.name === 'NoSuchKey' || error.name === '404') return undefined;
      throw error;
    });
    return {
      hour,
      execution,
      raw: (await raw.list(rawHourPrefix(config.source.name, hour))).length > 0,
      curated: head && { records: head.Metadata?.records === undefined ? null : Number(head.Metadata.records) },
    };
  });
}
