import { GetObjectCommand, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { ObjectNotFoundError, StoreUnavailableError } from '../../core/errors.js';
import type { ObjectStore, StoredObject } from '../../core/ports.js';

/** One lake zone in one S3 bucket. */
export class S3ObjectStore implements ObjectStore {
  readonly location: string;

  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
  ) {
    this.location = `s3://${bucket}`;
  }

  async put(key: string, body: Uint8Array, options: { contentType: string; metadata?: Record<string, string> }): Promise<void> {
    try {
      await this.client.send(
        new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: options.contentType, Metadata: options.metadata }),
      );
    } catch (error) {
      throw classifyS3Error(error, `writing ${this.location}/${key}`);
    }
  }

  async get(key: string): Promise<StoredObject> {
    try {
      const response = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      const body = await response.Body!.transformToByteArray();
      return { body, contentType: response.ContentType, metadata: response.Metadata ?? {} };
    } catch (error) {
      if (error instanceof S3ServiceException && (error.name === 'NoSuchKey' || error.$metadata.httpStatusCode === 404)) {
        throw new ObjectNotFoundError(`${this.location}/${key} does not exist`);
      }
      throw classifyS3Error(error, `reading ${this.location}/${key}`);
    }
  }
}

/** Throttling, 5xx and network failures are transient; anything else (access denied, ...) is terminal. */
export function classifyS3Error(error: unknown, doing: string): Error {
  const status = error instanceof S3ServiceException ? error.$metadata.httpStatusCode : undefined;
  const name = (error as Error)?.name ?? 'Error';
  const transient =
    status === undefined || status >= 500 || status === 429 || /Throttl|SlowDown|RequestTimeout|Timeout|ECONN|EPIPE|socket/i.test(`${name} ${(error as Error)?.message}`);
  if (transient) return new StoreUnavailableError(`${doing} failed: ${name}: ${(error as Error)?.message}`, { cause: error });
  const wrapped = new Error(`${doing} failed: ${name}: ${(error as Error)?.message}`, { cause: error });
  wrapped.name = name;
  return wrapped;
}
