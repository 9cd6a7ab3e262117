import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig, type PipelineConfig } from '../../src/core/config.js';
import { scheduledHour } from '../../src/core/layout.js';
import { localStackOf, type AmazonStatesDefinition, type LocalStack, type StateDefinition } from '../../src/cli/twin/local-stack.js';
import type { Synthesizer } from '../../src/cli/twin/stack-cache.js';
import { TEMPLATE_INPUTS } from '../../infra/twin-inputs.js';
import { synthesizeTemplate } from '../../infra/twin-template.js';
import { runHour, type ProgressEvent, type RunResult } from '../../src/cli/twin/run.js';
import type { InjectedFaults } from '../../src/cli/twin/local-lambda.js';
import { startDemoApi, type DemoApiOptions } from '../../src/demo/weather-api.js';
import { projectConfig } from './synth.js';
import { tempDir } from './temp-dirs.js';

/** The clock of a run of `hour` as the schedule starts it: a few minutes into the hour. */
export const clockOf = (hour: { iso: string }) => () => Date.parse(hour.iso) + 3 * 60_000;

/** A key no real text contains, so finding it anywhere means it leaked. */
export const RECOGNISABLE_KEY = 'LEAK-CANARY-9f8e7d6c5b4a';

/** The CDK app as the CLI's entry point gives it to the twin. */
export const synthesizer: Synthesizer = { synthesize: async (config) => synthesizeTemplate(config), inputs: TEMPLATE_INPUTS };

/** The stack of a config as the twin runs it, synthesized now (about 2 s). */
export function synthesizeLocalStack(config: PipelineConfig): LocalStack {
  const { template, stackName } = synthesizeTemplate(config);
  return localStackOf(template, stackName);
}

let cachedStack: LocalStack | undefined;
/** The project config's stack as the twin runs it: synthesized once per test file. */
export function localStack(): LocalStack {
  cachedStack ??= synthesizeLocalStack(projectConfig());
  return cachedStack;
}

/** The synthesized state machine definition. */
export function definition(): AmazonStatesDefinition {
  return localStack().definition;
}

/** A state of the definition by name, inside the Map's ItemProcessor too. */
export function stateOf(name: string, of: AmazonStatesDefinition = definition()): StateDefinition {
  const found = of.States[name] ?? Object.values(of.States).map((s) => (s.ItemProcessor as AmazonStatesDefinition | undefined)?.States[name]).find(Boolean);
  if (!found) throw new Error(`no state ${name} in the definition`);
  return found;
}

/** An empty lake directory, removed after the test file. */
export function tempLake(): string {
  return tempDir('api-lake-e2e-');
}

export interface TwinRun extends RunResult {
  readonly lake: string;
  readonly progress: ProgressEvent[];
  readonly apiCalls: number;
}

/** Runs one hour of the synthesized state machine against a demo API with the given faults. */
export async function runAgainstDemo(
  faults: DemoApiOptions = {},
  options: {
    lake?: string;
    hour?: string;
    input?: unknown;
    config?: (c: PipelineConfig) => PipelineConfig;
    stack?: LocalStack;
    inject?: InjectedFaults;
    now?: () => number;
    allowCurrentData?: boolean;
    /** Called with each progress event and an abort function: a test interrupts the run where it likes. */
    interrupt?: (event: ProgressEvent) => boolean;
  } = {},
): Promise<TwinRun> {
  const hour = scheduledHour(options.hour ?? '2026-11-25T18:00:00Z');
  const api = await startDemoApi({ key: RECOGNISABLE_KEY, now: () => Date.parse(hour.iso), ...faults });
  const lake = options.lake ?? tempLake();
  const base = projectConfig();
  const withUrl = parseConfig({ ...base, source: { ...base.source, url: `${api.url}/v1/current.json` } });
  const config = options.config ? options.config(withUrl) : withUrl;
  const progress: ProgressEvent[] = [];
  const interrupt = new AbortController();
  try {
    const result = await runHour({
      signal: interrupt.signal,
      config,
      stack: options.stack ?? localStack(),
      inject: options.inject,
      // The run happens in its own hour, as the schedule starts it (the default source answers for "now" only).
      now: options.now ?? clockOf(hour),
      allowCurrentData: options.allowCurrentData,
      lakeDir: lake,
      hour,
      fast: true,
      apiKey: RECOGNISABLE_KEY,
      input: options.input,
      onProgress: (e) => {
        progress.push(e);
        if (options.interrupt?.(e)) interrupt.abort();
      },
    });
    return { ...result, lake, progress, apiCalls: api.calls() };
  } finally {
    await api.close();
  }
}

/** Every file under `dir`, recursively. */
export function filesUnder(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries.flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** Everything a run produced, as text: the result, the progress, every file in the lake. */
export function everythingProduced(run: TwinRun): string {
  return [JSON.stringify(run), ...filesUnder(run.lake).map((f) => `${f}\n${readFileSync(f, 'latin1')}`)].join('\n');
}
