/**
 * Every failure in the pipeline is one of these classes. Each sets `this.name` explicitly: Step Functions
 * matches Retry/Catch on the error name, and a minifier would otherwise mangle class names.
 *
 * `transient` failures are retried (by the state machine); every other failure is terminal and reported.
 */
export abstract class PipelineError extends Error {
  /** True when a later attempt can succeed without anyone changing anything. */
  abstract readonly transient: boolean;
}

/** The API could not be reached or said "not now": connection failure, DNS, timeout, 5xx, 429. */
export class ApiUnavailableError extends PipelineError {
  readonly transient = true;
  constructor(
    message: string,
    readonly detail: { status?: number; retryAfterSeconds?: number } = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'ApiUnavailableError';
  }
}

/** 401/403: the API refused the key. Retrying will not help; the operator must fix the key. */
export class ApiAuthError extends PipelineError {
  readonly transient = false;
  constructor(message: string, readonly status: number) {
    super(message);
    this.name = 'ApiAuthError';
  }
}

/** Any other 4xx: the request itself is wrong (bad parameters, unknown location, ...). */
export class ApiRequestError extends PipelineError {
  readonly transient = false;
  constructor(message: string, readonly status: number) {
    super(message);
    this.name = 'ApiRequestError';
  }
}

/** The response was received and stored, but it is not what the config says it is. */
export class InvalidResponseError extends PipelineError {
  readonly transient = false;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'InvalidResponseError';
  }
}

/** The response is larger than the configured limit; nothing is stored. */
export class ResponseTooLargeError extends PipelineError {
  readonly transient = false;
  constructor(message: string) {
    super(message);
    this.name = 'ResponseTooLargeError';
  }
}

/** The records do not fit the table: a flattening collision, or a column whose type changed. */
export class SchemaError extends PipelineError {
  readonly transient = false;
  constructor(message: string) {
    super(message);
    this.name = 'SchemaError';
  }
}

/** The step input is missing the scheduled time, or carries something that is not one. */
export class InvalidInputError extends PipelineError {
  readonly transient = false;
  constructor(message: string) {
    super(message);
    this.name = 'InvalidInputError';
  }
}

/** An object the step needs is not in the store (terminal: rerunning the step alone will not create it). */
export class ObjectNotFoundError extends PipelineError {
  readonly transient = false;
  constructor(message: string) {
    super(message);
    this.name = 'ObjectNotFoundError';
  }
}

/** The object store (S3 or the local lake) failed; the state machine retries it. */
export class StoreUnavailableError extends PipelineError {
  readonly transient = true;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}

/**
 * The object store refused a request for good: access denied, a key or metadata over S3's limits, a
 * missing bucket. The service's error code is in the message and the cause; retrying will not help.
 */
export class StoreRequestError extends PipelineError {
  readonly transient = false;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'StoreRequestError';
  }
}

/** The API key could not be read from the secret store. */
export class SecretUnavailableError extends PipelineError {
  readonly transient = false;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SecretUnavailableError';
  }
}

/** Secrets Manager failed for now (5xx, throttling, network, the step's time budget): the state machine retries it. */
export class SecretStoreUnavailableError extends PipelineError {
  readonly transient = true;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SecretStoreUnavailableError';
  }
}

/** The pipeline configuration is invalid; `problems` lists every problem with its JSON path. */
export class ConfigError extends Error {
  constructor(readonly problems: string[], origin = 'configuration') {
    super(`Invalid ${origin}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}
