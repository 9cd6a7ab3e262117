import { serviceFailure, type TaskHandler } from './local-lambda.js';
import type { StateDefinition } from './local-stack.js';

/** The error a Map iteration the twin does not start gets: Step Functions would not have started it. */
export const MAP_STOPPED = 'States.MapStopped';

interface Retrier {
  readonly ErrorEquals: readonly string[];
  readonly MaxAttempts?: number;
}

/**
 * A Task inside a Map's iterations, as Step Functions runs it: once an iteration fails for good (an error no
 * retrier takes, or one whose retrier is spent), the Map fails and its other iterations stop. The twin's library
 * (aws-local-stepfunctions) aborts the iterations running then but still starts those queued behind
 * MaxConcurrency, which would call the API and write raw objects after the hour had failed. This wrapper counts
 * each iteration's attempts against the state's Retry, as Step Functions does, and from the failure on refuses
 * to run the task again in that Map (MAP_STOPPED, an iteration nobody waits for).
 */
export function stopsWithItsMap(handler: TaskHandler, state: StateDefinition, iterationOf: (input: unknown) => string): TaskHandler {
  const retriers = (state.Retry ?? []) as readonly Retrier[];
  const attempts = new Map<string, number>();
  let failed: string | undefined;
  return async (input) => {
    if (failed !== undefined) throw serviceFailure(MAP_STOPPED, `not started: iteration ${failed} failed, and Step Functions stops the Map's other iterations`);
    try {
      return await handler(input);
    } catch (error) {
      const iteration = iterationOf(input);
      const name = (error as Error).name;
      const index = retriers.findIndex((r) => r.ErrorEquals.some((e) => e === name || e === 'States.ALL' || (e === 'States.TaskFailed' && name !== 'States.Timeout')));
      const key = `${iteration}:${index}`;
      const made = attempts.get(key) ?? 0;
      if (index < 0 || made >= (retriers[index]!.MaxAttempts ?? 3)) failed = iteration;
      else attempts.set(key, made + 1);
      throw error;
    }
  };
}

/**
 * Every invocation of the local tasks of one execution, so the run can end only when they have: a Map
 * iteration the library started after the execution's outcome was decided must not write after it returned.
 */
export class InFlight {
  private readonly running = new Set<Promise<unknown>>();

  track(handler: TaskHandler): TaskHandler {
    return (input) => {
      const call = handler(input);
      this.running.add(call);
      void call.then(
        () => this.running.delete(call),
        () => this.running.delete(call),
      );
      return call;
    };
  }

  async settled(): Promise<void> {
    while (this.running.size) await Promise.allSettled([...this.running]);
  }
}
