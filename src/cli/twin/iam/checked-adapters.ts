import { serviceError } from '../../../adapters/aws/aws-http.js';
import { classifyGlueError } from '../../../adapters/aws/glue-catalog.js';
import { classifyS3Error } from '../../../adapters/aws/s3-store.js';
import { secretReadError } from '../../../adapters/aws/secrets-manager.js';
import { ObjectNotFoundError } from '../../../core/errors.js';
import type { CallOptions, CatalogColumn, CatalogColumns, ObjectStore, SecretStore, StoredObject, TableCatalog } from '../../../core/ports.js';
import { localGlueArn } from '../local-stack.js';
import { deniedMessage, type LocalAccess, type RoleSession } from './access.js';

/**
 * A lake zone of the twin that answers as the S3 bucket would for this caller: a request its IAM does not
 * allow fails with AccessDenied (403), and a read of a missing object is 404 only for a caller that may
 * also list the bucket; any other caller gets 403, as S3 answers (GetObject, "Permissions").
 */
export class AccessCheckedStore implements ObjectStore {
  readonly location: string;

  constructor(
    private readonly inner: ObjectStore,
    private readonly bucket: string,
    private readonly caller: RoleSession,
    private readonly access: LocalAccess,
  ) {
    this.location = `s3://${bucket}`;
  }

  async put(key: string, body: Uint8Array, options: Parameters<ObjectStore['put']>[2]): Promise<void> {
    this.require('s3:PutObject', `arn:aws:s3:::${this.bucket}/${key}`, `writing ${this.location}/${key}`);
    return this.inner.put(key, body, options);
  }

  async get(key: string): Promise<StoredObject> {
    const doing = `reading ${this.location}/${key}`;
    this.require('s3:GetObject', `arn:aws:s3:::${this.bucket}/${key}`, doing);
    try {
      return await this.inner.get(key);
    } catch (error) {
      if (error instanceof ObjectNotFoundError) this.require('s3:ListBucket', `arn:aws:s3:::${this.bucket}`, doing);
      throw error;
    }
  }

  async list(prefix: string, options?: CallOptions): Promise<string[]> {
    this.require('s3:ListBucket', `arn:aws:s3:::${this.bucket}`, `listing ${this.location}/${prefix}`, { 's3:prefix': prefix });
    return this.inner.list(prefix, options);
  }

  private require(action: string, resource: string, doing: string, context: Record<string, string> = {}): void {
    const decision = this.access.decide(this.caller, action, resource, context);
    if (!decision.allowed) throw classifyS3Error(serviceError('AccessDenied', 403, deniedMessage(this.caller, action, resource, decision), doing), doing);
  }
}

/** The twin's secret, read only when the caller's IAM allows GetSecretValue on its ARN, as Secrets Manager checks it. */
export class AccessCheckedSecretStore implements SecretStore {
  constructor(
    private readonly inner: SecretStore,
    private readonly secretName: string,
    private readonly secretArn: string,
    private readonly caller: RoleSession,
    private readonly access: LocalAccess,
  ) {}

  get keyHint(): string {
    return this.inner.keyHint;
  }

  async getApiKey(): Promise<string> {
    const action = 'secretsmanager:GetSecretValue';
    const decision = this.access.decide(this.caller, action, this.secretArn);
    if (!decision.allowed) {
      const doing = `reading secret ${this.secretName}`;
      throw secretReadError(this.secretName, serviceError('AccessDeniedException', 400, deniedMessage(this.caller, action, this.secretArn, decision), doing));
    }
    return this.inner.getApiKey();
  }
}

/**
 * The twin's table, read and updated only when the caller's IAM allows it as Glue checks it: a table action
 * needs the action on the catalog, the database and the table alike; a refusal is AccessDeniedException.
 */
export class AccessCheckedCatalog implements TableCatalog {
  readonly location: string;

  constructor(
    private readonly inner: TableCatalog,
    private readonly database: string,
    private readonly table: string,
    private readonly caller: RoleSession,
    private readonly access: LocalAccess,
  ) {
    this.location = inner.location;
  }

  async readColumns(options?: CallOptions): Promise<CatalogColumns> {
    this.require('glue:GetTable', `reading table ${this.location}`);
    return this.inner.readColumns(options);
  }

  async writeColumns(columns: readonly CatalogColumn[], version: string, options?: CallOptions): Promise<void> {
    this.require('glue:UpdateTable', `updating table ${this.location}`);
    return this.inner.writeColumns(columns, version, options);
  }

  private require(action: string, doing: string): void {
    for (const resource of [localGlueArn('catalog'), localGlueArn(`database/${this.database}`), localGlueArn(`table/${this.database}/${this.table}`)]) {
      const decision = this.access.decide(this.caller, action, resource);
      if (!decision.allowed) throw classifyGlueError(serviceError('AccessDeniedException', 400, deniedMessage(this.caller, action, resource, decision), doing), doing, this.location);
    }
  }
}
