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
import { innerMachines, LOCAL_ACCOUNT, LOCAL_REGION, type AmazonStatesDefinition, type LocalStack, type StateDefinition } from './local-stack.js';
import { findState, localTaskHandlers, type LocalTaskOptions } from './local-tasks.js';
import { InFlight } from './map-iterations.js';
import { writeExecutionRecord } from './execution-log.js';
import { lakePaths } from '../../adapters/local/lake-paths.js';
import { STATE } from '../../contract/state-names.js';
import { causeMessage } from '../format.js';

/** ABORTED: stopped from outside (Ctrl-C), as StopExecution stops one on AWS. */
export type RunStatus = 'SUCCEEDED' | 'SKIPPED' | 'FAILED' | 'ABORTED';

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
  | { kind: 'state-started'; state: string; type: string; attempt: number }
  | { kind: 'state-ended'; state: string; type: string; attempt: number; ms: number; outcome: 'ok' | 'failed'; error?: string; reason?: string }
  | {
      kind: 'state-retry';
      state: string;
      /** The attempt about to run (2 for the first retry) and the most the matching retrier allows. */
      attempt: number;
      maxAttempts: number;
      /** Why: the error's name and message (the status, timeout or refusal). */
      error: string;
      reason?: string;
      /** The wait the deployed state machine takes before it (at most, with full jitter); 0 with --fast. */
      waitSeconds: number;
      jitter: boolean;
      fast: boolean;
    };

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
  /**
   * Stops the execution (Ctrl-C), as StopExecution does: no further state starts, and a step already running
   * finishes its work (a Lambda invocation is not stopped either), so what it stored stays.
   */
  readonly signal?: AbortSignal;
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
  const name = `local-${options.hour.compact}-${randomUUID().slice(0, 8)}`;
  const executionArn = `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:execution:api-lake-local:${name}`;
  const raw = localTaskHandlers({
    execution: { arn: executionArn, hour: options.hour.iso },
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
  const retryOverrides = options.fast ? Object.fromEntries(statesWithRetry(definition).map((name) => [name, 0])) : undefined;
  const executionsDir = lakePaths(options.lakeDir).executions;
  const startedAt = new Date().toISOString();
  const record = { pipeline: options.config.name, hour: options.hour.iso, executionArn, startedAt, pid: process.pid };
  writeExecutionRecord(executionsDir, { ...record, status: 'RUNNING' });
  const execution = machine.run(input as never, {
    overrides: { taskResourceLocalHandlers: handlers as never, retryIntervalOverrides: retryOverrides },
    context: { Execution: { Id: executionArn, Name: name, Input: input as never, StartTime: new Date().toISOString() } },
  });

  const stop = () => execution.abort();
  if (options.signal?.aborted) stop();
  options.signal?.addEventListener('abort', stop, { once: true });

  const entered = new Set<string>();
  const history: unknown[] = [];
  const progress = followProgress(execution.eventLogs, { definition, entered, history, fast: options.fast ?? false, onProgress: options.onProgress });
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
  options.signal?.removeEventListener('abort', stop);
  // Nothing of the execution may still run when it returns (a Map iteration the library started late).
  await inFlight.settled();
  await progress;
  const aborted = options.signal?.aborted === true && terminal === undefined && error !== undefined;
  if (aborted) {
    error = 'ExecutionAborted';
    cause = 'stopped by Ctrl-C (an interrupt)';
  }
  const status: RunStatus = aborted ? 'ABORTED' : error ? 'FAILED' : entered.has(STATE.hourSkipped) ? 'SKIPPED' : 'SUCCEEDED';
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

/** The fields of a notice the state machine published (its JSON message); none for a message that is not JSON. */
export function parseNotice(message: string): { outcome?: string; step?: string; error?: string; cause?: string } {
  try {
    return JSON.parse(message) as { outcome?: string; step?: string; error?: string; cause?: string };
  } catch {
    return {};
  }
}

/** The names of every state with a Retry, those inside a Map's or a Parallel's states included. */
function statesWithRetry(definition: { States: Record<string, StateDefinition> }): string[] {
  return Object.entries(definition.States).flatMap(([name, state]) => {
    return [...(state.Retry ? [name] : []), ...innerMachines(state).flatMap(statesWithRetry)];
  });
}

/** A Retry of the Amazon States Language. */
interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
  JitterStrategy?: string;
}

/**
 * The retry Step Functions takes after `error`, as it chooses it: the first retrier that names the error (or
 * States.ALL, or States.TaskFailed for a Task), unless that retrier's attempts are used up. Counts the attempt.
 */
function nextRetry(state: StateDefinition | undefined, error: string, used: number[]): { retrier: Retrier; attempt: number; waitSeconds: number } | undefined {
  const retriers = (state?.Retry as Retrier[] | undefined) ?? [];
  const index = retriers.findIndex((r) => r.ErrorEquals.includes(error) || r.ErrorEquals.includes('States.ALL') || (state?.Type === 'Task' && r.ErrorEquals.includes('States.TaskFailed') && !error.startsWith('States.')));
  if (index < 0) return undefined;
  const retrier = retriers[index]!;
  const done = used[index] ?? 0;
  if (done >= (retrier.MaxAttempts ?? 3)) return undefined;
  used[index] = done + 1;
  const wait = (retrier.IntervalSeconds ?? 1) * (retrier.BackoffRate ?? 2) ** done;
  return { retrier, attempt: done + 2, waitSeconds: Math.min(wait, retrier.MaxDelaySeconds ?? Infinity) };
}

interface Following {
  readonly definition: { States: Record<string, StateDefinition> };
  readonly entered: Set<string>;
  readonly history: unknown[];
  readonly fast: boolean;
  readonly onProgress?: (event: ProgressEvent) => void;
}

async function followProgress(events: AsyncGenerator<unknown>, { definition, entered, history, fast, onProgress }: Following): Promise<void> {
  const started = new Map<string, number>();
  const attempts = new Map<string, number>();
  // A state's retriers' used attempts, per state and input: each Map iteration retries on its own.
  const retries = new Map<string, number[]>();
  const failed = new Set<string>();
  for await (const raw of events) {
    history.push(raw);
    const event = raw as { type: string; timestamp: number; state?: { name: string; type: string; input?: unknown }; Error?: string; Cause?: unknown };
    const state = event.state?.name;
    if (!state) continue;
    const type = event.state!.type;
    const attempt = attempts.get(state) ?? 1;
    if (event.type === 'StateEntered') {
      entered.add(state);
      started.set(state, event.timestamp);
      onProgress?.({ kind: 'state-started', state, type, attempt });
    } else if (event.type === 'StateExited') {
      if (failed.delete(state)) continue; // a caught failure was already reported
      onProgress?.({ kind: 'state-ended', state, type, attempt, ms: event.timestamp - (started.get(state) ?? event.timestamp), outcome: 'ok' });
    } else if (event.type === 'StateFailed') {
      const key = `${state}\u0000${JSON.stringify(event.state!.input ?? null)}`;
      const used = retries.get(key) ?? [];
      retries.set(key, used);
      const error = event.Error ?? 'States.TaskFailed';
      const retry = nextRetry(findState(definition, state), error, used);
      if (retry) {
        attempts.set(state, retry.attempt);
        const { retrier } = retry;
        onProgress?.({
          kind: 'state-retry',
          state,
          attempt: retry.attempt,
          maxAttempts: (retrier.MaxAttempts ?? 3) + 1,
          error,
          reason: causeMessage(event.Cause),
          waitSeconds: retry.waitSeconds,
          jitter: retrier.JitterStrategy === 'FULL',
          fast,
        });
      } else {
        failed.add(state);
        onProgress?.({ kind: 'state-ended', state, type, attempt, ms: event.timestamp - (started.get(state) ?? event.timestamp), outcome: 'failed', error, reason: causeMessage(event.Cause) });
      }
    } else if (event.type === 'StateRetried') {
      started.set(state, event.timestamp);
    }
  }
}
