import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogFileOf, type GlueTableFile } from '../../src/adapters/local/fs-catalog.js';
import { queryLake } from '../../src/cli/lake-query.js';
import { parseConfig, type PipelineConfig } from '../../src/core/config.js';
import { projectConfig } from '../helpers/synth.js';
import { localStack, runAgainstDemo, synthesizeLocalStack, tempLake } from '../helpers/twin.js';

/** An API on 127.0.0.1 whose next answers are set by the test: one JSON body per call, in order. */
let server: Server;
let url = '';
const answers: unknown[] = [];
beforeAll(async () => {
  localStack();
  server = createServer((_, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answers.shift() ?? { none: true })));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/records`;
}, 60_000);
afterAll(() => new Promise((resolve) => server.close(resolve)));

const ownApi = (config: PipelineConfig) => parseConfig({ ...config, source: { ...config.source, url, params: {}, auth: { in: 'none' } } });
const hourRun = (lake: string, hour: string, body: unknown) => {
  answers.push(body);
  return runAgainstDemo({}, { lake, hour, config: ownApi });
};
const tableFile = (lake: string) => JSON.parse(readFileSync(catalogFileOf(join(lake, '_catalog'), 'apilake_weather', 'weather'), 'utf8')) as GlueTableFile;
const outcomes = (run: { notifications: { message: string }[] }) => run.notifications.map((n) => JSON.parse(n.message) as Record<string, unknown>);

describe('the catalog the pipeline keeps (catalog.mode "projection")', () => {
  it('shows a column in the catalog and in query in the same run that first brings it, and announces it', async () => {
    const lake = tempLake();
    const first = await hourRun(lake, '2026-11-25T17:00:00Z', [{ station: 'a', temp: 1.5 }]);
    expect(first.status).toBe('SUCCEEDED');
    const second = await hourRun(lake, '2026-11-25T18:00:00Z', [{ station: 'b', temp: 2.5, wind: { kph: 7 } }]);
    expect(second.status).toBe('SUCCEEDED');

    const table = tableFile(lake);
    expect(table.StorageDescriptor.Columns.map((c) => `${c.Name} ${c.Type}`)).toEqual([
      'station string',
      'temp double',
      'wind_kph double',
      'lake_scheduled_hour timestamp',
      'lake_ingested_at timestamp',
      'lake_raw_key string',
      'lake_current_data boolean',
    ]);
    expect(table.PartitionKeys).toEqual([
      { Name: 'dt', Type: 'string' },
      { Name: 'hour', Type: 'int' },
    ]);
    const { rows } = await queryLake(lake, 'SELECT dt, hour, station, wind_kph, lake_scheduled_hour FROM weather ORDER BY hour');
    expect(rows).toEqual([
      { dt: '2026-11-25', hour: 17, station: 'a', wind_kph: null, lake_scheduled_hour: '2026-11-25 17:00:00' },
      { dt: '2026-11-25', hour: 18, station: 'b', wind_kph: 7, lake_scheduled_hour: '2026-11-25 18:00:00' },
    ]);
    expect(outcomes(second)).toEqual([
      expect.objectContaining({ outcome: 'SCHEMA_CHANGED', table: 'weather', scheduledTime: '2026-11-25T18:00:00Z', added: ['wind_kph double'], addedCount: 1, retyped: [] }),
    ]);
    expect(String(outcomes(second)[0]!.summary)).toMatch(/1 column\(s\) added, 0 retyped/);
  });

  it('changes nothing and sends no notice for an hour with no new column, and never drops a column an hour lacks', async () => {
    const lake = tempLake();
    await hourRun(lake, '2026-11-25T17:00:00Z', [{ station: 'a', temp: 1.5 }]);
    const version = tableFile(lake).VersionId;
    const same = await hourRun(lake, '2026-11-25T18:00:00Z', [{ station: 'b' }]);
    expect(same.status).toBe('SUCCEEDED');
    expect(same.notifications).toEqual([]);
    expect(tableFile(lake).VersionId).toBe(version);
    const { rows } = await queryLake(lake, 'SELECT hour, temp FROM weather ORDER BY hour');
    expect(rows).toEqual([
      { hour: 17, temp: 1.5 },
      { hour: 18, temp: null },
    ]);
  });

  it('hides a column the catalog does not hold, as Athena would, and puts back what the table schema knows', async () => {
    const lake = tempLake();
    await hourRun(lake, '2026-11-25T17:00:00Z', [{ station: 'a', temp: 1.5 }]);
    // Someone (a stack update, a person) resets the table to the stack's definition.
    const file = catalogFileOf(join(lake, '_catalog'), 'apilake_weather', 'weather');
    const table = tableFile(lake);
    writeFileSync(file, JSON.stringify({ ...table, VersionId: '9', StorageDescriptor: { ...table.StorageDescriptor, Columns: table.StorageDescriptor.Columns.filter((c) => c.Name.startsWith('lake_')) } }));
    await expect(queryLake(lake, 'SELECT temp FROM weather')).rejects.toThrow(/temp/);
    const next = await hourRun(lake, '2026-11-25T18:00:00Z', [{ station: 'b' }]);
    expect(outcomes(next)).toEqual([expect.objectContaining({ outcome: 'SCHEMA_CHANGED', added: ['station string', 'temp double'] })]);
    expect((await queryLake(lake, 'SELECT hour, temp FROM weather ORDER BY hour')).rows).toEqual([
      { hour: 17, temp: 1.5 },
      { hour: 18, temp: null },
    ]);
  });

  it('fails the hour with a clear message when the twin catalog file is damaged, and keeps the file', async () => {
    const lake = tempLake();
    await hourRun(lake, '2026-11-25T17:00:00Z', [{ station: 'a' }]);
    const file = catalogFileOf(join(lake, '_catalog'), 'apilake_weather', 'weather');
    writeFileSync(file, '{"half": ');
    const run = await hourRun(lake, '2026-11-25T18:00:00Z', [{ station: 'b' }]);
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('CatalogRequestError');
    expect(run.cause).toMatch(/is not a Glue table as the twin writes it: restore it, or delete it/);
    expect(readFileSync(file, 'utf8')).toBe('{"half": ');
  });
});

describe('catalog.mode "crawler"', () => {
  it('deploys a crawler and no table; Transform keeps no catalog, and query shows the files with string partitions', async () => {
    const crawler = (config: PipelineConfig) => parseConfig({ ...ownApi(config), catalog: { mode: 'crawler' } });
    const stack = synthesizeLocalStack(crawler(projectConfig()));
    expect(Object.keys(stack.tables)).toEqual([]);
    const lake = tempLake();
    answers.push([{ station: 'a', temp: 1.5 }]);
    const run = await runAgainstDemo({}, { lake, hour: '2026-11-25T17:00:00Z', config: crawler, stack });
    expect(run.status).toBe('SUCCEEDED');
    // Without a catalog to keep, the notice names the columns new to the table's schema.
    expect(outcomes(run)).toEqual([expect.objectContaining({ outcome: 'SCHEMA_CHANGED', addedCount: 6 })]);
    expect((await queryLake(lake, 'SELECT dt, hour, station FROM weather')).rows).toEqual([{ dt: '2026-11-25', hour: '17', station: 'a' }]);
  });
});
