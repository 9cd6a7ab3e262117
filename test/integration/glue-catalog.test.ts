import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AwsHttpClient } from '../../src/adapters/aws/aws-http.js';
import { GlueTableCatalog } from '../../src/adapters/aws/glue-catalog.js';
import { LocalAccess, type RoleSession } from '../../src/cli/twin/iam/access.js';
import { LOCAL_REGION, type LocalStack } from '../../src/cli/twin/local-stack.js';
import { functionOf } from '../../src/cli/twin/local-tasks.js';
import { syncCatalog } from '../../src/core/catalog-sync.js';
import type { TableSchema } from '../../src/core/table-schema.js';
import { startGlue, type GlueStandIn } from '../helpers/glue-server.js';
import { localStack } from '../helpers/twin.js';

const credentials = { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret' };
let stack: LocalStack;
let glue: GlueStandIn | undefined;
beforeAll(() => {
  stack = localStack();
}, 60_000);
afterEach(async () => {
  await glue?.close();
  glue = undefined;
});

/** The stack's table in a Glue stand-in enforcing the stack's IAM; a catalog client acting as `step`'s role. */
async function setUp(step: 'Transform' | 'Fetch' = 'Transform', sleep = async () => {}) {
  const [table] = Object.values(stack.tables);
  const fn = functionOf(stack, step);
  const callers: Record<string, RoleSession> = { [`token-${step}`]: { roleArn: fn.roleArn, session: step } };
  glue = await startGlue({ credentials, region: LOCAL_REGION, tables: { [`${table!.database}.${table!.name}`]: table!.tableInput }, iam: { access: new LocalAccess(stack), callers } });
  const http = new AwsHttpClient({ service: 'glue', region: LOCAL_REGION, credentials: () => ({ ...credentials, sessionToken: `token-${step}` }), sleep });
  return { catalog: new GlueTableCatalog(http, glue.endpoint, table!.database, table!.name), key: `${table!.database}.${table!.name}`, definition: table!.tableInput, glue };
}

const schema = (columns: Record<string, string>): TableSchema => ({ table: 'weather', columns: Object.fromEntries(Object.entries(columns).map(([n, type]) => [n, { type, since: '2026-11-25T18:00:00.000Z' }])) });

describe('GlueTableCatalog against a Glue stand-in with the stack IAM', () => {
  it("adds columns to the stack's table and changes nothing else of it", async () => {
    const { catalog, key, definition, glue } = await setUp();
    expect(await syncCatalog(catalog, schema({ temp_c: 'double', tags: 'array<string>' }))).toEqual({ added: ['temp_c double', 'tags array<string>'], retyped: [] });
    const stored = glue.state.tables.get(key)!;
    const { StorageDescriptor, VersionId, ...rest } = stored as { StorageDescriptor: Record<string, unknown>; VersionId: string };
    const { StorageDescriptor: definedStorage, ...definedRest } = definition as { StorageDescriptor: Record<string, unknown> };
    expect(rest).toEqual(definedRest); // partition keys, projection parameters, location template: as the stack made them
    expect({ ...StorageDescriptor, Columns: undefined }).toEqual({ ...definedStorage, Columns: undefined });
    expect((StorageDescriptor.Columns as { Name: string }[]).map((c) => c.Name)).toEqual(['temp_c', 'tags', 'lake_scheduled_hour', 'lake_ingested_at', 'lake_raw_key', 'lake_current_data']);
    expect(VersionId).toBe('2');
    expect(glue.state.calls).toEqual([`GetTable ${key}`, `UpdateTable ${key}`]);
  });

  it('reads again and loses nothing when another update comes in between', async () => {
    const { catalog, key, glue } = await setUp();
    glue.state.interleave = () => {
      const table = glue.state.tables.get(key)! as unknown as { StorageDescriptor: { Columns: unknown[] }; VersionId: string };
      glue.state.tables.set(key, { ...table, VersionId: '7', StorageDescriptor: { ...table.StorageDescriptor, Columns: [{ Name: 'other', Type: 'string' }, ...table.StorageDescriptor.Columns] } });
    };
    await syncCatalog(catalog, schema({ mine: 'bigint' }));
    const columns = (glue.state.tables.get(key) as unknown as { StorageDescriptor: { Columns: { Name: string }[] } }).StorageDescriptor.Columns.map((c) => c.Name);
    expect(columns.slice(0, 2)).toEqual(['other', 'mine']);
    expect(glue.state.calls).toEqual([`GetTable ${key}`, `UpdateTable ${key}`, `GetTable ${key}`, `UpdateTable ${key}`]);
  });

  it('refuses a role without the grant as Glue does: AccessDeniedException, terminal, naming the action', async () => {
    const { catalog } = await setUp('Fetch');
    await expect(syncCatalog(catalog, schema({ a: 'double' }))).rejects.toMatchObject({
      name: 'CatalogRequestError',
      message: expect.stringMatching(/AccessDeniedException \(HTTP 400\).*not authorized to perform: glue:GetTable.*the Transform role may read and update only its own table/),
    });
  });

  it('names a deleted table and says how to get it back', async () => {
    const { catalog, key, glue } = await setUp();
    glue.state.tables.delete(key);
    await expect(catalog.readColumns()).rejects.toMatchObject({ name: 'CatalogRequestError', message: expect.stringMatching(/EntityNotFoundException.*`npx cdk deploy` creates it again/) });
  });

  it('retries throttling and server errors, then fails as transient for the state machine to retry', async () => {
    const sleeps: number[] = [];
    const { catalog, glue } = await setUp('Transform', async () => void sleeps.push(1));
    glue.state.throttleNext = 2;
    await expect(catalog.readColumns()).resolves.toMatchObject({ version: '1' });
    glue.state.failNext = 3;
    await expect(catalog.readColumns()).rejects.toMatchObject({ name: 'CatalogUnavailableError', message: expect.stringMatching(/InternalServiceException/) });
    expect(sleeps).toHaveLength(4);
  });
});
