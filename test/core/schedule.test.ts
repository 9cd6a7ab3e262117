import { describe, expect, it } from 'vitest';
import { scheduledHour } from '../../src/core/layout.js';
import { lastHours, scheduledHours } from '../../src/core/schedule.js';

const h = (iso: string) => scheduledHour(iso);
const hoursOf = (expression: string, from: string, to: string, phase?: string) => scheduledHours(expression, h(from), h(to), phase ? h(phase) : undefined).map((x) => x.iso.slice(0, 13));

describe('the scheduled hours of an EventBridge expression', () => {
  it('cron: hours, steps, ranges, lists, names and day fields', () => {
    expect(hoursOf('cron(0 * * * ? *)', '2026-11-25T22:00:00Z', '2026-11-26T01:00:00Z')).toEqual(['2026-11-25T22', '2026-11-25T23', '2026-11-26T00', '2026-11-26T01']);
    expect(hoursOf('cron(15 */6 * * ? *)', '2026-11-25T00:00:00Z', '2026-11-25T23:00:00Z')).toEqual(['2026-11-25T00', '2026-11-25T06', '2026-11-25T12', '2026-11-25T18']);
    expect(hoursOf('cron(0 9-11,14 * * ? *)', '2026-11-25T00:00:00Z', '2026-11-25T23:00:00Z').map((x) => x.slice(11))).toEqual(['09', '10', '11', '14']);
    // 2026-11-25 is a Wednesday (day 4), 2026-11-28 a Saturday.
    expect(hoursOf('cron(0 12 ? * MON-FRI *)', '2026-11-25T00:00:00Z', '2026-11-29T23:00:00Z')).toEqual(['2026-11-25T12', '2026-11-26T12', '2026-11-27T12']);
    expect(hoursOf('cron(0 0 1 * ? *)', '2026-11-25T00:00:00Z', '2026-12-02T23:00:00Z')).toEqual(['2026-12-01T00']);
    expect(hoursOf('cron(0 0 ? DEC 1 2026)', '2026-11-25T00:00:00Z', '2026-12-14T23:00:00Z')).toEqual(['2026-12-06T00', '2026-12-13T00']);
    expect(hoursOf('cron(0 0 L * ? *)', '2026-11-25T00:00:00Z', '2026-11-26T23:00:00Z')).toHaveLength(2); // L read as every day
  });

  it('rate: every hour up to an hour; longer rates keep the phase of an hour known to have run', () => {
    expect(hoursOf('rate(15 minutes)', '2026-11-25T00:00:00Z', '2026-11-25T02:00:00Z')).toHaveLength(3);
    expect(hoursOf('rate(1 hour)', '2026-11-25T00:00:00Z', '2026-11-25T02:00:00Z')).toHaveLength(3);
    expect(hoursOf('rate(3 hours)', '2026-11-25T00:00:00Z', '2026-11-25T08:00:00Z').map((x) => x.slice(11))).toEqual(['00', '03', '06']);
    expect(hoursOf('rate(3 hours)', '2026-11-25T00:00:00Z', '2026-11-25T08:00:00Z', '2026-11-24T22:00:00Z').map((x) => x.slice(11))).toEqual(['01', '04', '07']);
    expect(hoursOf('rate(1 day)', '2026-11-25T00:00:00Z', '2026-11-27T23:00:00Z', '2026-11-20T05:00:00Z').map((x) => x.slice(8))).toEqual(['25T05', '26T05', '27T05']);
  });

  it('the last N hours end with the current one', () => {
    const { from, to } = lastHours(Date.parse('2026-11-25T18:20:00Z'), 24);
    expect([from.iso, to.iso]).toEqual(['2026-11-24T19:00:00.000Z', '2026-11-25T18:00:00.000Z']);
  });
});
