import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PipelineConfig } from '../../core/config.js';
import type { AmazonStatesDefinition, LocalStack, StateDefinition } from './local-stack.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
/** Everything the synthesized definition is a function of, besides the config. */
const INPUT_DIRS = ['infra', 'src/core'];
const INPUT_FILES = ['src/cli/twin/synthesize.ts', 'src/cli/twin/local-stack.ts', 'src/cli/twin/iam/policy.ts', 'package-lock.json', 'cdk.json'];
const CACHE_DIR = join(ROOT, 'node_modules/.cache/api-lake');

/**
 * The deployed stack for this config, as the twin runs it (local-stack.ts). Synthesizing loads aws-cdk-lib and takes
 * about 2 s, so the result is kept under a fingerprint of everything it depends on: the config, every
 * file of infra/ and src/core/, the synthesizer, package-lock.json (the aws-cdk-lib version) and
 * cdk.json. Any change to any of them is a new fingerprint and a fresh synth, so the cache cannot
 * drift from what deploys. A fresh definition is validated (ASL, JSONPaths, ARNs) before it is cached, so a
 * run need not validate again. `API_LAKE_NO_CACHE=1` always synthesizes.
 */
export async function loadLocalStack(config: PipelineConfig, env: NodeJS.ProcessEnv = process.env): Promise<{ stack: LocalStack; cached: boolean }> {
  const file = join(CACHE_DIR, `stack-${fingerprint(config)}.json`);
  if (env.API_LAKE_NO_CACHE !== '1') {
    try {
      return { stack: JSON.parse(readFileSync(file, 'utf8')) as LocalStack, cached: true };
    } catch {
      // not cached yet (or unreadable): synthesize below
    }
  }
  const { synthesizeLocalStack } = await import('./synthesize.js');
  const stack = synthesizeLocalStack(config);
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
 * SHA-256 over the config and the contents of every input file, in a stable order. The source URL is
 * left out: it reaches only the functions' environment, never the definition (a test holds this), and
 * `--demo` gives it a new port on every run.
 */
export function fingerprint(config: PipelineConfig): string {
  const hash = createHash('sha256').update(JSON.stringify({ ...config, source: { ...config.source, url: undefined } }));
  const files = [
    ...INPUT_DIRS.flatMap((dir) => (readdirSync(join(ROOT, dir), { recursive: true }) as string[]).filter((f) => f.endsWith('.ts')).map((f) => join(dir, f))),
    ...INPUT_FILES,
  ].sort();
  for (const f of files) hash.update(`\0${f}\0`).update(readFileSync(join(ROOT, f)));
  return hash.digest('hex').slice(0, 32);
}

/** Names of every Task state, nested ones included (Parallel branches, Map processors). */
export function taskStateNames(definition: { States: Record<string, StateDefinition> }): string[] {
  const names: string[] = [];
  for (const [name, state] of Object.entries(definition.States)) {
    if (state.Type === 'Task') names.push(name);
    for (const branch of (state.Branches as { States: Record<string, StateDefinition> }[] | undefined) ?? []) names.push(...taskStateNames(branch));
    const processor = (state.ItemProcessor ?? state.Iterator) as { States: Record<string, StateDefinition> } | undefined;
    if (processor) names.push(...taskStateNames(processor));
  }
  return names;
}
