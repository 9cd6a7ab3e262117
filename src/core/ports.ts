/**
 * The ports the core talks through. AWS adapters (src/adapters/aws) and local adapters
 * (src/adapters/local) implement them; the core never knows which.
 */

export interface StoredObject {
  readonly body: Uint8Array;
  readonly contentType?: string;
  readonly metadata: Readonly<Record<string, string>>;
}

/** S3's limits, which every object store holds to (S3 refuses more with KeyTooLongError and MetadataTooLarge). */
export const STORE_LIMITS = {
  /** Bytes of a key, UTF-8. */
  keyBytes: 1024,
  /** Bytes of user metadata: the UTF-8 bytes of every name and value (2 KB, read as 2,000 to be safe). */
  metadataBytes: 2000,
} as const;

/** What a call may be given besides its arguments. */
export interface CallOptions {
  /**
   * Aborted when the step's time budget runs out (the function's remaining time, less what it needs to
   * report): the call then fails as transient, before the platform would time the function out.
   */
  readonly signal?: AbortSignal;
}

export interface PutOptions extends CallOptions {
  readonly contentType: string;
  readonly metadata?: Record<string, string>;
}

/** One zone of the lake (raw or curated): an S3 bucket in AWS, a directory locally. */
export interface ObjectStore {
  /** Where this store lives, for messages (`s3://bucket` or a path). */
  readonly location: string;
  /** Writes the object whole (readers never see a partial object); overwrites an existing key. */
  put(key: string, body: Uint8Array, options: PutOptions): Promise<void>;
  get(key: string, options?: CallOptions): Promise<StoredObject>;
  /** The keys under `prefix`, in key order (S3's ListObjectsV2); earlier versions of an object are not listed. */
  list(prefix: string, options?: CallOptions): Promise<string[]>;
}

/** A column of the catalog's table: its name and its type as Athena's DDL writes it (`double`, `array<string>`). */
export interface CatalogColumn {
  readonly name: string;
  readonly type: string;
}

/** The table's columns as the catalog holds them (not its partition keys), and the version they were read at. */
export interface CatalogColumns {
  readonly columns: readonly CatalogColumn[];
  readonly version: string;
}

/**
 * The curated table in the data catalog: a Glue table in AWS, a file in the twin's lake. The stack defines
 * the table (location, partition projection, the lineage columns); the pipeline only adds columns to it.
 */
export interface TableCatalog {
  /** The table, for messages (`glue:<database>.<table>`). */
  readonly location: string;
  readColumns(options?: CallOptions): Promise<CatalogColumns>;
  /**
   * Replaces the table's columns, and nothing else of it, if it is still at `version`; otherwise fails with
   * CatalogConflictError (another execution changed it in between).
   */
  writeColumns(columns: readonly CatalogColumn[], version: string, options?: CallOptions): Promise<void>;
}

/** Reads the API key of a source. */
export interface SecretStore {
  getApiKey(options?: CallOptions): Promise<string>;
  /** How an operator gives this store a valid key, for the message when the API refuses one (`store a valid one with ...`). */
  readonly keyHint: string;
}

/* The HTTP port of the Fetch step (the API call). */

/** What the HTTP port returns: status, headers and the body bytes exactly as received. */
export interface HttpResponse {
  readonly status: number;
  readonly header: (name: string) => string | null;
  readonly body: Uint8Array;
}

export interface HttpRequest {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  readonly maxBytes: number;
  /** The step's time budget: the request is abandoned when it runs out, as on its own timeout. */
  readonly signal?: AbortSignal;
}

/** The HTTP port: one request, its response whatever the status. The adapter is src/adapters/http/fetch-client.ts; tests may pass another. */
export type HttpClient = (request: HttpRequest) => Promise<HttpResponse>;

/** What a step logs through: structured, one line per event. */
export interface StepLogger {
  info(message: string, fields?: Record<string, unknown>): void;
}
