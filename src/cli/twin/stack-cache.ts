import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { asAppConfig, type AppConfig, type PipelineConfig } from '../../core/config.js';
import { innerMachines, localStackOf, type AmazonStatesDefinition, type CfnTemplate, type LocalStack, type StateDefinition } from './local-stack.js';

/**
 * What makes the stack's template: given to the CLI by its entry point (bin/api-lake.js wires the CDK app,
 * infra/twin-template.ts), so nothing in src/ imports infra/.
 */
export interface Synthesizer {
  synthesize(config: PipelineConfig | AppConfig): Promise<{ template: CfnTemplate; stackName: string }>;
  /** The files and directories the template is a function of, besides the config (the cache's fingerprint). */
  readonly inputs: readonly string[];
}

/** This directory: how the twin reads a template (local-stack.ts, iam/) is part of what it caches. */
const TWIN_DIR = fileURLToPath(new URL('.', import.meta.url));
const CACHE_DIR = fileURLToPath(new URL('../../../node_modules/.cache/api-lake', import.meta.url));

/**
 * The deployed stack for this config, as the twin runs it (local-stack.ts). Synthesizing loads aws-cdk-lib and
 * takes about 2 s, so the result is kept under a fingerprint of everything it depends on: the config, the
 * synthesizer's inputs (infra/, the core, the contract, package-lock.json for the aws-cdk-lib version, cdk.json)
 * and the twin's own reading of the template. Any change to any of them is a new fingerprint and a fresh
 * synth, so the cache cannot drift from what deploys. A fresh definition is validated (ASL, JSONPaths, ARNs)
 * before it is cached, so a run need not validate again. `API_LAKE_NO_CACHE=1` always synthesizes.
 */
export async function loadLocalStack(
  config: PipelineConfig | AppConfig,
  synthesizer: Synthesizer,
  env: NodeJS.ProcessEnv = process.env,
  pipeline?: string,
): Promise<{ stack: LocalStack; cached: boolean }> {
  const app = asAppConfig(config);
  const name = pipeline ?? ('pipelines' in config ? undefined : config.name);
  const file = join(CACHE_DIR, `stack-${fingerprint(app, synthesizer.inputs, name)}.json`);
  if (env.API_LAKE_NO_CACHE !== '1') {
    try {
      return { stack: JSON.parse(readFileSync(file, 'utf8')) as LocalStack, cached: true };
    } catch {
      // not cached yet (or unreadable): synthesize below
    }
  }
  const { template, stackName } = await synthesizer.synthesize(app);
  const stack = localStackOf(template, stackName, name);
  await validateDefinition(stack.definition);
  try {
    mkdirSync(CACHE_DIR, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(stack));
    renameSync(tmp, file);
  } catch {
    // a read-only checkout still runs, it just synthesizes every time
  }
  return { stack, cached: false };
}

/** aws-local-stepfunctions' validation with every check on: the States Language schema, JSONPaths and ARNs. */
export const FULL_VALIDATION = { checkPaths: true, checkArn: true } as const;

/**
 * Throws when the definition is not one Step Functions accepts (aws-local-stepfunctions' validator: the
 * Amazon States Language schema, JSONPaths and ARNs). It takes about 0.4 s, a third of a cached run.
 */
export async function validateDefinition(definition: AmazonStatesDefinition): Promise<void> {
  const { StateMachine } = await import('aws-local-stepfunctions');
  new StateMachine(structuredClone(definition) as never, { validationOptions: FULL_VALIDATION });
}

/**
 * SHA-256 over the config and the contents of every input (each .ts file of a directory, or the file), in a
 * stable order. The source URL is left out: it reaches only the functions' environment, never the definition
 * (a test holds this), and `--demo` gives it a new port on every run.
 */
export function fingerprint(config: PipelineConfig | AppConfig, inputs: readonly string[], pipeline?: string): string {
  const app = asAppConfig(config);
  const hash = createHash('sha256').update(canonicalJson({ ...app, pipelines: app.pipelines.map((p) => ({ ...p, source: { ...p.source, url: undefined } })), pipeline }));
  const files = [...inputs, TWIN_DIR].flatMap((input) =>
    statSync(input).isDirectory() ? (readdirSync(input, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts')).map((f) => join(input, f)) : [input],
  );
  for (const f of files.sort()) hash.update(`\0${f}\0`).update(readFileSync(f));
  return hash.digest('hex').slice(0, 32);
}

/** JSON with every object's keys in order: the same config gives the same text however its fields were built. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_, v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))) : v));
}

/** Names of every Task state, nested ones included (Parallel branches, Map processors). */
export function taskStateNames(definition: { States: Record<string, StateDefinition> }): string[] {
  const names: string[] = [];
  for (const [name, state] of Object.entries(definition.States)) {
    if (state.Type === 'Task') names.push(name);
    for (const inner of innerMachines(state)) names.push(...taskStateNames(inner));
  }
  return names;
}
