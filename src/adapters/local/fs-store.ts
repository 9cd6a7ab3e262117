import type { Dirent } from 'node:fs';
import { access, mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { InvalidInputError, ObjectNotFoundError, StoreRequestError, StoreUnavailableError } from '../../core/errors.js';
import type { CallOptions, ObjectStore, PutOptions, StoredObject } from '../../core/ports.js';
import { storeLimitViolation } from '../../core/store-limits.js';

/** Where a versioned zone keeps replaced objects: `<zone>/.versions/<key>.v<UTC time of replacement>`. */
export const VERSIONS_DIR = '.versions';
const META_SUFFIX = '.meta.json';

export interface FsObjectStoreOptions {
  /**
   * Keep an object that a put replaces, as S3 versioning keeps a noncurrent version (the deployed raw bucket is
   * versioned): moved to `.versions/<key>.v<YYYYMMDDTHHMMSSmmmZ>` with its metadata, so no response is ever lost.
   */
  readonly keepVersions?: boolean;
  readonly now?: () => number;
}

/**
 * A lake zone on disk with the same key layout as S3. Metadata sits beside each object in
 * `<key>.meta.json`. Writes go to a temporary file and are renamed into place, so a reader never
 * sees half an object (as with S3). It refuses what S3 refuses (keys over 1,024 bytes, metadata over
 * 2 KB) with S3's error codes, and a call whose budget has run out fails as transient, as the S3
 * adapter's does.
 */
export class FsObjectStore implements ObjectStore {
  readonly location: string;

  constructor(
    root: string,
    private readonly options: FsObjectStoreOptions = {},
  ) {
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
      if (this.options.keepVersions) await this.keepVersion(key, path);
      await writeFile(`${path}${META_SUFFIX}`, JSON.stringify({ contentType: options.contentType, metadata: options.metadata ?? {} }, null, 2));
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
    const meta = await readFile(`${path}${META_SUFFIX}`, 'utf8').then(JSON.parse, () => ({ metadata: {} }));
    return { body: new Uint8Array(body.buffer, body.byteOffset, body.byteLength), contentType: meta.contentType, metadata: meta.metadata ?? {} };
  }

  /** An object's metadata without its body (S3's HeadObject), or undefined when there is no such object. */
  async head(key: string): Promise<Readonly<Record<string, string>> | undefined> {
    const path = this.pathOf(key);
    try {
      await access(path);
    } catch {
      return undefined;
    }
    const meta = await readFile(`${path}${META_SUFFIX}`, 'utf8').then(JSON.parse, () => ({ metadata: {} }));
    return meta.metadata ?? {};
  }

  async list(prefix: string, options: CallOptions = {}): Promise<string[]> {
    budgetLeft(options, `listing ${this.location}/${prefix}`);
    // Walk only the directory the prefix names (`weather/dt=2026-11-25/hour=18/` walks that hour).
    const start = resolve(this.location, prefix.slice(0, prefix.lastIndexOf('/') + 1));
    if (!start.startsWith(this.location)) throw new InvalidInputError(`prefix escapes the lake: ${prefix}`);
    let entries: Dirent[];
    try {
      entries = await readdir(start, { recursive: true, withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new StoreUnavailableError(`listing ${start} failed: ${(error as Error).message}`, { cause: error });
    }
    return entries
      .filter((entry) => entry.isFile())
      .map((entry) => relative(this.location, join(entry.parentPath, entry.name)).split(sep).join('/'))
      .filter((key) => key.startsWith(prefix) && !key.endsWith(META_SUFFIX) && !key.endsWith('.tmp') && !key.split('/').includes(VERSIONS_DIR))
      .sort();
  }

  /** Moves the object at `path`, if any, with its metadata, to the versions directory. */
  private async keepVersion(key: string, path: string): Promise<void> {
    const at = new Date((this.options.now ?? Date.now)()).toISOString().replace(/[-:.]/g, '');
    const kept = join(this.location, VERSIONS_DIR, `${key}.v${at}`);
    try {
      await mkdir(dirname(kept), { recursive: true });
      await rename(path, kept);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return; // nothing to keep: the first version
      throw error;
    }
    await rename(`${path}${META_SUFFIX}`, `${kept}${META_SUFFIX}`).catch(() => undefined);
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
