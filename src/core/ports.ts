/**
 * The ports the core talks through. AWS adapters (src/adapters/aws) and local adapters
 * (src/adapters/local) implement them; the core never knows which.
 */

export interface StoredObject {
  readonly body: Uint8Array;
  readonly contentType?: string;
  readonly metadata: Readonly<Record<string, string>>;
}

/** One zone of the lake (raw or curated): an S3 bucket in AWS, a directory locally. */
export interface ObjectStore {
  /** Where this store lives, for messages (`s3://bucket` or a path). */
  readonly location: string;
  /** Writes the object whole (readers never see a partial object); overwrites an existing key. */
  put(key: string, body: Uint8Array, options: { contentType: string; metadata?: Record<string, string> }): Promise<void>;
  get(key: string): Promise<StoredObject>;
}

/** Reads the API key of a source. */
export interface SecretStore {
  getApiKey(): Promise<string>;
}

/** What a step logs through: structured, one line per event. */
export interface StepLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
}
