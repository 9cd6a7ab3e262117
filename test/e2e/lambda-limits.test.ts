import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { FsObjectStore } from '../../src/adapters/local/fs-store.js';
import type { ObjectStore } from '../../src/core/ports.js';
import { scheduledHour } from '../../src/core/layout.js';
import type { LocalStack } from '../../src/cli/twin/local-stack.js';
import { functionOf } from '../../src/cli/twin/local-tasks.js';
import { runHour } from '../../src/cli/twin/run.js';
import { startDemoApi } from '../../src/demo/weather-api.js';
import { parseConfig } from '../../src/core/config.js';
import { projectConfig } from '../helpers/synth.js';
import { clockOf, stateOf, localStack, RECOGNISABLE_KEY, runAgainstDemo, tempLake } from '../helpers/twin.js';

beforeAll(() => {
  localStack();
}, 60_000);

const TASKS = ['Fetch', 'Transform'] as const;
const message = (run: { notifications: { message: string }[] }) => JSON.parse(run.notifications.at(-1)!.message) as Record<string, unknown>;

/** The stack with one function's timeout changed, as a config with a shorter one would synthesize it. */
function withTimeout(stack: LocalStack, state: 'Fetch' | 'Transform', seconds: number): LocalStack {
  const fn = functionOf(stack, state);
  return { ...stack, functions: { ...stack.functions, [fn.arn]: { ...fn, timeoutSeconds: seconds } } };
}

/** A zone whose calls never answer, like S3 with a stalled connection; `heedBudget` false: not even the step's budget ends them. */
function stalledStore(inner: ObjectStore, heedBudget: boolean): ObjectStore & { calls: number } {
  const stall = (signal?: AbortSignal) =>
    new Promise<never>((_, reject) => {
      if (heedBudget) signal?.addEventListener('abort', () => reject(Object.assign(new Error('the step budget ran out'), { name: 'StoreUnavailableError' })));
    });
  const store = {
    location: inner.location,
    calls: 0,
    get: (key: string, options?: { signal?: AbortSignal }) => (key.startsWith('_schemas') ? inner.get(key, options) : (store.calls++, stall(options?.signal))),
    put: (_key: string, _body: Uint8Array, options: { signal?: AbortSignal }) => (store.calls++, stall(options.signal)),
    list: (prefix: string) => inner.list(prefix),
  };
  return store;
}

async function runWithStores(stack: LocalStack, stores: { raw?: ObjectStore }, lake = tempLake()) {
  const api = await startDemoApi({ key: RECOGNISABLE_KEY });
  try {
    const base = projectConfig();
    const config = parseConfig({ ...base, source: { ...base.source, url: `${api.url}/v1/current.json` } });
    return await runHour({ config, stack, lakeDir: lake, hour: scheduledHour('2026-11-25T18:00:00Z'), now: clockOf(scheduledHour('2026-11-25T18:00:00Z')), fast: true, apiKey: RECOGNISABLE_KEY, stores });
  } finally {
    await api.close();
  }
}

describe('every Retry of the deployed definition', () => {
  const retried = TASKS.flatMap((state) => (stateOf(state).Retry ?? []).flatMap((r) => r.ErrorEquals.map((error) => [state, error] as const)));

  it('covers Lambda throttling and service errors on both functions', () => {
    for (const state of TASKS) {
      const errors = retried.filter(([s]) => s === state).map(([, e]) => e);
      expect(errors).toEqual(expect.arrayContaining(['Lambda.TooManyRequestsException', 'Lambda.ServiceException', 'StoreUnavailableError']));
    }
  });

  it.each(retried)('%s: %s once is retried, and the hour loads', async (state, error) => {
    const run = await runAgainstDemo({}, { inject: { [state]: [error] } });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.progress.filter((e) => e.kind === 'state-retry' && e.state === state)).toHaveLength(1);
    expect(run.output?.transform?.records).toBe(1);
  });
});

describe('a failing publish', () => {
  it('NotifySkipped throttled once is retried: the hour is still skipped, not FAILED', async () => {
    const run = await runAgainstDemo({ failFirst: 100 }, { inject: { NotifySkipped: ['SNS.ThrottledException'] } });
    expect(run.status).toBe('SKIPPED');
    expect(run.progress.filter((e) => e.kind === 'state-retry' && e.state === 'NotifySkipped')).toHaveLength(1);
    expect(run.notifications).toHaveLength(1);
  });

  it('NotifyFailure failing once is retried: the failure is still reported', async () => {
    const run = await runAgainstDemo({ status: 401 }, { inject: { NotifyFailure: ['SNS.InternalErrorException'] } });
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('ApiAuthError');
    expect(run.notifications).toHaveLength(1);
  });
});

describe('errors no Retry takes', () => {
  it.each(TASKS.flatMap((state) => ['Lambda.Unknown', 'Sandbox.Timedout', 'States.Timeout'].map((error) => [state, error] as const)))(
    '%s: %s is caught, notified, and the execution fails',
    async (state, error) => {
      const run = await runAgainstDemo({}, { inject: { [state]: [error] } });
      expect(run.status).toBe('FAILED');
      expect(run.error).toBe(error);
      expect(message(run)).toMatchObject({ outcome: 'FAILED', step: state, error });
    },
  );

  it('States.DataLimitExceeded is caught by no Catch: FAILED without a notification (the ExecutionsFailed alarm reports it)', async () => {
    const run = await runAgainstDemo({}, { inject: { Transform: ['States.DataLimitExceeded'] } });
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('States.DataLimitExceeded');
    expect(run.notifications).toEqual([]);
  });
});

describe("a function's timeout", () => {
  it('a step still busy at the timeout ends as Lambda reports it: Sandbox.Timedout, caught and notified', async () => {
    const lake = tempLake();
    const raw = stalledStore(new FsObjectStore(join(lake, 'raw')), false);
    const run = await runWithStores(withTimeout(localStack(), 'Fetch', 4), { raw }, lake);
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('Sandbox.Timedout');
    expect(message(run)).toMatchObject({ step: 'Fetch', error: 'Sandbox.Timedout' });
    expect(String(message(run).cause)).toContain('Task timed out after 4.00 seconds');
  }, 30_000);

  it('a stalled S3 write ends within the budget as the retried StoreUnavailableError, never as a Lambda timeout', async () => {
    const lake = tempLake();
    const raw = stalledStore(new FsObjectStore(join(lake, 'raw')), true);
    const run = await runWithStores(withTimeout(localStack(), 'Fetch', 4), { raw }, lake);
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('StoreUnavailableError');
    expect(raw.calls).toBe(4); // the first attempt and 3 retries
  }, 30_000);
});

describe("Step Functions' 256 KB state limit", () => {
  it('an hour of 2,000 columns with long names stays within it: the step output names at most a few columns', async () => {
    const record = Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`${'measurement_of_something_quite_specific_'.repeat(3)}${i}`, i]));
    const run = await runAgainstDemo({ body: JSON.stringify(record) });
    expect({ status: run.status, error: run.error }).toEqual({ status: 'SUCCEEDED', error: undefined });
    expect(run.output?.transform?.records).toBe(1);
    expect(Buffer.byteLength(JSON.stringify(run.output))).toBeLessThan(262_144);
  });
});

describe('the execution input', () => {
  it('over 256 KB is refused before anything runs, as StartExecution refuses it', async () => {
    await expect(runAgainstDemo({}, { input: { time: '2026-11-25T18:00:00Z', pad: 'x'.repeat(262_144) } })).rejects.toThrow(/execution input is \d+ bytes; Step Functions refuses/);
  });

  it.each(['2026-11-25T18:00Z', '2026-11-25 18:00:00Z', '2026-11-25T18:00:00'])('%s is refused by CheckInput, as IsTimestamp refuses it on AWS', async (time) => {
    const run = await runAgainstDemo({}, { input: { time } });
    expect(run.status).toBe('FAILED');
    expect(run.apiCalls).toBe(0);
    expect(message(run)).toMatchObject({ step: 'CheckInput', error: 'InvalidInputError' });
  });
});
