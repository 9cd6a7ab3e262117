import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { duckdbType, lakeTables } from '../../src/cli/lake-query.js';
import { PROJECT_ROOT, runNode } from '../helpers/node-process.js';
import { runAgainstDemo, tempLake } from '../helpers/twin.js';

/** Runs the real `api-lake query` entry point in a child process. */
const query = (...args: string[]) => runNode([join(PROJECT_ROOT, 'bin/api-lake.js'), 'query', ...args], process.env);

const NO_TABLES_YET = 'the lake has no tables yet: run `npm start` or `npx api-lake run` first';
/** The raw key of the demo hour: longer than the 40 characters the table view shows of a value. */
const RAW_KEY = 'weather/dt=2026-11-25/hour=18/weather_20261125T18Z.json';

/** A lake with one hour of the demo API in it, made by the twin through the synthesized state machine. */
let lake: string;
beforeAll(async () => {
  const run = await runAgainstDemo();
  expect(run.status).toBe('SUCCEEDED');
  lake = run.lake;
}, 60_000);

describe('api-lake query: SQL errors and statements', () => {
  it("keeps DuckDB's whole message (candidates, 'Did you mean', the caret line) and lists the tables, exit 2", async () => {
    const [column, table] = await Promise.all([query('SELECT nope FROM weather', '--lake', lake), query('SELECT * FROM wether', '--lake', lake)]);

    expect(column.code).toBe(2);
    const lines = column.stderr.trimEnd().split('\n');
    expect(lines[0]).toBe('api-lake query: Binder Error: Referenced column "nope" not found in FROM clause! (tables: weather)');
    expect(lines[1]).toMatch(/^Candidate bindings: /);
    const source = lines.indexOf('LINE 1: SELECT nope FROM weather');
    expect(source).toBeGreaterThan(1);
    expect(lines[source + 1]!.indexOf('^')).toBe(lines[source]!.indexOf('nope')); // the caret still points at the column
    expect(table.code).toBe(2);
    expect(table.stderr).toContain('Catalog Error: Table with name wether does not exist! (tables: weather)\nDid you mean "weather"?');
    expect(column.stderr + table.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it("refuses more than one statement, as DuckDB's parser counts them; a ';' in a literal or a trailing ';' is one", async () => {
    const [drop, two, literal, empty, parse] = await Promise.all([
      query('SELECT 1; DROP VIEW weather', '--lake', lake),
      query('SELECT 1; SELECT 2', '--lake', lake),
      query("SELECT ';' AS semicolon FROM weather;", '--lake', lake, '--json'),
      query(' -- nothing but a comment', '--lake', lake),
      query('SELEC 1; SELECT 2', '--lake', lake),
    ]);

    for (const refused of [drop, two]) {
      expect(refused.code).toBe(2);
      expect(refused.stderr).toBe("api-lake query: the SQL holds 2 statements: api-lake query runs one at a time (a trailing ';' is fine)\n");
    }
    expect(literal.code).toBe(0);
    expect(JSON.parse(literal.stdout)).toEqual([{ semicolon: ';' }]);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('the SQL holds no statement: give one, such as "SHOW TABLES"');
    expect(parse.code).toBe(2);
    expect(parse.stderr).toContain('Parser Error: syntax error at or near "SELEC" (tables: weather)\n\nLINE 1: SELEC 1; SELECT 2\n        ^');
  });
});

describe('api-lake query: the lake directory', () => {
  it('runs SQL that names no table on a lake without tables; naming one says the lake has none yet', async () => {
    const empty = tempLake();
    const [constant, missing, column] = await Promise.all([
      query('SELECT 1 AS one', '--lake', empty),
      query('SELECT * FROM weather', '--lake', empty),
      query('SELECT nope', '--lake', empty),
    ]);

    expect(constant).toMatchObject({ code: 0, stdout: 'one\n---\n  1\n(1 row)\n' });
    expect(missing.code).toBe(2);
    expect(missing.stderr.split('\n')[0]).toBe(`api-lake query: Catalog Error: Table with name weather does not exist! (${NO_TABLES_YET})`);
    // DuckDB would suggest a table of its own catalog (pg_attrdef): no suggestion is better than that one.
    expect(missing.stderr).not.toContain('Did you mean');
    expect(missing.stderr).toContain('LINE 1: SELECT * FROM weather');
    expect(column.code).toBe(2); // not about a table: DuckDB's message alone
    expect(column.stderr).toContain('Binder Error: Referenced column "nope"');
    expect(column.stderr).not.toContain(NO_TABLES_YET);
  });

  it('tells a --lake that does not exist, or is a file, apart from a lake without tables', async () => {
    const parent = tempLake();
    const file = join(parent, 'lake.txt');
    writeFileSync(file, 'not a lake');
    const [missing, notDirectory] = await Promise.all([query('SELECT 1', '--lake', join(parent, 'lkae')), query('SELECT 1', '--lake', file)]);

    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(
      `api-lake query: the lake directory ${join(parent, 'lkae')} does not exist (the default, ./lake, is where \`npm start\` and \`npx api-lake run\` write; --lake DIR reads another lake)\n`,
    );
    expect(notDirectory.code).toBe(2);
    expect(notDirectory.stderr).toContain(`the lake ${file} is a file, not a directory`);
    expect(missing.stderr + notDirectory.stderr).not.toContain('no tables yet');
  });
});

describe('api-lake query: views and formats', () => {
  it('--vertical prints one field per line for each row', async () => {
    const vertical = await query('SELECT dt, hour, location_name FROM weather, range(2) ORDER BY ALL', '--lake', lake, '--vertical');

    expect(vertical.code).toBe(0);
    expect(vertical.stdout).toBe(
      [
        '-[ RECORD 1 ]',
        'dt            | 2026-11-25',
        'hour          | 18',
        'location_name | Healesville',
        '-[ RECORD 2 ]',
        'dt            | 2026-11-25',
        'hour          | 18',
        'location_name | Healesville',
        '(2 rows)',
        '',
      ].join('\n'),
    );
  });

  it('cuts values longer than 40 characters in the table and --vertical views; --full prints them whole', async () => {
    const sql = 'SELECT lake_raw_key FROM weather';
    const [table, full, vertical, verticalFull] = await Promise.all([
      query(sql, '--lake', lake),
      query(sql, '--lake', lake, '--full'),
      query(sql, '--lake', lake, '--vertical'),
      query(sql, '--lake', lake, '--vertical', '--full'),
    ]);

    const cut = `${RAW_KEY.slice(0, 39)}…`;
    expect(table.stdout.split('\n')[2]).toBe(cut);
    expect(full.stdout.split('\n')[2]).toBe(RAW_KEY);
    expect(full.stdout.split('\n')[1]).toBe('-'.repeat(RAW_KEY.length));
    expect(vertical.stdout).toContain(`lake_raw_key | ${cut}\n`);
    expect(verticalFull.stdout).toContain(`lake_raw_key | ${RAW_KEY}\n`);
  });

  it('right-aligns numeric columns by their type, not by what a value looks like', async () => {
    const aligned = await query(
      "SELECT hour, hour::VARCHAR AS hour_text, location_name, location_lat AS lat FROM weather UNION ALL SELECT 1234, '1234', 'x', -5.5 ORDER BY hour",
      '--lake',
      lake,
    );

    expect(aligned.code).toBe(0);
    expect(aligned.stdout).toBe(
      [
        'hour | hour_text | location_name |   lat', //
        '-----+-----------+---------------+------',
        '  18 | 18        | Healesville   | -37.5',
        '1234 | 1234      | x             |  -5.5',
        '(2 rows)',
        '',
      ].join('\n'),
    );
  });

  it('--json gives timestamps in ISO 8601 (UTC, Z) and integers as numbers up to ±2^53, as strings beyond; --csv DuckDB text', async () => {
    const sql = [
      'SELECT lake_scheduled_hour, count(*) OVER () AS rows_counted, location_localtime_epoch,',
      '9007199254740991::BIGINT AS max_safe, -9007199254740991::BIGINT AS min_safe, 9007199254740992::BIGINT AS past_safe,',
      "sum(hour) OVER ()::HUGEINT AS hours, [1, 2]::BIGINT[] AS list, TIMESTAMP '1969-12-31 23:59:59.999999' AS micros,",
      "TIMESTAMPTZ '2026-11-25 18:00:00+11:00' AS with_zone, DATE '2026-11-25' AS day FROM weather",
    ].join(' ');
    const [json, csv] = await Promise.all([query(sql, '--lake', lake, '--json'), query('SELECT lake_scheduled_hour, count(*) AS n FROM weather GROUP BY ALL', '--lake', lake, '--csv')]);

    expect(json.code).toBe(0);
    const [row] = JSON.parse(json.stdout) as Record<string, unknown>[];
    expect(row).toEqual({
      lake_scheduled_hour: '2026-11-25T18:00:00.000Z',
      rows_counted: 1,
      location_localtime_epoch: expect.any(Number),
      max_safe: 9007199254740991,
      min_safe: -9007199254740991,
      past_safe: '9007199254740992',
      hours: 18,
      list: [1, 2],
      micros: '1969-12-31T23:59:59.999999Z',
      with_zone: '2026-11-25T07:00:00.000Z',
      day: '2026-11-25',
    });
    expect(new Date(row!.lake_scheduled_hour as string).toISOString()).toBe(row!.lake_scheduled_hour);
    expect(csv.stdout).toBe('lake_scheduled_hour,n\n2026-11-25 18:00:00,1\n');
  });

  it('DESCRIBE weather lists the columns with the types of the twin\'s catalog: dt VARCHAR, hour INTEGER', async () => {
    const described = await query('DESCRIBE weather', '--lake', lake, '--json');

    expect(described.code).toBe(0);
    const types = Object.fromEntries((JSON.parse(described.stdout) as { column_name: string; column_type: string }[]).map((c) => [c.column_name, c.column_type]));
    expect(types).toMatchObject({ dt: 'VARCHAR', hour: 'INTEGER', lake_scheduled_hour: 'TIMESTAMP' });
    const catalog = lakeTables(lake).find((t) => t.name === 'weather')!.catalog!;
    const catalogued = [...catalog.StorageDescriptor.Columns, ...(catalog.PartitionKeys ?? [])];
    expect(catalog.PartitionKeys).toEqual([
      { Name: 'dt', Type: 'string' },
      { Name: 'hour', Type: 'int' },
    ]);
    expect(types).toEqual(Object.fromEntries(catalogued.map((c) => [c.Name, duckdbType(c.Type)])));
  });

  it('refuses --vertical or --full with --json or --csv, and --json with --csv (exit 2 with the usage)', async () => {
    const [verticalJson, fullCsv, bothCsv, jsonCsv, verticalFull] = await Promise.all([
      query('SELECT 1', '--lake', lake, '--vertical', '--json'),
      query('SELECT 1', '--lake', lake, '--full', '--csv'),
      query('SELECT 1', '--lake', lake, '--vertical', '--full', '--csv'),
      query('SELECT 1', '--lake', lake, '--json', '--csv'),
      query('SELECT 1 AS one', '--lake', lake, '--vertical', '--full'),
    ]);

    expect(verticalJson.stderr.split('\n')[0]).toBe('api-lake query: --vertical shapes the table view, which --json replaces (it prints every value whole): drop one');
    expect(fullCsv.stderr.split('\n')[0]).toBe('api-lake query: --full shapes the table view, which --csv replaces (it prints every value whole): drop one');
    expect(bothCsv.stderr.split('\n')[0]).toBe('api-lake query: --vertical and --full shape the table view, which --csv replaces (it prints every value whole): drop one');
    expect(jsonCsv.stderr.split('\n')[0]).toBe('api-lake query: --json and --csv exclude each other: choose one');
    for (const refused of [verticalJson, fullCsv, bothCsv, jsonCsv]) {
      expect(refused.code).toBe(2);
      expect(refused.stdout).toBe('');
      expect(refused.stderr).toContain('Usage: api-lake query "SQL"');
    }
    expect(verticalFull).toMatchObject({ code: 0, stdout: '-[ RECORD 1 ]\none | 1\n(1 row)\n' });
  });
});
