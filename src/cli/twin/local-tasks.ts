import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { EnvSecretStore } from '../../adapters/local/env-secret.js';
import { FsObjectStore } from '../../adapters/local/fs-store.js';
import { lakePaths } from '../../adapters/local/lake-paths.js';
import { writeNotification, type Notification } from '../../adapters/local/file-notifier.js';
import type { PipelineConfig } from '../../core/config.js';
import { fetchHttpClient, type HttpClient } from '../../core/http.js';
import type { ObjectStore, StepLogger } from '../../core/ports.js';
import { redact } from '../../core/redact.js';
import { runFetchStep, type FetchInput } from '../../core/steps/fetch.js';
import { runTransformStep, type TransformInput } from '../../core/steps/transform.js';
import { STATE } from '../../../infra/state-names.js';

export interface LocalTaskOptions {
  readonly config: PipelineConfig;
  readonly lakeDir: string;
  /** Fixed API key (the demo API); otherwise API_LAKE_API_KEY. */
  readonly apiKey?: string;
  readonly http?: HttpClient;
  readonly now?: () => number;
  readonly onNotification?: (notification: Notification, path: string) => void;
  /** Replace the on-disk zones (fault-injection tests); default: `<lake>/raw` and `<lake>/curated`. */
  readonly stores?: { raw?: ObjectStore; curated?: ObjectStore };
}

type TaskHandler = (input: unknown) => Promise<unknown>;

/**
 * The local implementation of every Task state, keyed by state name: the same core step functions the
 * Lambdas run, wired to on-disk adapters; the SNS publishes write notification files.
 */
export function localTaskHandlers(options: LocalTaskOptions): Record<string, TaskHandler> {
  const { config, lakeDir } = options;
  const paths = lakePaths(lakeDir);
  const raw = options.stores?.raw ?? new FsObjectStore(paths.raw);
  const curated = options.stores?.curated ?? new FsObjectStore(paths.curated);
  const secrets = new EnvSecretStore(process.env, options.apiKey);
  const now = options.now ?? Date.now;
  const secretValues = [options.apiKey, process.env.API_LAKE_API_KEY];
  // Log lines are appended in order; each step waits for its lines before it returns.
  let pending: Promise<void> = Promise.resolve();
  const logger = (step: string): StepLogger => {
    const write = (level: string) => (message: string, fields?: Record<string, unknown>) => {
      const line = redact(JSON.stringify({ level, step, source: config.source.name, message, ...fields, timestamp: new Date(now()).toISOString() }), secretValues);
      pending = pending.then(() => mkdir(paths.logs, { recursive: true })).then(() => appendFile(join(paths.logs, 'steps.jsonl'), line + '\n'));
    };
    return { info: write('INFO'), warn: write('WARN') };
  };

  const notify: TaskHandler = async (input) => {
    const { TopicArn, Subject, Message } = input as { TopicArn: string; Subject: string; Message: unknown };
    // Step Functions serializes an object Message to JSON before SNS gets it; do the same.
    const notification = { topicArn: TopicArn, subject: Subject, message: typeof Message === 'string' ? Message : JSON.stringify(Message) };
    const path = await writeNotification(paths.notifications, notification, new Date(now()));
    options.onNotification?.(notification, path);
    return { MessageId: path };
  };

  return {
    [STATE.fetch]: asLambda(
      (input) =>
        runFetchStep(input as FetchInput, {
          source: config.source,
          raw,
          secrets,
          http: options.http ?? fetchHttpClient,
          now,
          sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
          logger: logger(STATE.fetch),
        }),
      () => pending,
    ),
    [STATE.transform]: asLambda(
      (input) => runTransformStep(input as TransformInput, { source: config.source, table: config.table, raw, curated, now, logger: logger(STATE.transform) }),
      () => pending,
    ),
    [STATE.notifyFailure]: notify,
    [STATE.notifySkipped]: notify,
  };
}

/**
 * Makes a local function fail the way a Lambda invocation does: Step Functions sees the error's name as
 * `Error` and a JSON `{errorType, errorMessage, trace}` as `Cause`.
 */
function asLambda(run: (input: unknown) => Promise<unknown>, flush: () => Promise<void>): TaskHandler {
  return async (input) => {
    try {
      return await run(input);
    } catch (error) {
      const err = error instanceof Error ? error : new Error(String(error));
      const failure = new Error(JSON.stringify({ errorType: err.name, errorMessage: err.message, trace: [`${err.name}: ${err.message}`] }));
      failure.name = err.name;
      throw failure;
    } finally {
      await flush();
    }
  };
}
