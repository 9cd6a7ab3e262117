/**
 * One shape at one size, measured in fresh worker processes (bench/transform-worker.ts) in three rounds in
 * which the engines take turns, so that a slow minute of this shared machine does not fall on one engine.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { Shape } from './shapes.js';

export type Engine = 'ours' | 'duckdb' | 'duckdb-holding-input' | 'parse';

/** What a worker prints: one process, `runs` conversions of one input. */
interface WorkerSample {
  readonly inputBytes: number;
  readonly outputBytes: number;
  readonly ms: number[];
  readonly maxRssMb: number;
}

export interface EngineResult {
  /** Median of the warm runs of every round. */
  readonly ms: number;
  /** Each round's median of warm runs: their spread is this machine's noise. */
  readonly roundMs: readonly number[];
  /** Median over the rounds of each fresh process's first conversion (before the JIT has warmed up). */
  readonly firstMs: number;
  readonly outputBytes: number;
}

export interface SizeResult {
  readonly inputBytes: number;
  readonly runs: number;
  readonly ours: EngineResult;
  readonly duckdb: EngineResult;
  readonly parse: EngineResult;
}

const ROUNDS = 3;

/** The median; for an even count, the mean of the two middle values (never biased toward one engine). */
export const median = (xs: readonly number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** Conversions per process: about 60 MB of input, 3 to 300 (300 at 1k weather records, 3 at 135 MB). */
export const runsFor = (inputBytes: number) => Math.min(300, Math.max(3, Math.floor(60e6 / inputBytes)));

/** Runs `engine` on `input` in a fresh process. */
export function runWorker(root: string, engine: Engine, shape: Shape, input: string, runs: number): WorkerSample {
  const out = execFileSync(process.execPath, ['--import', 'tsx', join(root, 'bench/transform-worker.ts'), engine, shape.name, input, String(runs)], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  return JSON.parse(out.trim().split('\n').pop()!) as WorkerSample;
}

/** Throughput and first runs of ours, DuckDB and JSON.parse on one input. */
export function measureSize(root: string, shape: Shape, input: string, inputBytes: number): SizeResult {
  const runs = runsFor(inputBytes);
  const engines = ['ours', 'duckdb', 'parse'] as const;
  const rounds = Array.from({ length: ROUNDS }, () => engines.map((engine) => runWorker(root, engine, shape, input, runs)));
  const [ours, duckdb, parse] = engines.map((_, e) => summarize(rounds.map((round) => round[e]!))) as [EngineResult, EngineResult, EngineResult];
  return { inputBytes, runs, ours, duckdb, parse };
}

function summarize(samples: readonly WorkerSample[]): EngineResult {
  // The first runs pay for JIT warm-up and file caches: the first quarter (at least one) is dropped, for every engine.
  const warm = samples.map((s) => (s.ms.length > 2 ? s.ms.slice(Math.max(1, Math.floor(s.ms.length / 4))) : s.ms));
  return {
    ms: median(warm.flat()),
    roundMs: warm.map(median),
    firstMs: median(samples.map((s) => s.ms[0]!)),
    outputBytes: samples[0]!.outputBytes,
  };
}

/** Peak RSS (MB) of a process that converts `input` once: repeated runs would only add V8 heap headroom. */
export const peakRssMb = (root: string, engine: Engine, shape: Shape, input: string) => runWorker(root, engine, shape, input, 1).maxRssMb;
