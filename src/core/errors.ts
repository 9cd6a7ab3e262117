/**
 * Every failure in the pipeline is one of these classes. Each names itself with a field (`name = '...'`):
 * Step Functions matches Retry/Catch on the error name, and a minifier would otherwise mangle class names.
 * Every one takes ErrorOptions and passes `{ cause }` on, so the failure underneath is never lost.
 *
 * `transient` failures are retried (by the state machine); every other failure is terminal and reported.
 */
export abstract class PipelineError extends Error {
  /** True when a later attempt can succeed without anyone changing anything. */
  abstract readonly transient: boolean;
  abstract override readonly name: string;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/** The API could not be reached or said "not now": connection failure, DNS, timeout, 5xx, 429. */
export class ApiUnavailableError extends PipelineError {
  override readonly name = 'ApiUnavailableError';
  readonly transient = true;
  constructor(
    message: string,
    readonly detail: { status?: number; retryAfterSeconds?: number } = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** 401/403: the API refused the key. Retrying will not help; the operator must fix the key. */
export class ApiAuthError extends PipelineError {
  override readonly name = 'ApiAuthError';
  readonly transient = false;
}

/** Any other 4xx: the request itself is wrong (bad parameters, unknown location, ...). */
export class ApiRequestError extends PipelineError {
  override readonly name = 'ApiRequestError';
  readonly transient = false;
}

/** The response was received and stored, but it is not what the config says it is. */
export class InvalidResponseError extends PipelineError {
  override readonly name = 'InvalidResponseError';
  readonly transient = false;
}

/**
 * A request chain cannot go on as configured: more pages than `maxPages`, a next page on another host (the key
 * is never sent there), the same page asked for twice, a cursor that is not a value. The pages so far are kept.
 */
export class PaginationError extends PipelineError {
  override readonly name = 'PaginationError';
  readonly transient = false;
}

/** The response is larger than the configured limit; nothing is stored. */
export class ResponseTooLargeError extends PipelineError {
  override readonly name = 'ResponseTooLargeError';
  readonly transient = false;
}

/** The records do not fit the table: a flattening collision, or a column whose type changed. */
export class SchemaError extends PipelineError {
  override readonly name = 'SchemaError';
  readonly transient = false;
}

/** The step input is missing the scheduled time, or carries something that is not one. */
export class InvalidInputError extends PipelineError {
  override readonly name = 'InvalidInputError';
  readonly transient = false;
}

/** An object the step needs is not in the store (terminal: rerunning the step alone will not create it). */
export class ObjectNotFoundError extends PipelineError {
  override readonly name = 'ObjectNotFoundError';
  readonly transient = false;
}

/** The object store (S3 or the local lake) failed; the state machine retries it. */
export class StoreUnavailableError extends PipelineError {
  override readonly name = 'StoreUnavailableError';
  readonly transient = true;
}

/**
 * The object store refused a request for good: access denied, a key or metadata over S3's limits, a
 * missing bucket. The service's error code is in the message and the cause; retrying will not help.
 */
export class StoreRequestError extends PipelineError {
  override readonly name = 'StoreRequestError';
  readonly transient = false;
}

/** The data catalog (Glue) failed for now: throttling, a server error, no answer. The state machine retries it. */
export class CatalogUnavailableError extends PipelineError {
  override readonly name = 'CatalogUnavailableError';
  readonly transient = true;
}

/** The catalog's table changed between reading and updating it (another hour updated it): read it again and retry. */
export class CatalogConflictError extends PipelineError {
  override readonly name = 'CatalogConflictError';
  readonly transient = true;
}

/**
 * The catalog refused a request for good: access denied, the table missing, input it does not accept. The
 * service's error code is in the message and the cause.
 */
export class CatalogRequestError extends PipelineError {
  override readonly name = 'CatalogRequestError';
  readonly transient = false;
}

/** The API key could not be read from the secret store: missing, denied, empty or malformed. */
export class SecretUnavailableError extends PipelineError {
  override readonly name = 'SecretUnavailableError';
  readonly transient = false;
}

/** Secrets Manager failed for now (5xx, throttling, network, the step's time budget): the state machine retries it. */
export class SecretStoreUnavailableError extends PipelineError {
  override readonly name = 'SecretStoreUnavailableError';
  readonly transient = true;
}

/** The pipeline configuration is invalid; `problems` lists every problem with its JSON path. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly problems: string[],
    origin = 'configuration',
    options?: ErrorOptions,
  ) {
    super(`Invalid ${origin}:\n${problems.map((p) => `  - ${p}`).join('\n')}`, options);
  }

  /** A config file that cannot be read at all: its one problem, which names the file, is the whole message. */
  static unreadable(problem: string, options?: ErrorOptions): ConfigError {
    const error = new ConfigError([problem], undefined, options);
    error.message = problem;
    return error;
  }
}
