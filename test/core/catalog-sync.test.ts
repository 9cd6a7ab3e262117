import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FsTableCatalog } from '../../src/adapters/local/fs-catalog.js';
import { catalogColumnsFor, CATALOG_SYNC_ATTEMPTS, syncCatalog } from '../../src/core/catalog-sync.js';
import { CatalogConflictError } from '../../src/core/errors.js';
import type { CatalogColumn, TableCatalog } from '../../src/core/ports.js';
import type { TableSchema } from '../../src/core/table-schema.js';
import { tempDir } from '../helpers/temp-dirs.js';

const LINEAGE: CatalogColumn[] = [
  { name: 'lake_scheduled_hour', type: 'timestamp' },
  { name: 'lake_ingested_at', type: 'timestamp' },
  { name: 'lake_raw_key', type: 'string' },
  { name: 'lake_current_data', type: 'boolean' },
];
const schemaOf = (columns: Record<string, string>): TableSchema => ({
  table: 't',
  columns: Object.fromEntries(Object.entries(columns).map(([name, type]) => [name, { type, since: '2026-11-25T18:00:00.000Z' }])),
});
const definition = { Name: 't', StorageDescriptor: { Columns: LINEAGE.map((c) => ({ Name: c.name, Type: c.type })), Location: 's3://b/t/' }, PartitionKeys: [{ Name: 'dt', Type: 'string' }] };
const fsCatalog = () => new FsTableCatalog(tempDir('api-lake-catalog-'), 'db', 't', definition);

describe('catalogColumnsFor', () => {
  it('adds the schema columns the table lacks before the lineage columns, and keeps every column it has', () => {
    const current = [{ name: 'old', type: 'string' }, ...LINEAGE];
    const { columns, added, retyped } = catalogColumnsFor(current, schemaOf({ a: 'double', tags: 'array<string>', lake_raw_key: 'string' }));
    expect(columns.map((c) => c.name)).toEqual(['old', 'a', 'tags', ...LINEAGE.map((c) => c.name)]);
    expect(added).toEqual(['a double', 'tags array<string>']);
    expect(retyped).toEqual([]);
  });

  it("takes the schema's type where the table's differs (the schema is what the files hold)", () => {
    const { columns, retyped } = catalogColumnsFor([{ name: 'reading', type: 'double' }], schemaOf({ reading: 'string' }));
    expect(columns).toEqual([{ name: 'reading', type: 'string' }]);
    expect(retyped).toEqual(['reading double -> string']);
  });

  it('changes nothing when the table holds every column with its type, in any order', () => {
    fc.assert(
      fc.property(fc.shuffledSubarray(LINEAGE, { minLength: LINEAGE.length }), (order) => {
        const next = catalogColumnsFor(order, schemaOf(Object.fromEntries(LINEAGE.map((c) => [c.name, c.type]))));
        expect([next.added, next.retyped, next.columns]).toEqual([[], [], order]);
      }),
    );
  });
});

describe('syncCatalog with the twin catalog', () => {
  it('creates the table from the stack definition on first use and adds the columns once', async () => {
    const catalog = fsCatalog();
    expect(await syncCatalog(catalog, schemaOf({ a: 'double' }))).toEqual({ added: ['a double'], retyped: [] });
    expect(await syncCatalog(catalog, schemaOf({ a: 'double' }))).toEqual({ added: [], retyped: [] });
    expect((await catalog.readColumns()).version).toBe('2');
  });

  it('loses no column when hours update the table at once: a stale version is refused and read again', async () => {
    const catalog = fsCatalog();
    const names = Array.from({ length: 12 }, (_, i) => `c${i}`);
    // Twelve hours at once, each with one new column; three attempts each are not always enough for twelve
    // writers, so an hour whose attempts all conflict fails with CatalogConflictError (the state machine retries it).
    const results = await Promise.allSettled(names.map((name) => syncCatalog(catalog, schemaOf({ [name]: 'bigint' }))));
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(CatalogConflictError);
    expect(results.some((r) => r.status === 'fulfilled')).toBe(true);
    for (const [i, name] of names.entries()) if (results[i]!.status === 'rejected') await syncCatalog(catalog, schemaOf({ [name]: 'bigint' }));
    const { columns } = await catalog.readColumns();
    expect(columns.map((c) => c.name).sort()).toEqual([...names, ...LINEAGE.map((c) => c.name)].sort());
  });

  it(`gives up after ${CATALOG_SYNC_ATTEMPTS} conflicts in a row, leaving the retry to the state machine`, async () => {
    let reads = 0;
    const busy: TableCatalog = {
      location: 'glue:db.t',
      readColumns: async () => ({ columns: [], version: String(++reads) }),
      writeColumns: async () => {
        throw new CatalogConflictError('changed in between');
      },
    };
    await expect(syncCatalog(busy, schemaOf({ a: 'double' }))).rejects.toBeInstanceOf(CatalogConflictError);
    expect(reads).toBe(CATALOG_SYNC_ATTEMPTS);
  });

  it('reports the change of an update that went through although its answer was lost (the retried request conflicts with it)', async () => {
    const inner = fsCatalog();
    const lossy: TableCatalog = {
      location: inner.location,
      readColumns: () => inner.readColumns(),
      writeColumns: async (columns, version) => {
        await inner.writeColumns(columns, version); // applied...
        throw new CatalogConflictError('...but the retry of a lost answer met the new version');
      },
    };
    expect(await syncCatalog(lossy, schemaOf({ a: 'double' }))).toEqual({ added: ['a double'], retyped: [] });
    expect((await inner.readColumns()).columns.map((c) => c.name)).toContain('a');
  });

  it("refuses a column over Glue's limits as Glue does", async () => {
    const catalog = fsCatalog();
    await expect(syncCatalog(catalog, schemaOf({ ['x'.repeat(256)]: 'double' }))).rejects.toMatchObject({ name: 'CatalogRequestError', message: expect.stringMatching(/InvalidInputException.*1 to 255 bytes/) });
  });
});
