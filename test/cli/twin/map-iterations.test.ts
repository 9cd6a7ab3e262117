import { describe, expect, it } from 'vitest';
import { serviceFailure } from '../../../src/cli/twin/local-lambda.js';
import { InFlight, MAP_STOPPED, stopsWithItsMap } from '../../../src/cli/twin/map-iterations.js';

const state = { Type: 'Task', Retry: [{ ErrorEquals: ['Lambda.ServiceException'], MaxAttempts: 6 }, { ErrorEquals: ['ApiUnavailableError'], MaxAttempts: 2 }] };
const failing = (name: string) => async () => {
  throw serviceFailure(name, 'down');
};

describe('a Task in a Map iteration, as Step Functions stops the Map', () => {
  it('keeps starting iterations while a failed one has retries left, and stops them once it has none', async () => {
    const calls: unknown[] = [];
    const handler = stopsWithItsMap(
      async (input) => {
        calls.push(input);
        if ((input as { request: { index: number } }).request.index === 0) throw serviceFailure('ApiUnavailableError', 'down');
        return 'ok';
      },
      state,
      (input) => String((input as { request: { index: number } }).request.index),
    );
    const iteration = (index: number) => handler({ request: { index } });
    await expect(iteration(0)).rejects.toThrow('down'); // attempt 1, retried
    await expect(iteration(1)).resolves.toBe('ok');
    await expect(iteration(0)).rejects.toThrow('down'); // attempt 2, retried
    await expect(iteration(0)).rejects.toThrow('down'); // attempt 3: the retrier (MaxAttempts 2) is spent, the Map fails
    await expect(iteration(2)).rejects.toMatchObject({ name: MAP_STOPPED });
    expect(calls).toHaveLength(4);
  });

  it('stops at once on an error no retrier takes', async () => {
    const handler = stopsWithItsMap(failing('ApiRequestError'), state, () => '0');
    await expect(handler({})).rejects.toMatchObject({ name: 'ApiRequestError' });
    await expect(handler({})).rejects.toMatchObject({ name: MAP_STOPPED });
  });

  it('counts each retrier apart, and takes States.ALL and States.TaskFailed as Step Functions does', async () => {
    const all = stopsWithItsMap(failing('Anything'), { Type: 'Task', Retry: [{ ErrorEquals: ['States.TaskFailed'], MaxAttempts: 1 }] }, () => '0');
    await expect(all({})).rejects.toMatchObject({ name: 'Anything' }); // retried once
    await expect(all({})).rejects.toMatchObject({ name: 'Anything' }); // spent
    await expect(all({})).rejects.toMatchObject({ name: MAP_STOPPED });
    const timeout = stopsWithItsMap(failing('States.Timeout'), { Type: 'Task', Retry: [{ ErrorEquals: ['States.TaskFailed'], MaxAttempts: 5 }] }, () => '0');
    await expect(timeout({})).rejects.toMatchObject({ name: 'States.Timeout' }); // TaskFailed does not take a timeout
    await expect(timeout({})).rejects.toMatchObject({ name: MAP_STOPPED });
  });

  it('ends a run only when every invocation it started has ended', async () => {
    const inFlight = new InFlight();
    let done = false;
    const slow = inFlight.track(() => new Promise((resolve) => setTimeout(() => resolve((done = true)), 50)));
    void slow({});
    await inFlight.settled();
    expect(done).toBe(true);
  });
});
