import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { InvalidInputError, ObjectNotFoundError, StoreRequestError, StoreUnavailableError } from '../../core/errors.js';
import type { CallOptions, ObjectStore, PutOptions, StoredObject } from '../../core/ports.js';
import { storeLimitViolation } from '../../core/store-limits.js';

/**
 * A lake zone on disk with the same key layout as S3. Metadata sits beside each object in
 * `<key>.meta.json`. Writes go to a temporary file and are renamed into place, so a reader never
 * sees half an object (as with S3). It refuses what S3 refuses (keys over 1,024 bytes, metadata over
 * 2 KB) with S3's error codes, and a call whose budget has run out fails as transient, as the S3
 * adapter's does.
 */
export class FsObjectStore implements ObjectStore {
  readonly location: string;

  constructor(root: string) {
    this.location = resolve(root);
  }

  async put(key: string, body: Uint8Array, options: PutOptions): Promise<void> {
    const doing = `writing ${this.location}/${key}`;
    const violation = storeLimitViolation(key, options.metadata);
    if (violation) throw new StoreRequestError(`${doing} failed: ${violation.code} (HTTP 400): ${violation.message}`);
    budgetLeft(options, doing);
    const path = this.pathOf(key);
    const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    try {
      await mkdir(dirname(path), { recursive: true });
      await writeFile(tmp, body);
      await writeFile(`${path}.meta.json`, JSON.stringify({ contentType: options.contentType, metadata: options.metadata ?? {} }, null, 2));
      await rename(tmp, path);
    } catch (error) {
      throw new StoreUnavailableError(`writing ${path} failed: ${(error as Error).message}`, { cause: error });
    }
  }

  async get(key: string, options: CallOptions = {}): Promise<StoredObject> {
    budgetLeft(options, `reading ${this.location}/${key}`);
    const path = this.pathOf(key);
    let body: Buffer;
    try {
      body = await readFile(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new ObjectNotFoundError(`${path} does not exist`);
      throw new StoreUnavailableError(`reading ${path} failed: ${(error as Error).message}`, { cause: error });
    }
    const meta = await readFile(`${path}.meta.json`, 'utf8').then(JSON.parse, () => ({ metadata: {} }));
    return { body: new Uint8Array(body.buffer, body.byteOffset, body.byteLength), contentType: meta.contentType, metadata: meta.metadata ?? {} };
  }

  private pathOf(key: string): string {
    const path = resolve(join(this.location, key));
    if (!path.startsWith(this.location + '/')) throw new InvalidInputError(`object key escapes the lake: ${key}`);
    return path;
  }
}

/** A call whose time budget has run out fails as the S3 adapter's does: transient, so the state machine retries it. */
function budgetLeft(options: CallOptions, doing: string): void {
  if (options.signal?.aborted) throw new StoreUnavailableError(`${doing} failed: the step's time budget ran out`, { cause: options.signal.reason });
}
