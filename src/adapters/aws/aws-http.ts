import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import aws4 from 'aws4';

/**
 * The few AWS calls the Lambda handlers make (S3 GetObject/PutObject, Secrets Manager GetSecretValue), as
 * SigV4-signed requests over node:https. The AWS SDK v3 clients were most of each handler bundle and of its
 * import time at a cold start (docs/benchmarks.md). Signing is `aws4` (node:crypto, 15 KB); retries, timeouts
 * and error codes are here. The CLI, which runs on a workstation, keeps the SDK.
 */

export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** Lambda puts the function role's credentials in the environment; nothing else is looked up. */
export function credentialsFromEnv(env: NodeJS.ProcessEnv = process.env): AwsCredentials {
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) {
    throw new AwsServiceError('CredentialsMissing', 'AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set (Lambda sets them from the function role)');
  }
  return { accessKeyId, secretAccessKey, sessionToken: env.AWS_SESSION_TOKEN || undefined };
}

/**
 * A custom base URL for a service: `AWS_ENDPOINT_URL_<SERVICE>` or `AWS_ENDPOINT_URL`, the variables the
 * AWS SDKs and CLI read (tests point them at 127.0.0.1). Undefined in Lambda.
 */
export function endpointOverride(service: 'S3' | 'SECRETS_MANAGER' | 'GLUE', env: NodeJS.ProcessEnv = process.env): string | undefined {
  return (env[`AWS_ENDPOINT_URL_${service}`] || env.AWS_ENDPOINT_URL)?.replace(/\/+$/, '') || undefined;
}

/** Secrets Manager's base URL: the override, else the regional endpoint. */
export function secretsManagerEndpoint(region: string, env: NodeJS.ProcessEnv = process.env): string {
  return endpointOverride('SECRETS_MANAGER', env) ?? `https://secretsmanager.${region}.${dnsSuffix(region)}`;
}

/** Glue's base URL: the override, else the regional endpoint. */
export function glueEndpoint(region: string, env: NodeJS.ProcessEnv = process.env): string {
  return endpointOverride('GLUE', env) ?? `https://glue.${region}.${dnsSuffix(region)}`;
}

/** The DNS suffix of the partition a region is in (aws and aws-us-gov: amazonaws.com; aws-cn: amazonaws.com.cn). */
export function dnsSuffix(region: string): string {
  return region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
}

/** Error codes the SDK retries although their status is 400: S3's RequestTimeout, the JSON protocols' throttling. */
const TRANSIENT_CODES = /^(Throttling|ThrottlingException|ThrottledException|TooManyRequestsException|RequestLimitExceeded|RequestThrottled|RequestThrottledException|SlowDown|RequestTimeout|RequestTimeoutException)$/;

/** An error response from an AWS service (or a missing precondition), named by its error code. */
export class AwsServiceError extends Error {
  /** Worth another attempt: a server error, 429, or a 400 whose code says throttled or timed out. */
  readonly transient: boolean;

  constructor(
    readonly code: string,
    message: string,
    readonly status?: number,
    /** The service's own message, without what was being done. */
    readonly detail?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = code;
    this.transient = status !== undefined && (status >= 500 || status === 429 || (status === 400 && TRANSIENT_CODES.test(code)));
  }
}

export interface AwsHttpOptions {
  /** The SigV4 signing name: `s3`, `secretsmanager`. */
  readonly service: string;
  readonly region: string;
  /** Where the credentials come from (default: the environment, as Lambda sets it); the CLI passes the SDK's chain. */
  readonly credentials?: () => AwsCredentials | Promise<AwsCredentials>;
  /** Attempts for throttling, server errors (5xx), network errors and timeouts; default 3, like the SDK's. */
  readonly maxAttempts?: number;
  /** An attempt fails when the connection is silent this long; default 30 s. */
  readonly idleTimeoutMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

export interface AwsHttpRequest {
  readonly method: 'GET' | 'PUT' | 'POST';
  readonly url: string;
  readonly headers?: Record<string, string>;
  readonly body?: Uint8Array | string;
}

export interface AwsHttpResponse {
  readonly status: number;
  /** Lowercase names. */
  readonly headers: IncomingHttpHeaders;
  readonly body: Uint8Array;
}

/** Signs and sends requests to one AWS service, retrying the failures worth retrying. */
export class AwsHttpClient {
  readonly region: string;
  private readonly options: Required<Omit<AwsHttpOptions, 'credentials'>> & { credentials: () => AwsCredentials | Promise<AwsCredentials> };

  constructor(options: AwsHttpOptions) {
    this.region = options.region;
    this.options = {
      maxAttempts: 3,
      idleTimeoutMs: 30_000,
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      random: Math.random,
      credentials: () => credentialsFromEnv(),
      ...options,
    };
  }

  /**
   * The response to the last attempt, whatever its status. Throws the last network error or timeout when no
   * attempt got one. When `signal` aborts (the step's time budget ran out), the request in flight is
   * abandoned and no other is made: it fails as a `TimeoutError`, which callers treat as transient.
   */
  async send(request: AwsHttpRequest, options: { signal?: AbortSignal } = {}): Promise<AwsHttpResponse> {
    const { maxAttempts, sleep, random } = this.options;
    const { signal } = options;
    for (let attempt = 1; ; attempt++) {
      if (signal?.aborted) throw budgetSpent(signal);
      let response: AwsHttpResponse | undefined;
      let failure: unknown;
      try {
        response = await this.attempt(request, await this.options.credentials(), signal);
      } catch (error) {
        failure = signal?.aborted ? budgetSpent(signal) : error;
      }
      const retryable = response === undefined || (response.status >= 400 && errorOf(response, '').transient);
      if (!retryable || attempt >= maxAttempts || signal?.aborted) {
        if (response) return response;
        throw failure;
      }
      // Full jitter from 100 ms, doubling, at most 20 s: the SDK's standard retry strategy.
      await sleep(random() * Math.min(20_000, 100 * 2 ** attempt));
    }
  }

  private attempt(request: AwsHttpRequest, credentials: AwsCredentials, signal: AbortSignal | undefined): Promise<AwsHttpResponse> {
    const { service, region, idleTimeoutMs } = this.options;
    const url = new URL(request.url);
    const body = typeof request.body === 'string' ? Buffer.from(request.body) : request.body && Buffer.from(request.body.buffer, request.body.byteOffset, request.body.byteLength);
    // aws4 signs the body's SHA-256 (x-amz-content-sha256 for S3): S3 rejects a body that does not match it.
    const signed = aws4.sign(
      { service, region, method: request.method, host: url.host, path: url.pathname + url.search, headers: { ...request.headers }, body: body ?? '' },
      credentials,
    );
    const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
    return new Promise((resolve, reject) => {
      const req = send({ protocol: url.protocol, hostname: url.hostname, port: url.port, method: request.method, path: signed.path, headers: signed.headers, signal }, (res) => {
        // With a declared length the body is copied into one buffer as it arrives, never held twice.
        const declared = res.headers['content-length'] === undefined ? undefined : Number(res.headers['content-length']);
        const whole = declared === undefined ? undefined : Buffer.allocUnsafe(declared);
        const chunks: Buffer[] = [];
        let length = 0;
        res.on('data', (chunk: Buffer) => {
          if (whole && length + chunk.length <= whole.length) chunk.copy(whole, length);
          else chunks.push(chunk);
          length += chunk.length;
        });
        res.on('end', () => {
          if (declared !== undefined && declared !== length) {
            reject(Object.assign(new Error(`response body had ${length} bytes, ${declared} declared`), { name: 'IncompleteBody' }));
            return;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: whole ?? Buffer.concat(chunks, length) });
        });
        res.on('error', reject);
      });
      req.setTimeout(idleTimeoutMs, () => req.destroy(Object.assign(new Error(`no data for ${idleTimeoutMs} ms`), { name: 'TimeoutError' })));
      req.on('error', reject);
      req.end(body);
    });
  }
}

/** The failure of a request abandoned because the step's time budget ran out: transient, like any timeout. */
function budgetSpent(signal: AbortSignal): Error {
  return Object.assign(new Error("the step's time budget ran out before the request finished", { cause: signal.reason }), { name: 'TimeoutError' });
}

/** The error code and message of an AWS error response: S3's XML or a JSON protocol's body. */
export function errorOf(response: AwsHttpResponse, doing: string): AwsServiceError {
  const text = Buffer.from(response.body.buffer, response.body.byteOffset, response.body.byteLength).toString('utf8');
  const header = String(response.headers['x-amzn-errortype'] ?? '').split(':')[0];
  let code = header || /<Code>([^<]*)<\/Code>/.exec(text)?.[1];
  let message = xmlText(/<Message>([^<]*)<\/Message>/.exec(text)?.[1]);
  if (text.startsWith('{')) {
    try {
      const body = JSON.parse(text) as Record<string, unknown>;
      code ||= String(body.__type ?? body.code ?? '').split('#').pop() || undefined;
      message ||= String(body.Message ?? body.message ?? '') || undefined;
    } catch {
      // not JSON after all: keep what the header said
    }
  }
  code ||= response.status === 404 ? 'NotFound' : `Http${response.status}`;
  return serviceError(code, response.status, message, doing);
}

const XML_ENTITIES: Record<string, string> = { '&quot;': '"', '&apos;': "'", '&lt;': '<', '&gt;': '>', '&amp;': '&' };
/** XML character data as text: S3 escapes the quotes around the resource in an AccessDenied message. */
export const xmlText = (value: string | undefined) => value?.replace(/&(quot|apos|lt|gt|amp);/g, (entity) => XML_ENTITIES[entity]!);

/** An error response as the service names it: `<doing> failed: <Code> (HTTP <status>): <message>`. */
export function serviceError(code: string, status: number, message: string | undefined, doing: string): AwsServiceError {
  return new AwsServiceError(code, `${doing} failed: ${code} (HTTP ${status})${message ? `: ${message}` : ''}`, status, message);
}
