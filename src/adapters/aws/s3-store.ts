import { ObjectNotFoundError, StoreRequestError, StoreUnavailableError } from '../../core/errors.js';
import type { CallOptions, ObjectStore, PutOptions, StoredObject } from '../../core/ports.js';
import { AwsServiceError, dnsSuffix, errorOf, xmlText, type AwsHttpClient, type AwsHttpRequest, type AwsHttpResponse } from './aws-http.js';

const META_PREFIX = 'x-amz-meta-';

/** One lake zone in one S3 bucket (GetObject and PutObject only). */
export class S3ObjectStore implements ObjectStore {
  readonly location: string;

  /**
   * @param endpoint a custom S3 endpoint, addressed path-style (`http://127.0.0.1:4569`); without one, the
   * bucket's virtual-hosted regional endpoint (`https://bucket.s3.region.amazonaws.com`).
   */
  constructor(
    private readonly http: AwsHttpClient,
    private readonly bucket: string,
    private readonly endpoint?: string,
  ) {
    this.location = `s3://${bucket}`;
  }

  async put(key: string, body: Uint8Array, options: PutOptions): Promise<void> {
    const doing = `writing ${this.location}/${key}`;
    const headers: Record<string, string> = { 'content-type': options.contentType };
    for (const [name, value] of Object.entries(options.metadata ?? {})) headers[META_PREFIX + name.toLowerCase()] = value;
    await this.request({ method: 'PUT', url: this.urlOf(key), headers, body }, doing, options);
  }

  async get(key: string, options: CallOptions = {}): Promise<StoredObject> {
    const response = await this.request({ method: 'GET', url: this.urlOf(key) }, `reading ${this.location}/${key}`, options, key);
    const metadata: Record<string, string> = {};
    for (const [name, value] of Object.entries(response.headers)) {
      if (name.startsWith(META_PREFIX) && typeof value === 'string') metadata[name.slice(META_PREFIX.length)] = value;
    }
    return { body: response.body, contentType: response.headers['content-type'], metadata };
  }

  async list(prefix: string, options: CallOptions = {}): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const query = new URLSearchParams({ 'list-type': '2', prefix, ...(token ? { 'continuation-token': token } : {}) });
      const response = await this.request({ method: 'GET', url: `${this.urlOf('').replace(/\/$/, '')}?${query.toString().replaceAll('+', '%20')}` }, `listing ${this.location}/${prefix}`, options);
      const text = Buffer.from(response.body.buffer, response.body.byteOffset, response.body.byteLength).toString('utf8');
      for (const match of text.matchAll(/<Key>([^<]*)<\/Key>/g)) keys.push(xmlText(match[1])!);
      token = /<IsTruncated>true<\/IsTruncated>/.test(text) ? xmlText(/<NextContinuationToken>([^<]*)<\/NextContinuationToken>/.exec(text)?.[1]) : undefined;
    } while (token);
    return keys;
  }

  /** The object's URL; each key segment percent-encoded (RFC 3986), as SigV4 signs S3 paths. */
  urlOf(key: string): string {
    const path = key.split('/').map(encodeSegment).join('/');
    if (this.endpoint) return `${this.endpoint}/${this.bucket}/${path}`;
    return `https://${this.bucket}.s3.${this.http.region}.${dnsSuffix(this.http.region)}/${path}`;
  }

  private async request(request: AwsHttpRequest, doing: string, options: CallOptions, missingKey?: string): Promise<AwsHttpResponse> {
    let response: AwsHttpResponse;
    try {
      response = await this.http.send(request, options);
    } catch (error) {
      throw classifyS3Error(error, doing);
    }
    if (response.status >= 200 && response.status < 300) return response;
    const error = errorOf(response, doing);
    if (missingKey !== undefined && (error.code === 'NoSuchKey' || error.status === 404)) {
      throw new ObjectNotFoundError(`${this.location}/${missingKey} does not exist`);
    }
    throw classifyS3Error(error, doing);
  }
}

function encodeSegment(segment: string): string {
  return encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * Throttling, 5xx, timeouts and network failures (no response at all) are transient (StoreUnavailableError);
 * any other error response (access denied, a key too long, ...) is terminal (StoreRequestError), with S3's
 * error code in its message and the service error as its cause.
 */
export function classifyS3Error(error: unknown, doing: string): Error {
  if (error instanceof AwsServiceError) return error.transient ? new StoreUnavailableError(error.message, { cause: error }) : new StoreRequestError(error.message, { cause: error });
  return new StoreUnavailableError(`${doing} failed: ${(error as Error)?.name ?? 'Error'}: ${(error as Error)?.message}`, { cause: error });
}
