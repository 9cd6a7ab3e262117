import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { EnvSecretStore } from '../../adapters/local/env-secret.js';
import { FsTableCatalog } from '../../adapters/local/fs-catalog.js';
import { FsObjectStore } from '../../adapters/local/fs-store.js';
import { lakePaths } from '../../adapters/local/lake-paths.js';
import { writeNotification, type Notification } from '../../adapters/local/file-notifier.js';
import type { PipelineConfig } from '../../core/config.js';
import { fetchHttpClient } from '../../adapters/http/fetch-client.js';
import type { HttpClient, ObjectStore, StepLogger, TableCatalog } from '../../core/ports.js';
import { redact } from '../../core/redact.js';
import type { FetchInput } from '../../core/steps/fetch.js';
import type { TransformInput } from '../../core/steps/transform.js';
import { fetchStep, transformStep } from '../../core/steps/wiring.js';
import { STATE } from '../../contract/state-names.js';
import { deniedMessage, LocalAccess, type RoleSession } from './iam/access.js';
import { AccessCheckedCatalog, AccessCheckedSecretStore, AccessCheckedStore } from './iam/checked-adapters.js';
import { innerMachines, localGlueArn, localSecretArn, type LocalFunction, type LocalStack, type StateDefinition } from './local-stack.js';
import { asLocalLambda, serviceFailure, type InjectedFaults, type TaskHandler } from './local-lambda.js';
import { stopsWithItsMap } from './map-iterations.js';

export interface LocalTaskOptions {
  readonly config: PipelineConfig;
  /** The synthesized stack: its functions, and the IAM every call is checked against. */
  readonly stack: LocalStack;
  readonly lakeDir: string;
  /** Fixed API key (the demo API); otherwise API_LAKE_API_KEY. */
  readonly apiKey?: string;
  readonly http?: HttpClient;
  readonly now?: () => number;
  readonly onNotification?: (notification: Notification, path: string) => void;
  /** Replace the on-disk zones (fault-injection tests); default: `<lake>/raw` and `<lake>/curated`. They are still access-checked. */
  readonly stores?: { raw?: ObjectStore; curated?: ObjectStore };
  /** Errors to raise instead of running a state, in order, as Lambda or Step Functions would (tests of every Retry/Catch). */
  readonly inject?: InjectedFaults;
  /** The execution the steps run in: every log line names it and its scheduled hour. */
  readonly execution?: { readonly arn: string; readonly hour: string };
}

/**
 * The local implementation of every Task state, keyed by state name: the same core step functions the
 * Lambdas run, wired to on-disk adapters; the SNS publishes write notification files. Every call is
 * checked against the synthesized stack's IAM, as AWS would check it: the state machine's role invoking a
 * function or publishing, and each function's role reading its secret or an object.
 */
export function localTaskHandlers(options: LocalTaskOptions): Record<string, TaskHandler> {
  const { config, lakeDir, stack } = options;
  const access = new LocalAccess(stack);
  const paths = lakePaths(lakeDir);
  const now = options.now ?? Date.now;
  const secretValues = [options.apiKey, process.env.API_LAKE_API_KEY];
  const stateMachine: RoleSession = { roleArn: stack.stateMachine.roleArn, session: 'local-execution' };
  // Log lines are appended in order; each step waits for its lines before it returns.
  let pending: Promise<void> = Promise.resolve();
  const logger = (step: string): StepLogger & { error: StepLogger['info'] } => {
    const write = (level: string) => (message: string, fields?: Record<string, unknown>) => {
      const context = { level, step, source: config.source.name, hour: options.execution?.hour, execution: options.execution?.arn };
      const line = redact(JSON.stringify({ ...context, message, ...fields, timestamp: new Date(now()).toISOString() }), secretValues);
      pending = pending.then(() => mkdir(paths.logs, { recursive: true })).then(() => appendFile(join(paths.logs, 'steps.jsonl'), line + '\n'));
    };
    return { info: write('INFO'), error: write('ERROR') };
  };
  /** A step's start, end and failure in the log, as the deployed handlers log them (src/handlers/observability.ts). */
  const observed =
    <I, O>(step: string, run: (input: I, invocation: { getRemainingTimeInMillis(): number }) => Promise<O>) =>
    async (input: I, invocation: { getRemainingTimeInMillis(): number }): Promise<O> => {
      const log = logger(step);
      const started = Date.now();
      log.info('step started');
      try {
        const result = await run(input, invocation);
        log.info('step succeeded', { durationMs: Date.now() - started });
        return result;
      } catch (error) {
        log.error('step failed', { durationMs: Date.now() - started, errorName: (error as Error).name, errorMessage: (error as Error).message });
        throw error;
      }
    };

  const fetchFn = functionOf(stack, STATE.fetch);
  const transformFn = functionOf(stack, STATE.transform);
  const session = (fn: LocalFunction): RoleSession => ({ roleArn: fn.roleArn, session: fn.arn.split(':').pop()! });
  const zone = (fn: LocalFunction, variable: 'RAW_BUCKET' | 'CURATED_BUCKET', local: ObjectStore) =>
    new AccessCheckedStore(local, requireEnv(fn, variable), session(fn), access);
  // The deployed raw bucket is versioned: the twin keeps replaced raw objects too (raw/.versions/).
  const rawDisk = options.stores?.raw ?? new FsObjectStore(paths.raw, { keepVersions: true, now });
  const curatedDisk = options.stores?.curated ?? new FsObjectStore(paths.curated);
  const secretName = requireEnv(fetchFn, 'SECRET_NAME');
  const secrets = new AccessCheckedSecretStore(new EnvSecretStore(process.env, options.apiKey), secretName, localSecretArn(secretName), session(fetchFn), access);

  // The same step functions the Lambdas run, wired to the lake on disk (checked against each function's IAM).
  const fetch = fetchStep(config.source, {
    raw: zone(fetchFn, 'RAW_BUCKET', rawDisk),
    // An incremental source's cursor, in the curated zone, as the deployed function reads it (with its own role).
    curated: config.source.incremental ? zone(fetchFn, 'CURATED_BUCKET', curatedDisk) : undefined,
    secrets,
    http: options.http ?? fetchHttpClient,
    logger: logger(STATE.fetch),
    now,
  });
  const transform = transformStep(config.source, config.table, {
    raw: zone(transformFn, 'RAW_BUCKET', rawDisk),
    curated: zone(transformFn, 'CURATED_BUCKET', curatedDisk),
    catalog: localCatalog(stack, transformFn, config.table, paths.catalog, session(transformFn), access, now),
    logger: logger(STATE.transform),
    now,
  });

  const notify: TaskHandler = async (input) => {
    const { TopicArn, Subject, Message } = input as { TopicArn: string; Subject: string; Message: unknown };
    const decision = access.decide(stateMachine, 'sns:Publish', TopicArn);
    if (!decision.allowed) {
      throw serviceFailure('SNS.AuthorizationErrorException', `${deniedMessage(stateMachine, 'SNS:Publish', TopicArn, decision)} (Service: Sns, Status Code: 403, Request ID: local)`);
    }
    // Step Functions serializes an object Message to JSON before SNS gets it; do the same.
    const notification = { topicArn: TopicArn, subject: Subject, message: typeof Message === 'string' ? Message : JSON.stringify(Message) };
    const path = await writeNotification(paths.notifications, notification, new Date(now()));
    options.onNotification?.(notification, path);
    return { MessageId: path };
  };
  const lambda = (state: string, fn: LocalFunction, run: Parameters<typeof asLocalLambda>[0]) =>
    asLocalLambda(run, { fn, invoker: stateMachine, access, flush: () => pending, inject: options.inject?.[state] });

  return {
    // Fetch runs in the Map's iterations: a failed iteration stops the others, as on AWS (map-iterations.ts).
    [STATE.fetch]: stopsWithItsMap(
      lambda(STATE.fetch, fetchFn, observed(STATE.fetch, (input, invocation) => fetch(input as FetchInput, invocation.getRemainingTimeInMillis()))),
      findState(stack.definition, STATE.fetch)!,
      (input) => String((input as FetchInput)?.request?.index ?? 0),
    ),
    [STATE.transform]: lambda(STATE.transform, transformFn, observed(STATE.transform, (input, invocation) => transform(input as TransformInput, invocation.getRemainingTimeInMillis()))),
    [STATE.notifyFailure]: withFaults(notify, options.inject?.[STATE.notifyFailure]),
    [STATE.notifySkipped]: withFaults(notify, options.inject?.[STATE.notifySkipped]),
    [STATE.notifySchemaChanged]: withFaults(notify, options.inject?.[STATE.notifySchemaChanged]),
  };
}

/**
 * The table Transform keeps, as the deployed function finds it: when its environment names a Glue database
 * (`catalog.mode` "projection"), the stack's table of that database, kept in the lake's `_catalog/` and
 * checked against the function's IAM. Undefined when a crawler keeps the table.
 */
function localCatalog(stack: LocalStack, fn: LocalFunction, table: string, dir: string, caller: RoleSession, access: LocalAccess, now: () => number): TableCatalog | undefined {
  const database = fn.environment.GLUE_DATABASE;
  if (!database) return undefined;
  const defined = stack.tables[localGlueArn(`table/${database}/${table}`)];
  if (!defined) throw new Error(`function ${fn.arn} names Glue database ${database}, but the stack defines no table ${table} in it`);
  return new AccessCheckedCatalog(new FsTableCatalog(dir, database, table, defined.tableInput, now), database, table, caller, access);
}

/** A service task (an SNS publish) that fails with the injected errors first, one per call, as the service would. */
function withFaults(handler: TaskHandler, faults: readonly string[] = []): TaskHandler {
  const pending = [...faults];
  return async (input) => {
    const fault = pending.shift();
    if (fault) throw serviceFailure(fault, `${fault} (injected by the local twin)`);
    return handler(input);
  };
}

/** The function a Task state invokes, from its Resource (a function ARN) or its `FunctionName` parameter. */
export function functionOf(stack: LocalStack, state: string): LocalFunction {
  const definition = findState(stack.definition, state);
  const target = definition?.Resource === 'arn:aws:states:::lambda:invoke' ? (definition.Parameters as { FunctionName?: string } | undefined)?.FunctionName : definition?.Resource;
  const fn = target === undefined ? undefined : stack.functions[target];
  if (!fn) throw new Error(`the local twin found no function for Task state ${state} in stack ${stack.stackName}`);
  return fn;
}

/** A state by name, in the definition or inside a Map's or a Parallel's states. */
export function findState(definition: { States: Record<string, StateDefinition> }, name: string): StateDefinition | undefined {
  if (definition.States[name]) return definition.States[name];
  for (const state of Object.values(definition.States)) {
    for (const inner of innerMachines(state)) {
      const found = findState(inner, name);
      if (found) return found;
    }
  }
  return undefined;
}

function requireEnv(fn: LocalFunction, name: string): string {
  const value = fn.environment[name];
  if (!value) throw new Error(`function ${fn.arn} has no ${name} in its environment in the synthesized stack`);
  return value;
}
