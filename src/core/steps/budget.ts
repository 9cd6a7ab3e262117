/**
 * Time a function keeps back from its remaining time to end a step itself: to return the error to Step
 * Functions and flush its logs and metrics. A call still running at the budget is abandoned as a transient
 * failure (retried), never left for the platform to end as a function timeout.
 */
export const REPORT_RESERVE_MS = 3_000;

/** A signal that aborts when the invocation's time budget (its remaining time less the reserve) runs out. */
export function stepBudget(remainingMs: number): AbortSignal {
  return AbortSignal.timeout(Math.max(1, remainingMs - REPORT_RESERVE_MS));
}
