import { CatalogConflictError, CatalogRequestError, CatalogUnavailableError } from '../../core/errors.js';
import type { CallOptions, CatalogColumn, CatalogColumns, TableCatalog } from '../../core/ports.js';
import { AwsServiceError, errorOf, type AwsHttpClient } from './aws-http.js';

/** The fields of a table GetTable returns that UpdateTable's TableInput accepts; GetTable returns more (CreateTime, VersionId, ...), which UpdateTable refuses. */
export const TABLE_INPUT_FIELDS = [
  'Name',
  'Description',
  'Owner',
  'LastAccessTime',
  'LastAnalyzedTime',
  'Retention',
  'StorageDescriptor',
  'PartitionKeys',
  'ViewOriginalText',
  'ViewExpandedText',
  'TableType',
  'Parameters',
  'TargetTable',
] as const;

/** Glue errors worth another attempt besides the throttling and 5xx aws-http.ts knows (Glue sends these as 400). */
const TRANSIENT_GLUE = new Set(['InternalServiceException', 'OperationTimeoutException', 'FederationSourceRetryableException', 'ResourceNotReadyException']);

interface GlueTable {
  readonly VersionId?: string;
  readonly StorageDescriptor?: { Columns?: { Name: string; Type?: string; Comment?: string; Parameters?: Record<string, string> }[] } & Record<string, unknown>;
  readonly [field: string]: unknown;
}

/**
 * The curated table in the Glue Data Catalog, over Glue's JSON protocol (GetTable, UpdateTable). An update
 * sends the table as read, with only its columns replaced, and the version read: Glue refuses it with
 * ConcurrentModificationException when another update came in between.
 */
export class GlueTableCatalog implements TableCatalog {
  readonly location: string;
  /** The table as last read, by version: an update starts from it. */
  private read: { version: string; table: GlueTable } | undefined;

  /** @param endpoint Glue's base URL (`glueEndpoint(region)`). */
  constructor(
    private readonly http: AwsHttpClient,
    private readonly endpoint: string,
    private readonly database: string,
    private readonly table: string,
  ) {
    this.location = `glue:${database}.${table}`;
  }

  async readColumns(options: CallOptions = {}): Promise<CatalogColumns> {
    const { Table } = (await this.call('GetTable', { DatabaseName: this.database, Name: this.table }, `reading table ${this.location}`, options)) as { Table: GlueTable };
    const version = String(Table.VersionId ?? '');
    this.read = { version, table: Table };
    return { columns: (Table.StorageDescriptor?.Columns ?? []).map((c) => ({ name: c.Name, type: c.Type ?? '' })), version };
  }

  async writeColumns(columns: readonly CatalogColumn[], version: string, options: CallOptions = {}): Promise<void> {
    if (this.read?.version !== version) throw new CatalogConflictError(`table ${this.location} was not read at version ${version} by this step`);
    const table = this.read.table;
    const input: Record<string, unknown> = {};
    for (const field of TABLE_INPUT_FIELDS) if (table[field] !== undefined) input[field] = table[field];
    // A column keeps its comment and parameters; only the type of a retyped one changes.
    const before = new Map((table.StorageDescriptor?.Columns ?? []).map((c) => [c.Name, c]));
    input.StorageDescriptor = { ...table.StorageDescriptor, Columns: columns.map((c) => ({ ...before.get(c.name), Name: c.name, Type: c.type })) };
    // VersionId makes the update conditional (Glue refuses it with ConcurrentModificationException if the table changed).
    await this.call('UpdateTable', { DatabaseName: this.database, TableInput: input, ...(version ? { VersionId: version } : {}) }, `updating table ${this.location}`, options);
    this.read = undefined;
  }

  private async call(operation: string, body: unknown, doing: string, options: CallOptions): Promise<unknown> {
    let failure: unknown;
    try {
      const response = await this.http.send(
        {
          method: 'POST',
          url: `${this.endpoint}/`,
          headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `AWSGlue.${operation}` },
          body: JSON.stringify(body),
        },
        options,
      );
      if (response.status === 200) return JSON.parse(Buffer.from(response.body).toString('utf8'));
      failure = errorOf(response, doing);
    } catch (error) {
      failure = error;
    }
    throw classifyGlueError(failure, doing, this.location);
  }
}

/**
 * A Glue failure as a pipeline error: a concurrent update is a conflict (read again); throttling, server errors
 * and no answer are transient; the rest (access denied, the table missing, ...) terminal, with Glue's code in
 * the message and the service error as the cause.
 */
export function classifyGlueError(error: unknown, doing: string, location: string): Error {
  if (error instanceof AwsServiceError) {
    if (error.code === 'ConcurrentModificationException') return new CatalogConflictError(error.message, { cause: error });
    if (error.transient || TRANSIENT_GLUE.has(error.code)) return new CatalogUnavailableError(error.message, { cause: error });
    const hint =
      error.code === 'EntityNotFoundException'
        ? `: the stack defines table ${location}; if it was deleted, \`npx cdk deploy\` creates it again`
        : error.code === 'AccessDeniedException'
          ? ': the Transform role may read and update only its own table (and Lake Formation, if the account uses it, must grant it too)'
          : '';
    return new CatalogRequestError(`${error.message}${hint}`, { cause: error });
  }
  return new CatalogUnavailableError(`${doing} failed: ${(error as Error)?.name ?? 'Error'}: ${(error as Error)?.message}`, { cause: error });
}
