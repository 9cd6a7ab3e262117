import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { InvalidInputError, ObjectNotFoundError, StoreUnavailableError } from '../../core/errors.js';
import type { ObjectStore, StoredObject } from '../../core/ports.js';

/**
 * A lake zone on disk with the same key layout as S3. Metadata sits beside each object in
 * `<key>.meta.json`. Writes go to a temporary file and are renamed into place, so a reader never
 * sees half an object (as with S3).
 */
export class FsObjectStore implements ObjectStore {
  readonly location: string;

  constructor(root: string) {
    this.location = resolve(root);
  }

  async put(key: string, body: Uint8Array, options: { contentType: string; metadata?: Record<string, string> }): Promise<void> {
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

  async get(key: string): Promise<StoredObject> {
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
