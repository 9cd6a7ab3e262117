import { Writable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { FsObjectStore } from '../../src/adapters/local/fs-store.js';
import { lakePaths } from '../../src/adapters/local/lake-paths.js';
import { statusCommand } from '../../src/cli/commands/status.js';
import { writeExecutionRecord } from '../../src/cli/twin/execution-log.js';
import { rawObjectKey, scheduledHour } from '../../src/core/layout.js';
import { localStack, runAgainstDemo, tempLake } from '../helpers/twin.js';

beforeAll(() => {
  localStack();
}, 60_000);

async function status(argv: string[], tty = false): Promise<string> {
  let text = '';
  const out = Object.assign(new Writable({ write: (chunk, _e, done) => ((text += chunk), done()) }), { isTTY: tty });
  expect(await statusCommand(argv, { out, now: () => Date.parse('2026-11-26T00:10:00Z') })).toBe(0);
  return text;
}

describe('api-lake status in the twin\'s lake', () => {
  let lake: string;
  beforeAll(async () => {
    lake = tempLake();
    await runAgainstDemo({}, { lake, hour: '2026-11-25T18:00:00Z' });
    await runAgainstDemo({ failFirst: 100 }, { lake, hour: '2026-11-25T19:00:00Z' });
    await runAgainstDemo({ status: 401 }, { lake, hour: '2026-11-25T20:00:00Z' });
    await runAgainstDemo({ malformed: true }, { lake, hour: '2026-11-25T21:00:00Z' });
    // 22:00: a run cut off after its raw object (its process is gone); 23:00: a run going on now; 00:00 the next day: nothing.
    const paths = lakePaths(lake);
    const cut = scheduledHour('2026-11-25T22:00:00Z');
    await new FsObjectStore(paths.raw).put(rawObjectKey('weather', cut), new TextEncoder().encode('{}'), { contentType: 'application/json' });
    const record = { pipeline: 'weather', executionArn: 'arn:aws:states:us-east-1:0:execution:x:local', startedAt: '2026-11-25T22:03:00Z' };
    writeExecutionRecord(paths.executions, { ...record, hour: cut.iso, status: 'RUNNING', pid: 2 ** 22 + 12345 });
    writeExecutionRecord(paths.executions, { ...record, executionArn: `${record.executionArn}2`, hour: '2026-11-25T23:00:00.000Z', status: 'RUNNING', pid: process.pid });
  }, 120_000);

  it('gives every scheduled hour its state, records and reason as JSON, in hour order', async () => {
    const hours = JSON.parse(await status(['--lake', lake, '--from', '2026-11-25T18Z', '--to', '2026-11-26T00Z', '--json'])) as Record<string, unknown>[];
    expect(hours.map((h) => Object.keys(h))).toEqual(hours.map(() => ['hour', 'state', 'records', 'reason']));
    expect(hours.map((h) => [h.hour, h.state, h.records])).toEqual([
      ['2026-11-25T18:00:00Z', 'loaded', 1],
      ['2026-11-25T19:00:00Z', 'skipped', null],
      ['2026-11-25T20:00:00Z', 'failed', null],
      ['2026-11-25T21:00:00Z', 'failed', null],
      ['2026-11-25T22:00:00Z', 'raw-only', null],
      ['2026-11-25T23:00:00Z', 'running', null],
      ['2026-11-26T00:00:00Z', 'missing', null],
    ]);
    expect(hours[1]!.reason).toMatch(/^Fetch ApiUnavailableError: .*HTTP 503/);
    expect(hours[2]!.reason).toMatch(/^Fetch ApiAuthError: the API refused the key/);
    expect(hours[3]!.reason).toMatch(/^Transform InvalidResponseError: .*is not JSON/);
    expect(hours[4]!.reason).toBe('its run was interrupted before the Parquet was written');
  });

  it('draws a grid by day with plain symbols off a terminal, totals, and the command that mends each hour', async () => {
    const text = await status(['--lake', lake, '--from', '2026-11-25T18Z', '--to', '2026-11-26T00Z']);
    // Hours 18-23 of the 25th are the fourth group of six; the 26th has its first hour only.
    expect(text).toContain(`2026-11-25  ${' '.repeat(6)} ${' '.repeat(6)} ${' '.repeat(6)} #sxxr~`);
    expect(text).toMatch(/\n2026-11-26  \.\s*\n/);
    expect(text).toContain('7 scheduled hours: 1 loaded, 1 skipped, 2 failed, 1 raw-only, 1 running, 1 missing; 1 record loaded');
    expect(text).toContain(`fix: set API_LAKE_API_KEY to the key, then the API answers only for now: this hour cannot be fetched again`);
    expect(text).toContain(`fix: npx api-lake reprocess --from 2026-11-25T21Z --to 2026-11-25T21Z --lake ${lake} (after fixing the cause)`);
    expect(text).toContain(`fix: npx api-lake reprocess --from 2026-11-25T22Z --to 2026-11-25T22Z --lake ${lake}`);
    const colour = await status(['--lake', lake, '--from', '2026-11-25T18Z', '--to', '2026-11-25T18Z'], true);
    expect(colour).toContain('\x1b[32m■\x1b[0m');
  });

  it('shows only the hours the schedule runs, and refuses a lake that is not there', async () => {
    const config = JSON.parse((await import('node:fs')).readFileSync('api-lake.config.json', 'utf8')) as Record<string, unknown>;
    const dir = tempLake();
    const file = `${dir}/six-hourly.json`;
    (await import('node:fs')).writeFileSync(file, JSON.stringify({ ...config, schedule: 'cron(0 */6 * * ? *)', alerts: undefined }));
    const hours = JSON.parse(await status(['--lake', lake, '--config', file, '--from', '2026-11-25T00Z', '--to', '2026-11-25T23Z', '--json'])) as { hour: string }[];
    expect(hours.map((h) => h.hour.slice(11, 13))).toEqual(['00', '06', '12', '18']);
    await expect(statusCommand(['--lake', `${lake}-typo`], { out: new Writable({ write: (_c, _e, done) => done() }) })).rejects.toThrow(/there is no lake at .*-typo/);
  });

  it('takes the day up to --to when only --to is given, and leaves out the hours that have not begun (now is 00:10)', async () => {
    const day = JSON.parse(await status(['--lake', lake, '--to', '2026-11-25T23Z', '--json'])) as { hour: string }[];
    expect([day.length, day[0]!.hour, day.at(-1)!.hour]).toEqual([24, '2026-11-25T00:00:00Z', '2026-11-25T23:00:00Z']);
    const ahead = JSON.parse(await status(['--lake', lake, '--from', '2026-11-25T23Z', '--to', '2026-11-26T05Z', '--json'])) as { hour: string }[];
    expect(ahead.map((h) => h.hour)).toEqual(['2026-11-25T23:00:00Z', '2026-11-26T00:00:00Z']);
    expect(await status(['--lake', lake, '--from', '2026-11-25T23Z', '--to', '2026-11-26T05Z'])).toContain('the hours after 2026-11-26T00Z have not begun');
    const quiet = { out: new Writable({ write: (_c, _e, done) => done() }), now: () => Date.parse('2026-11-26T00:10:00Z') };
    await expect(statusCommand(['--lake', lake, '--from', '2026-11-26T01Z'], quiet)).rejects.toThrow(/--from 2026-11-26T01Z is in the future/);
  });

  it('refuses a lake that is a file, or one whose directories cannot be read, in one line', async () => {
    const { mkdirSync, writeFileSync } = await import('node:fs');
    const quiet = { out: new Writable({ write: (_c, _e, done) => done() }), now: () => Date.parse('2026-11-26T00:10:00Z') };
    const file = `${tempLake()}-file`;
    writeFileSync(file, 'not a lake');
    await expect(statusCommand(['--lake', file], quiet)).rejects.toThrow(new RegExp(`the lake ${file} is a file, not a directory`));
    // A file where the hour's raw directory should be: the listing fails, named with its path.
    const broken = tempLake();
    mkdirSync(`${broken}/raw/weather/dt=2026-11-25`, { recursive: true });
    writeFileSync(`${broken}/raw/weather/dt=2026-11-25/hour=18`, '');
    await expect(statusCommand(['--lake', broken, '--from', '2026-11-25T18Z', '--to', '2026-11-25T18Z'], quiet)).rejects.toThrow(/cannot read the lake .*hour=18.*ENOTDIR/);
  });

  it('lists hours in a row skipped for one cause as one range with one command', async () => {
    const skips = tempLake();
    for (const hour of ['2026-11-25T01:00:00Z', '2026-11-25T02:00:00Z', '2026-11-25T03:00:00Z']) await runAgainstDemo({ failFirst: 100 }, { lake: skips, hour });
    const text = await status(['--lake', skips, '--from', '2026-11-25T01Z', '--to', '2026-11-25T03Z']);
    // Each hour's URL differs (it names the hour), yet the cause is one.
    expect(text).toMatch(/2026-11-25T01Z to 2026-11-25T03Z \(3 hours\) {2}skipped: \(the first\) Fetch ApiUnavailableError: /);
    expect(text).toContain('3 scheduled hours: 0 loaded, 3 skipped');
  }, 60_000);
});
