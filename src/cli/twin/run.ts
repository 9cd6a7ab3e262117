import '../../polyfills.js';
import { randomUUID } from 'node:crypto';
import { StateMachine } from 'aws-local-stepfunctions';
import type { PipelineConfig } from '../../core/config.js';
import type { HttpClient } from '../../core/http.js';
import type { Hour } from '../../core/layout.js';
import type { Notification } from '../../adapters/local/file-notifier.js';
import { FULL_VALIDATION, LOCAL_ACCOUNT, LOCAL_REGION, taskStateNames, type AmazonStatesDefinition } from './definition.js';
import { localTaskHandlers, type LocalTaskOptions } from './local-tasks.js';
import { STATE } from '../../../infra/state-names.js';

export type RunStatus = 'SUCCEEDED' | 'SKIPPED' | 'FAILED';

export interface RunResult {
  readonly status: RunStatus;
  readonly hour: string;
  readonly executionArn: string;
  readonly output?: {
    fetch?: { rawKeys: string[]; bytes: number };
    transform?: { curatedKey: string | null; records: number; columns: string[] };
  };
  readonly error?: string;
  readonly cause?: string;
  readonly notifications: Notification[];
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
  readonly definition: AmazonStatesDefinition;
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
  /** Replace the on-disk zones (fault-injection tests). */
  readonly stores?: LocalTaskOptions['stores'];
  /** The definition came from `loadDefinition`, which validated it when it was synthesized: skip validating again. */
  readonly validated?: boolean;
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
  const handlers = localTaskHandlers({
    config: options.config,
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
  assertEveryTaskHasHandler(options.definition, handlers);
  // The library mutates the definition it is given: hand it a copy.
  const validationOptions = options.validated ? { noValidate: true } : FULL_VALIDATION;
  const machine = new StateMachine(structuredClone(options.definition) as never, { validationOptions });
  const input = options.input !== undefined ? options.input : { time: options.hour.iso.replace('.000Z', 'Z') };
  const name = `local-${options.hour.compact}-${randomUUID().slice(0, 8)}`;
  const executionArn = `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:execution:api-lake-local:${name}`;
  const retryOverrides = options.fast
    ? Object.fromEntries(Object.entries(options.definition.States).filter(([, s]) => s.Retry).map(([n]) => [n, 0]))
    : undefined;
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
    error = f.cause?.name ?? f.name;
    cause = f.cause?.message ?? f.message;
  }
  await progress;
  const status: RunStatus = error ? 'FAILED' : entered.has(STATE.hourSkipped) ? 'SKIPPED' : 'SUCCEEDED';
  return { status, hour: options.hour.iso, executionArn, output, error, cause, notifications, history };
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
