import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CatalogRequestError } from '../../core/errors.js';
import type { CatalogColumn, CatalogColumns, TableCatalog } from '../../core/ports.js';
import { serviceError } from '../aws/aws-http.js';
import { classifyGlueError } from '../aws/glue-catalog.js';

/** A table as Glue's GetTable returns it (the fields the twin keeps): its TableInput, with its database and version. */
export interface GlueTableFile {
  readonly Name: string;
  readonly DatabaseName: string;
  readonly VersionId: string;
  readonly UpdateTime: string;
  readonly StorageDescriptor: { readonly Columns: readonly { readonly Name: string; readonly Type: string }[]; readonly [field: string]: unknown };
  readonly PartitionKeys?: readonly { readonly Name: string; readonly Type: string }[];
  readonly Parameters?: Readonly<Record<string, string>>;
  readonly [field: string]: unknown;
}

/** Glue's limits on a column (CreateTable/UpdateTable refuse more with InvalidInputException). */
export const GLUE_COLUMN_LIMITS = { nameBytes: 255, typeBytes: 131_072 } as const;

/** Where the twin keeps a table: `<catalog dir>/<database>/<table>.json`. */
export const catalogFileOf = (catalogDir: string, database: string, table: string) => join(catalogDir, database, `${table}.json`);

/**
 * The twin's data catalog: one table in a JSON file, shaped as Glue's GetTable returns it. The first read
 * creates it from the stack's definition, as `cdk deploy` creates the Glue table. An update is refused as Glue
 * refuses it: when the table changed since the version read (ConcurrentModificationException), or when a
 * column is over Glue's limits (InvalidInputException). Read, compare and write happen without yielding, so
 * two hours updating at once in one process see each other.
 */
export class FsTableCatalog implements TableCatalog {
  readonly location: string;
  private readonly file: string;

  /** @param definition the table as the stack defines it (its TableInput, references resolved). */
  constructor(
    catalogDir: string,
    private readonly database: string,
    private readonly table: string,
    private readonly definition: Readonly<Record<string, unknown>>,
    private readonly now: () => number = Date.now,
  ) {
    this.location = `glue:${database}.${table}`;
    this.file = catalogFileOf(catalogDir, database, table);
  }

  async readColumns(): Promise<CatalogColumns> {
    const table = this.current();
    return { columns: table.StorageDescriptor.Columns.map((c) => ({ name: c.Name, type: c.Type })), version: table.VersionId };
  }

  async writeColumns(columns: readonly CatalogColumn[], version: string): Promise<void> {
    const doing = `updating table ${this.location}`;
    for (const column of columns) {
      const problem =
        Buffer.byteLength(column.name) > GLUE_COLUMN_LIMITS.nameBytes || column.name === ''
          ? `column name "${column.name.slice(0, 40)}..." must be 1 to ${GLUE_COLUMN_LIMITS.nameBytes} bytes`
          : Buffer.byteLength(column.type) > GLUE_COLUMN_LIMITS.typeBytes
            ? `the type of column ${column.name} is over ${GLUE_COLUMN_LIMITS.typeBytes} bytes`
            : undefined;
      if (problem) throw classifyGlueError(serviceError('InvalidInputException', 400, problem, doing), doing, this.location);
    }
    const table = this.current();
    if (table.VersionId !== version) {
      throw classifyGlueError(serviceError('ConcurrentModificationException', 400, 'Update table failed due to concurrent modifications.', doing), doing, this.location);
    }
    const before = new Map(table.StorageDescriptor.Columns.map((c) => [c.Name, c]));
    this.save({
      ...table,
      VersionId: String(Number(table.VersionId) + 1),
      UpdateTime: new Date(this.now()).toISOString(),
      StorageDescriptor: { ...table.StorageDescriptor, Columns: columns.map((c) => ({ ...before.get(c.name), Name: c.name, Type: c.type })) },
    });
  }

  /** The table as held, created from the stack's definition on first use. */
  current(): GlueTableFile {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new CatalogRequestError(`cannot read the twin's table ${this.file}: ${(error as Error).message}`, { cause: error });
      const created = { ...this.definition, Name: this.table, DatabaseName: this.database, VersionId: '1', UpdateTime: new Date(this.now()).toISOString() } as GlueTableFile;
      this.save(created);
      return created;
    }
    try {
      const table = JSON.parse(text) as GlueTableFile;
      if (Array.isArray(table?.StorageDescriptor?.Columns) && typeof table.VersionId === 'string') return table;
    } catch {
      // named below
    }
    throw new CatalogRequestError(`the twin's table ${this.file} is not a Glue table as the twin writes it: restore it, or delete it to start again from the stack's definition (the next hour adds its columns back)`);
  }

  private save(table: GlueTableFile): void {
    mkdirSync(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(table, null, 2) + '\n');
    renameSync(tmp, this.file);
  }
}
