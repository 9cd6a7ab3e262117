import type { SourceConfig } from '../config.js';
import type { HttpClient, ObjectStore, SecretStore, StepLogger, TableCatalog } from '../ports.js';
import { REPORT_RESERVE_MS, stepBudget } from './budget.js';
import { runFetchStep, type FetchInput, type FetchOutput } from './fetch.js';
import { runTransformStep, type TransformInput, type TransformOutput } from './transform.js';

/** The adapters of the Fetch step. The Lambda handlers and the local twin differ only in these. */
export interface FetchPorts {
  readonly raw: ObjectStore;
  /** The curated zone, where an incremental source's cursor is kept (`source.incremental` only). */
  readonly curated?: ObjectStore;
  readonly secrets: SecretStore;
  readonly http: HttpClient;
  readonly logger: StepLogger;
  readonly now?: () => number;
}

/** The adapters of the Transform step. */
export interface TransformPorts {
  readonly raw: ObjectStore;
  readonly curated: ObjectStore;
  /** The table in the data catalog, when the pipeline keeps it (`catalog.mode` "projection"). */
  readonly catalog?: TableCatalog;
  readonly logger: StepLogger;
  readonly now?: () => number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The Fetch step wired to its ports, as a function of one invocation: its input and, when the platform
 * tells it, the time left before the function's timeout (its calls then end within it: budget.ts).
 */
export function fetchStep(source: SourceConfig, ports: FetchPorts): (input: FetchInput, remainingMs?: number) => Promise<FetchOutput> {
  const now = ports.now ?? Date.now;
  return (input, remainingMs) => {
    // The budget runs on the real clock (the platform's), whatever clock `now` is.
    const started = performance.now();
    const timeLeftMs = remainingMs === undefined ? undefined : () => remainingMs - REPORT_RESERVE_MS - (performance.now() - started);
    return runFetchStep(input, { source, ...ports, now, sleep, signal: remainingMs === undefined ? undefined : stepBudget(remainingMs), timeLeftMs });
  };
}

/** The Transform step wired to its ports, as a function of one invocation (as fetchStep). */
export function transformStep(source: SourceConfig, table: string, ports: TransformPorts): (input: TransformInput, remainingMs?: number) => Promise<TransformOutput> {
  const now = ports.now ?? Date.now;
  return (input, remainingMs) =>
    runTransformStep(input, { source, table, ...ports, now, signal: remainingMs === undefined ? undefined : stepBudget(remainingMs) });
}
