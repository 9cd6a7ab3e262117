import type { PipelineConfig } from '../src/core/config.js';
import { MAX_IN_PROCESS_ATTEMPTS, MAX_IN_PROCESS_RETRY_AFTER_SECONDS } from '../src/core/http.js';
import { requestsOf } from '../src/core/source-config.js';

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

/**
 * Time a paginated source's Fetch gets for more pages in one invocation, on top of one page's worst case: pages
 * past it go on in the next invocation (a continuation), so the window trades invocations for Lambda time.
 */
export const PAGINATION_WINDOW_SECONDS = 240;
/**
 * The longest an execution may run, whatever the bound below: one day. The bound grows with the fan-out and,
 * for a paginated source, with maxPages (every invocation storing a single page at worst); past a day an hour
 * is stuck, not slow, and ends TIMED_OUT (alarmed). Step Functions allows a year.
 */
export const MAX_EXECUTION_SECONDS = 86_400;

/** The Fetch Lambda's timeout: every in-process attempt at the request timeout, one short Retry-After wait, the store; and the pagination window. */
export function fetchTimeoutSeconds(config: PipelineConfig): number {
  const page = MAX_IN_PROCESS_ATTEMPTS * config.source.timeoutSeconds + MAX_IN_PROCESS_RETRY_AFTER_SECONDS + FETCH_STORE_MARGIN_SECONDS;
  return Math.min(900, page + (config.source.pagination ? PAGINATION_WINDOW_SECONDS : 0));
}

function retryWaits(retry: { maxAttempts: number; intervalSeconds: number; backoffRate: number; maxDelaySeconds?: number }): number {
  let total = 0;
  for (let i = 0; i < retry.maxAttempts; i++) {
    total += Math.min(retry.intervalSeconds * retry.backoffRate ** i, retry.maxDelaySeconds ?? Infinity);
  }
  return total;
}

/**
 * The longest a successful execution can take when every retrier is used up to its last attempt: every request
 * chain (the fan-out's, MaxConcurrency at a time) with every invocation of it (maxPages for a paginated source)
 * at its worst, then Transform. The state machine timeout is set to it, at most MAX_EXECUTION_SECONDS, so a
 * timeout means something is stuck.
 */
export function worstCaseExecutionSeconds(config: PipelineConfig): number {
  const { source } = config;
  const rounds = Math.ceil(requestsOf(source).length / (source.fanOut?.concurrency ?? 1));
  const invocations = source.pagination ? source.maxPages : 1;
  const lambdaRetries = LAMBDA_SERVICE_RETRY.maxAttempts + LAMBDA_THROTTLE_RETRY.maxAttempts;
  const lambdaWaits = retryWaits(LAMBDA_SERVICE_RETRY) + retryWaits(LAMBDA_THROTTLE_RETRY);
  const fetchAttempts = 1 + config.retry.maxAttempts + STORE_RETRY.maxAttempts + lambdaRetries;
  const fetchWaits = retryWaits(config.retry) + retryWaits(STORE_RETRY) + lambdaWaits;
  const transformAttempts = 1 + STORE_RETRY.maxAttempts + lambdaRetries;
  const transformWaits = retryWaits(STORE_RETRY) + lambdaWaits;
  const chain = invocations * (fetchAttempts * taskTimeoutSeconds(fetchTimeoutSeconds(config)) + fetchWaits);
  return Math.min(MAX_EXECUTION_SECONDS, rounds * chain + transformAttempts * taskTimeoutSeconds(TRANSFORM_TIMEOUT_SECONDS) + transformWaits + NOTIFY_MARGIN_SECONDS);
}

/** A Task's TimeoutSeconds for a function with this timeout. */
export function taskTimeoutSeconds(functionTimeoutSeconds: number): number {
  return functionTimeoutSeconds + TASK_TIMEOUT_MARGIN_SECONDS;
}
