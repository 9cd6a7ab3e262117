import type { PipelineConfig } from '../src/core/config.js';
import { MAX_IN_PROCESS_ATTEMPTS, MAX_IN_PROCESS_RETRY_AFTER_SECONDS } from '../src/core/http.js';

/** Store failures (S3 5xx, throttling) are retried this often by the state machine, on top of API retries. */
export const STORE_RETRY = { maxAttempts: 3, intervalSeconds: 2, backoffRate: 2 } as const;
/** CDK's own Retry for Lambda service exceptions on every LambdaInvoke (2 s, x2, 6 attempts). */
const LAMBDA_SERVICE_RETRY = { maxAttempts: 6, intervalSeconds: 2, backoffRate: 2 } as const;
/**
 * Lambda throttling (Lambda.TooManyRequestsException: the account's or function's concurrency is used up), which
 * CDK's default Retry does not cover: retried with full jitter so throttled executions do not return in step.
 */
export const LAMBDA_THROTTLE_RETRY = { maxAttempts: 6, intervalSeconds: 2, backoffRate: 2, maxDelaySeconds: 60 } as const;
/**
 * A Task waits this much longer than its function's own timeout before Step Functions gives up on the
 * invocation (States.Timeout). Without a TimeoutSeconds a Task waits for ever for a lost invocation.
 */
export const TASK_TIMEOUT_MARGIN_SECONDS = 30;
/** Time to write the raw object and finish after the response arrived. */
const FETCH_STORE_MARGIN_SECONDS = 20;
/** The transform reads, converts and writes one hour; 5 minutes holds about 1M records at 1769 MB. */
export const TRANSFORM_TIMEOUT_SECONDS = 300;
/** A failed SNS publish of a notification is retried this often. */
export const NOTIFY_RETRY_ATTEMPTS = { maxAttempts: 3, intervalSeconds: 2, backoffRate: 2 } as const;
/** Slack for the notification states (their retries included) and Step Functions' own latency. */
const NOTIFY_MARGIN_SECONDS = 120;

/** The Fetch Lambda's timeout: every in-process attempt at the request timeout, one short Retry-After wait, the store. */
export function fetchTimeoutSeconds(config: PipelineConfig): number {
  return MAX_IN_PROCESS_ATTEMPTS * config.source.timeoutSeconds + MAX_IN_PROCESS_RETRY_AFTER_SECONDS + FETCH_STORE_MARGIN_SECONDS;
}

function retryWaits(retry: { maxAttempts: number; intervalSeconds: number; backoffRate: number; maxDelaySeconds?: number }): number {
  let total = 0;
  for (let i = 0; i < retry.maxAttempts; i++) {
    total += Math.min(retry.intervalSeconds * retry.backoffRate ** i, retry.maxDelaySeconds ?? Infinity);
  }
  return total;
}

/**
 * The longest a successful execution can take when every retrier is used up to its last attempt.
 * The state machine timeout is set above it so a timeout always means something is stuck.
 */
export function worstCaseExecutionSeconds(config: PipelineConfig): number {
  const lambdaRetries = LAMBDA_SERVICE_RETRY.maxAttempts + LAMBDA_THROTTLE_RETRY.maxAttempts;
  const lambdaWaits = retryWaits(LAMBDA_SERVICE_RETRY) + retryWaits(LAMBDA_THROTTLE_RETRY);
  const fetchAttempts = 1 + config.retry.maxAttempts + STORE_RETRY.maxAttempts + lambdaRetries;
  const fetchWaits = retryWaits(config.retry) + retryWaits(STORE_RETRY) + lambdaWaits;
  const transformAttempts = 1 + STORE_RETRY.maxAttempts + lambdaRetries;
  const transformWaits = retryWaits(STORE_RETRY) + lambdaWaits;
  return (
    fetchAttempts * taskTimeoutSeconds(fetchTimeoutSeconds(config)) +
    fetchWaits +
    transformAttempts * taskTimeoutSeconds(TRANSFORM_TIMEOUT_SECONDS) +
    transformWaits +
    NOTIFY_MARGIN_SECONDS
  );
}

/** A Task's TimeoutSeconds for a function with this timeout. */
export function taskTimeoutSeconds(functionTimeoutSeconds: number): number {
  return functionTimeoutSeconds + TASK_TIMEOUT_MARGIN_SECONDS;
}
