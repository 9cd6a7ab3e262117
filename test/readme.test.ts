import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fetchTimeoutSeconds, TRANSFORM_TIMEOUT_SECONDS, worstCaseExecutionSeconds } from '../infra/timeouts.js';
import { DEFAULTS, skippedInARowFor, staleAfterHoursFor } from '../src/core/config.js';
import { projectConfig } from './helpers/synth.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

/** The default column of the README's configuration table for a field. */
function documentedDefault(field: string): string {
  const row = readme.split('\n').find((line) => line.startsWith(`| \`${field}\``));
  if (!row) throw new Error(`README has no configuration row for ${field}`);
  return row.split('|')[2]!.trim();
}

describe('README sizing', () => {
  it('states the timeouts the stack computes', () => {
    const config = projectConfig();
    expect(readme).toContain(`| Fetch timeout | ${fetchTimeoutSeconds(config)} s =`);
    expect(readme).toContain(`| State machine timeout | ${worstCaseExecutionSeconds(config).toLocaleString('en-US')} s |`);
    expect(readme).toContain(`| Transform timeout | ${TRANSFORM_TIMEOUT_SECONDS} s |`);
  });
});

describe('README configuration reference', () => {
  it('documents the defaults the code applies', () => {
    expect(documentedDefault('source.timeoutSeconds')).toBe(`\`${DEFAULTS.requestTimeoutSeconds}\``);
    expect(documentedDefault('source.maxResponseBytes')).toContain(`\`${DEFAULTS.maxResponseBytes}\``);
    expect(documentedDefault('source.secretField')).toBe(`\`${DEFAULTS.secretField}\``);
    expect(documentedDefault('retry.maxAttempts')).toBe(`\`${DEFAULTS.retryMaxAttempts}\``);
    expect(documentedDefault('retry.intervalSeconds')).toBe(
      `\`${DEFAULTS.retryIntervalSeconds}\` / \`${DEFAULTS.retryBackoffRate}\` / \`${DEFAULTS.retryMaxDelaySeconds}\``,
    );
    expect(documentedDefault('storage.rawInfrequentAccessAfterDays')).toBe(`\`${DEFAULTS.rawInfrequentAccessAfterDays}\``);
    expect(documentedDefault('storage.logRetentionDays')).toBe(`\`${DEFAULTS.logRetentionDays}\``);
    expect(documentedDefault('storage.athenaResultsExpireDays')).toBe(`\`${DEFAULTS.athenaResultsExpireDays}\``);
    expect(documentedDefault('crawler.schedule')).toBe(`\`${DEFAULTS.crawlerSchedule}\``);
    expect(documentedDefault('alerts.skippedHoursInARow')).toBe(`\`${DEFAULTS.skippedHoursInARow}\` (fewer for a sparse schedule)`);
    expect(skippedInARowFor('cron(0 * * * ? *)')).toBe(DEFAULTS.skippedHoursInARow);
    expect([skippedInARowFor('cron(0 */12 * * ? *)'), skippedInARowFor('cron(0 2 * * ? *)')]).toEqual([2, 1]); // as the Alarms table says
    expect(documentedDefault('alerts.staleAfterHours')).toBe(`follows the schedule: \`${DEFAULTS.staleAfterHours}\` hourly`);
    expect(staleAfterHoursFor('cron(0 * * * ? *)')).toBe(DEFAULTS.staleAfterHours);
    expect(documentedDefault('lambda.fetchMemoryMb')).toBe(`\`${DEFAULTS.fetchMemoryMb}\` / \`${DEFAULTS.transformMemoryMb}\``);
  });
});

describe('README alarms', () => {
  it('states the freshness window the schedule gives when staleAfterHours is unset', () => {
    // "3 hours for an hourly schedule, the longest gap between two runs plus 2 for a sparser one (every 6 hours: 8),
    // and no freshness alarm when runs are 24 hours or more apart"
    expect(readme).toContain('(every 6 hours: 8)');
    expect(staleAfterHoursFor('cron(0 */6 * * ? *)')).toBe(8);
    expect(staleAfterHoursFor('rate(6 hours)')).toBe(8);
    expect(staleAfterHoursFor('cron(0 3 * * ? *)')).toBe(0);
    expect(readme).toContain('no freshness alarm when runs are 24 hours or more apart');
  });
});

describe('README sections the code names', () => {
  it('exist, for every message that sends the reader to one', () => {
    const headings = new Set(readme.split('\n').filter((line) => line.startsWith('#')).map((line) => line.replace(/^#+\s*/, '')));
    const named: string[] = [];
    for (const dir of ['src', 'infra', 'bin']) {
      for (const file of readdirSync(new URL(`../${dir}/`, import.meta.url), { recursive: true, encoding: 'utf8' })) {
        if (!/\.(ts|js)$/.test(file)) continue;
        const text = readFileSync(new URL(`../${dir}/${file}`, import.meta.url), 'utf8');
        for (const m of text.matchAll(/README,? "([^"\n]+)"/g)) named.push(m[1]!);
      }
    }
    expect(named.length).toBeGreaterThan(3);
    expect(named.filter((name) => !headings.has(name))).toEqual([]);
  });
});
