import { deniedMessage, type LocalAccess, type RoleSession } from './iam/access.js';
import type { LocalFunction } from './local-stack.js';

/** A Task state's local implementation: the state's effective input in, its result out. */
export type TaskHandler = (input: unknown) => Promise<unknown>;

/** Step Functions' limit on a state's input and output: 262,144 bytes of UTF-8 JSON. */
export const MAX_STATE_PAYLOAD_BYTES = 262_144;

/** What a local function gets besides its input, as Lambda's context gives it. */
export interface LocalInvocation {
  /** Milliseconds left before the function's configured timeout. */
  getRemainingTimeInMillis(): number;
}

/**
 * Errors the twin raises in place of running a state (each once, in order), by state name: the names Lambda
 * and Step Functions produce (`Lambda.TooManyRequestsException`, `Lambda.ServiceException`, `Lambda.Unknown`,
 * `Sandbox.Timedout`, `States.Timeout`, `States.DataLimitExceeded`), or any error a step throws, by name.
 */
export type InjectedFaults = Readonly<Record<string, readonly string[]>>;

/** An error as Step Functions reports it: `Error` is the name, `Cause` the message. */
export function serviceFailure(name: string, cause: string): Error {
  const failure = new Error(cause);
  failure.name = name;
  return failure;
}

/** A failure no Catch may handle (States.DataLimitExceeded): the twin ends the execution FAILED with it. */
export class TerminalExecutionError extends Error {
  constructor(
    readonly error: string,
    readonly detail: string,
    options?: ErrorOptions,
  ) {
    super(detail, options);
    this.name = error; // the error name Step Functions sees: States.Timeout, Lambda.Unknown, ...
  }
}

export interface LocalLambdaOptions {
  readonly fn: LocalFunction;
  /** Who invokes it: the state machine's role, which needs lambda:InvokeFunction on it. */
  readonly invoker: RoleSession;
  readonly access: LocalAccess;
  /** Waits for the step's log lines before the invocation returns. */
  readonly flush: () => Promise<void>;
  readonly inject?: readonly string[];
}

/**
 * Runs a local function the way Step Functions invokes a Lambda: the state machine's role must be allowed
 * to invoke it; the function's configured timeout ends it as `Sandbox.Timedout`; its input and result are
 * held to the 256 KB state limit; and a failure reaches Retry/Catch with the error's name as `Error` and
 * Lambda's `{errorType, errorMessage, trace}` as `Cause`.
 */
export function asLocalLambda(run: (input: unknown, invocation: LocalInvocation) => Promise<unknown>, options: LocalLambdaOptions): TaskHandler {
  const { fn, invoker, access } = options;
  const faults = [...(options.inject ?? [])];
  return async (input) => {
    const decision = access.decide(invoker, 'lambda:InvokeFunction', fn.arn);
    if (!decision.allowed) {
      throw serviceFailure(
        'Lambda.AWSLambdaException',
        `${deniedMessage(invoker, 'lambda:InvokeFunction', fn.arn, decision)} (Service: AWSLambda; Status Code: 403; Error Code: AccessDeniedException; Request ID: local)`,
      );
    }
    assertWithinStateLimit(input, `the input of ${fn.arn}`);
    const fault = faults.shift();
    if (fault) throw injected(fault, fn);
    const timeoutMs = fn.timeoutSeconds * 1000;
    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    // The step's own budget (stepBudget) ends its calls before this; a step busy past it is timed out as Lambda would.
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(lambdaError(serviceFailure('Sandbox.Timedout', `Task timed out after ${fn.timeoutSeconds.toFixed(2)} seconds`))), timeoutMs);
    });
    try {
      const invocation: LocalInvocation = { getRemainingTimeInMillis: () => Math.max(0, timeoutMs - (Date.now() - started)) };
      const result = await Promise.race([run(input, invocation).catch((error: unknown) => Promise.reject(lambdaError(error))), timedOut]);
      assertWithinStateLimit(result, `the result of ${fn.arn}`);
      return result;
    } finally {
      clearTimeout(timer);
      await options.flush();
    }
  };
}

function assertWithinStateLimit(value: unknown, what: string): void {
  const bytes = Buffer.byteLength(JSON.stringify(value ?? null), 'utf8');
  if (bytes > MAX_STATE_PAYLOAD_BYTES) {
    throw new TerminalExecutionError('States.DataLimitExceeded', `${what} is ${bytes} bytes, over Step Functions' limit of ${MAX_STATE_PAYLOAD_BYTES} bytes for a state's input or output`);
  }
}

/** An error in the shape a Lambda invocation gives it: name as `Error`, Lambda's JSON as `Cause`. */
function lambdaError(error: unknown): Error {
  if (error instanceof TerminalExecutionError) return error;
  const err = error instanceof Error ? error : new Error(String(error));
  return serviceFailure(err.name, JSON.stringify({ errorType: err.name, errorMessage: err.message, trace: [`${err.name}: ${err.message}`] }));
}

function injected(fault: string, fn: LocalFunction): Error {
  if (fault === 'Sandbox.Timedout') return lambdaError(serviceFailure(fault, `Task timed out after ${fn.timeoutSeconds.toFixed(2)} seconds`));
  if (fault === 'States.DataLimitExceeded') return new TerminalExecutionError(fault, 'The state/task returned a result with a size exceeding the maximum number of bytes service limit (injected by the local twin).');
  if (fault === 'States.Timeout') return serviceFailure(fault, 'The task timed out (injected by the local twin).');
  if (fault === 'Lambda.Unknown') return serviceFailure(fault, 'The cause of the error is unknown (injected by the local twin).');
  if (fault.startsWith('Lambda.')) {
    const status = fault === 'Lambda.TooManyRequestsException' ? 429 : 500;
    return serviceFailure(fault, `${fault.slice('Lambda.'.length)} (Service: AWSLambda; Status Code: ${status}; injected by the local twin)`);
  }
  // An error of the step itself, as its code would throw it.
  return lambdaError(serviceFailure(fault, `${fault} (injected by the local twin)`));
}
