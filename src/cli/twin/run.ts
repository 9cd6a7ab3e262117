import '../../polyfills.js';
import { randomUUID } from 'node:crypto';
import { StateMachine } from 'aws-local-stepfunctions';
import type { PipelineConfig } from '../../core/config.js';
import type { HttpClient } from '../../core/ports.js';
import type { Hour } from '../../core/layout.js';
import type { Notification } from '../../adapters/local/file-notifier.js';
import { FULL_VALIDATION, taskStateNames } from './stack-cache.js';
import { runtimeAccess } from './iam/runtime-access.js';
import { MAX_STATE_PAYLOAD_BYTES, TerminalExecutionError, type InjectedFaults } from './local-lambda.js';
import { LOCAL_ACCOUNT, LOCAL_REGION, type AmazonStatesDefinition, type LocalStack, type StateDefinition } from './local-stack.js';
import { localTaskHandlers, type LocalTaskOptions } from './local-tasks.js';
import { InFlight } from './map-iterations.js';
import { writeExecutionRecord } from './execution-log.js';
import { lakePaths } from '../../adapters/local/lake-paths.js';
import { STATE } from '../../contract/state-names.js';

export type RunStatus = 'SUCCEEDED' | 'SKIPPED' | 'FAILED';

export interface RunResult {
  readonly status: RunStatus;
  readonly hour: string;
  readonly executionArn: string;
  readonly output?: {
    /** The hour's requests as Transform got them: each request's pages (or, to reprocess, the raw keys). */
    transformInput?: { chains?: { request: number; firstKey: string; pages: number; bytes: number }[]; rawKeys: string[] };
    transform?: { curatedKey: string | null; records: number; columnCount: number; columns: string[] };
  };
  readonly error?: string;
  readonly cause?: string;
  readonly notifications: Notification[];
  /** What AWS would accept but lose for want of a permission (logs, traces): the run itself is unaffected. */
  readonly warnings: string[];
  /** Every execution event with its state inputs and outputs: the local execution history. */
  readonly history: unknown[];
}

/** One line of progress: a state starting or ending, a retry, the outcome. */
export type ProgressEvent =
  | { kind: 'state-started'; state: string; attempt: number }
  | { kind: 'state-ended'; state: string; attempt: number; ms: number; outcome: 'ok' | 'failed'; error?: string }
  | { kind: 'state-retry'; state: string; attempt: number };

export interface RunOptions {
  readonly config: PipelineConfig;
  /** The synthesized stack (loadLocalStack): the definition to run and the IAM every call is checked against. */
  readonly stack: LocalStack;
  readonly lakeDir: string;
  readonly hour: Hour;
  /** Retry waits of zero (tests, demos). Without it the deployed waits apply. */
  readonly fast?: boolean;
  readonly apiKey?: string;
  readonly http?: HttpClient;
  readonly now?: () => number;
  readonly onProgress?: (event: ProgressEvent) => void;
  readonly onNotification?: (notification: Notification, path: string) => void;
  /** The raw execution input; defaults to `{"time": <hour>}` as EventBridge sends it. */
  readonly input?: unknown;
  /** Adds `"allowCurrentData": true` to the default input: a "now"-only source may store under a past hour. */
  readonly allowCurrentData?: boolean;
  /** Replace the on-disk zones (fault-injection tests). */
  readonly stores?: LocalTaskOptions['stores'];
  /** The stack came from `loadLocalStack`, which validated its definition when it was synthesized: skip validating again. */
  readonly validated?: boolean;
  /** Errors to raise in place of running a state, as Lambda or Step Functions would (tests of every Retry/Catch). */
  readonly inject?: InjectedFaults;
}

/** A stack AWS would refuse to deploy is refused here too, before anything runs. */
function assertDeployable(stack: LocalStack): string[] {
  const { errors, warnings } = runtimeAccess(stack);
  if (errors.length) throw new Error(`the local twin will not run stack ${stack.stackName}: ${errors.join('; ')}`);
  return warnings;
}

/** Every Task state must have a local handler: one without would silently call real AWS. */
export function assertEveryTaskHasHandler(definition: AmazonStatesDefinition, handlers: Record<string, unknown>): void {
  const missing = taskStateNames(definition).filter((name) => !(name in handlers));
  if (missing.length) {
    throw new Error(`the local twin has no handler for Task state(s) ${missing.join(', ')}: add one in src/cli/twin/local-tasks.ts before running`);
  }
}

/** Runs the synthesized state machine for one hour, locally, with the real step code. */
export async function runHour(options: RunOptions): Promise<RunResult> {
  const notifications: Notification[] = [];
  const { definition } = options.stack;
  const warnings = assertDeployable(options.stack);
  let terminal: TerminalExecutionError | undefined;
  const raw = localTaskHandlers({
    config: options.config,
    stack: options.stack,
    inject: options.inject,
    lakeDir: options.lakeDir,
    apiKey: options.apiKey,
    http: options.http,
    now: options.now,
    stores: options.stores,
    onNotification: (n, path) => {
      notifications.push(n);
      options.onNotification?.(n, path);
    },
  });
  // A failure no Catch may handle ends the execution, as on AWS (the library would let Catch States.ALL take it).
  const inFlight = new InFlight();
  const handlers = Object.fromEntries(
    Object.entries(raw).map(([state, handler]) => [
      state,
      inFlight.track((input: unknown) =>
        handler(input).catch((error: unknown) => {
          if (error instanceof TerminalExecutionError) {
            terminal ??= error;
            execution.abort();
          }
          throw error;
        }),
      ),
    ]),
  );
  assertEveryTaskHasHandler(definition, handlers);
  // The library mutates the definition it is given: hand it a copy.
  const validationOptions = options.validated ? { noValidate: true } : FULL_VALIDATION;
  const machine = new StateMachine(structuredClone(definition) as never, { validationOptions });
  const input = options.input !== undefined ? options.input : { time: options.hour.iso.replace('.000Z', 'Z'), ...(options.allowCurrentData ? { allowCurrentData: true } : {}) };
  const inputBytes = Buffer.byteLength(JSON.stringify(input ?? null), 'utf8');
  if (inputBytes > MAX_STATE_PAYLOAD_BYTES) {
    throw new Error(`the execution input is ${inputBytes} bytes; Step Functions refuses to start an execution with more than ${MAX_STATE_PAYLOAD_BYTES}`);
  }
  const name = `local-${options.hour.compact}-${randomUUID().slice(0, 8)}`;
  const executionArn = `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:execution:api-lake-local:${name}`;
  const retryOverrides = options.fast ? Object.fromEntries(statesWithRetry(definition).map((name) => [name, 0])) : undefined;
  const executionsDir = lakePaths(options.lakeDir).executions;
  const startedAt = new Date().toISOString();
  const record = { pipeline: options.config.name, hour: options.hour.iso, executionArn, startedAt, pid: process.pid };
  writeExecutionRecord(executionsDir, { ...record, status: 'RUNNING' });
  const execution = machine.run(input as never, {
    overrides: { taskResourceLocalHandlers: handlers as never, retryIntervalOverrides: retryOverrides },
    context: { Execution: { Id: executionArn, Name: name, Input: input as never, StartTime: new Date().toISOString() } },
  });

  const entered = new Set<string>();
  const history: unknown[] = [];
  const progress = followProgress(execution.eventLogs, entered, history, options.onProgress);
  let output: RunResult['output'];
  let error: string | undefined;
  let cause: string | undefined;
  try {
    output = (await execution.result) as RunResult['output'];
  } catch (failure) {
    // ExecutionError wraps the Fail state's error: its name is Error, its message is Cause.
    const f = failure as Error & { cause?: Error };
    error = terminal?.error ?? f.cause?.name ?? f.name;
    cause = terminal?.detail ?? f.cause?.message ?? f.message;
  }
  // Nothing of the execution may still run when it returns (a Map iteration the library started late).
  await inFlight.settled();
  await progress;
  const status: RunStatus = error ? 'FAILED' : entered.has(STATE.hourSkipped) ? 'SKIPPED' : 'SUCCEEDED';
  // What the notification said (the failed step, the skip's cause) goes in the history, as the execution's events hold it on AWS.
  const notice = notifications.map((n) => parseNotice(n.message)).findLast((m) => m.outcome === 'FAILED' || m.outcome === 'SKIPPED');
  writeExecutionRecord(executionsDir, {
    ...record,
    status,
    stoppedAt: new Date().toISOString(),
    step: notice?.step,
    error: error ?? notice?.error,
    cause: cause ?? notice?.cause,
    records: output?.transform?.records,
    curatedKey: output?.transform?.curatedKey,
  });
  return { status, hour: options.hour.iso, executionArn, output, error, cause, notifications, warnings, history };
}

function parseNotice(message: string): { outcome?: string; step?: string; error?: string; cause?: string } {
  try {
    return JSON.parse(message) as { outcome?: string; step?: string; error?: string; cause?: string };
  } catch {
    return {};
  }
}

/** The names of every state with a Retry, those inside a Map's or a Parallel's states included. */
function statesWithRetry(definition: { States: Record<string, StateDefinition> }): string[] {
  return Object.entries(definition.States).flatMap(([name, state]) => {
    const nested = [...((state.Branches as { States: Record<string, StateDefinition> }[] | undefined) ?? []), ...((state.ItemProcessor ?? state.Iterator) ? [(state.ItemProcessor ?? state.Iterator) as { States: Record<string, StateDefinition> }] : [])];
    return [...(state.Retry ? [name] : []), ...nested.flatMap(statesWithRetry)];
  });
}

async function followProgress(
  events: AsyncGenerator<unknown>,
  entered: Set<string>,
  history: unknown[],
  onProgress?: (event: ProgressEvent) => void,
): Promise<void> {
  const started = new Map<string, number>();
  const attempts = new Map<string, number>();
  const failed = new Set<string>();
  for await (const raw of events) {
    history.push(raw);
    const event = raw as { type: string; timestamp: number; state?: { name: string; type: string }; Error?: string };
    const state = event.state?.name;
    if (!state) continue;
    const attempt = attempts.get(state) ?? 1;
    if (event.type === 'StateEntered') {
      entered.add(state);
      started.set(state, event.timestamp);
      onProgress?.({ kind: 'state-started', state, attempt });
    } else if (event.type === 'StateExited') {
      if (failed.delete(state)) continue; // a caught failure was already reported
      onProgress?.({ kind: 'state-ended', state, attempt, ms: event.timestamp - (started.get(state) ?? event.timestamp), outcome: 'ok' });
    } else if (event.type === 'StateFailed') {
      failed.add(state);
      onProgress?.({ kind: 'state-ended', state, attempt, ms: event.timestamp - (started.get(state) ?? event.timestamp), outcome: 'failed', error: event.Error });
    } else if (event.type === 'StateRetried') {
      failed.delete(state);
      attempts.set(state, attempt + 1);
      started.set(state, event.timestamp);
      onProgress?.({ kind: 'state-retry', state, attempt: attempt + 1 });
    }
  }
}
