import { spawnSync } from 'node:child_process';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { secretNameOf, stackNameOf } from '../../core/config.js';
import { deleteApiKey, SECRET_RECOVERY_WINDOW_DAYS, storeApiKey } from '../../adapters/aws/secret-admin.js';
import { configFileOf, loadConfigFile } from '../../adapters/config-file.js';
import { parse, UsageError } from '../args.js';
import { assertAwsSetup, withAwsSetup } from '../aws/clients.js';
import { confirm, promptHidden, readStdin } from '../prompt.js';
import { PIPELINE_OPTION, selectPipeline, STACK_OPTIONS } from './common.js';

export const SET_KEY_USAGE = `Usage: api-lake set-key [--config FILE] [--pipeline NAME] [--region REGION]
  Stores the source's API key in Secrets Manager (name from the config, default api-lake/<source>/api-key).
  --pipeline NAME  whose key, when the config has several pipelines (required then)
  Type it at the prompt (not echoed), or pipe it: printf %s "$KEY" | npx api-lake set-key
  There is no --key flag on purpose: a key on the command line lands in shell history.`;

export const DESTROY_USAGE = `Usage: api-lake destroy [--config FILE] [-c stackName=NAME] [--region REGION] [--yes]
  Runs \`cdk destroy\` on the config's stack (its stackName, default ApiLake; -c stackName= overrides it, as
  for cdk), then schedules the config's API key secrets (one per pipeline, each once) for deletion with a
  ${SECRET_RECOVERY_WINDOW_DAYS}-day recovery window.
  Both names are printed first. --yes skips both confirmations.`;

const client = (region?: string) => new SecretsManagerClient(region ? { region } : {});

export interface SetKeyIo {
  readonly stdin: NodeJS.ReadStream | NodeJS.ReadableStream;
  readonly out: NodeJS.WritableStream;
  readonly secrets?: Pick<SecretsManagerClient, 'send'>;
}

export async function setKeyCommand(argv: string[], io: SetKeyIo = { stdin: process.stdin, out: process.stdout }): Promise<number> {
  const { values } = parse(argv, { config: { type: 'string' }, region: { type: 'string' }, ...PIPELINE_OPTION }, SET_KEY_USAGE);
  const config = selectPipeline(loadConfigFile(values.config), values.pipeline, SET_KEY_USAGE);
  const secretName = secretNameOf(config.source);
  const secrets = io.secrets ?? client(values.region);
  // No region or no credentials: say so before asking for the key, not after it was typed.
  await assertAwsSetup(secrets, SET_KEY_USAGE);
  const interactive = (io.stdin as NodeJS.ReadStream).isTTY === true;
  const apiKey = (interactive ? await promptHidden(`API key for ${config.source.name} (input hidden): `) : await readStdin(io.stdin)).trim();
  if (!apiKey) throw new UsageError('no key given: type it at the prompt or pipe it on stdin', SET_KEY_USAGE);
  if (/\s/.test(apiKey)) throw new UsageError('the key contains whitespace; pipe exactly the key (printf %s "$KEY")', SET_KEY_USAGE);
  const outcome = await withAwsSetup(() => storeApiKey(secrets, secretName, config.source.secretField, apiKey), SET_KEY_USAGE);
  const done = { created: 'Created', updated: 'Updated', restored: 'Restored (it was scheduled for deletion) and updated' }[outcome];
  io.out.write(`${done} secret ${secretName} (${apiKey.length} characters; the key itself is not shown).\n`);
  return 0;
}

/** What destroy runs: `cdk` with its arguments and environment, returning the exit status. Tests pass a stand-in. */
export type CdkRunner = (args: string[], env: NodeJS.ProcessEnv) => number;

const runCdk: CdkRunner = (args, env) => spawnSync('npx', ['cdk', ...args], { stdio: 'inherit', env }).status ?? 1;

export interface DestroyIo {
  readonly out: NodeJS.WritableStream;
  readonly interactive: boolean;
  readonly cdk: CdkRunner;
  readonly secrets?: Pick<SecretsManagerClient, 'send'>;
  readonly confirm: (question: string) => Promise<boolean>;
}

const processIo = (): DestroyIo => ({ out: process.stdout, interactive: process.stdin.isTTY === true, cdk: runCdk, confirm: (q) => confirm(q) });

/** `-c stackName=NAME` (repeatable `-c key=value`, as cdk takes them): the stack name it sets, if any. */
export function contextStackName(values: string[] | undefined, usage: string): string | undefined {
  let stackName: string | undefined;
  for (const entry of values ?? []) {
    const match = /^([^=]+)=(.*)$/.exec(entry);
    if (!match) throw new UsageError(`-c takes key=value, got "${entry}"`, usage);
    if (match[1] === 'stackName') stackName = match[2];
  }
  return stackName;
}

export async function destroyCommand(argv: string[], io: DestroyIo = processIo()): Promise<number> {
  const { values } = parse(
    argv,
    { config: { type: 'string' }, ...STACK_OPTIONS, yes: { type: 'boolean', default: false } },
    DESTROY_USAGE,
  );
  const configFile = configFileOf(values.config);
  const app = loadConfigFile(values.config);
  const override = contextStackName(values.context, DESTROY_USAGE);
  const stackName = stackNameOf(app, override);
  // Pipelines may share a key (one API, several endpoints): each secret once.
  const secretNames = [...new Set(app.pipelines.map((p) => secretNameOf(p.source)))];
  const secretName = secretNames.join(', ');
  io.out.write(`Stack: ${stackName} (from ${override ? '-c stackName' : configFile})\nSecret${secretNames.length > 1 ? 's' : ''}: ${secretName}\n`);
  if (!values.yes && !io.interactive) throw new UsageError('no terminal to confirm on: pass --yes to destroy without asking', DESTROY_USAGE);
  // The app reads the same config (API_LAKE_CONFIG), so cdk resolves the same stack; naming it destroys only that one.
  const args = ['destroy', stackName, ...(override ? ['-c', `stackName=${override}`] : []), ...(values.yes ? ['--force'] : [])];
  if (io.cdk(args, { ...process.env, API_LAKE_CONFIG: configFile }) !== 0) {
    process.stderr.write(`cdk destroy did not finish; the API key secret ${secretName} was left in place.\n`);
    return 1;
  }
  if (!values.yes && !(await io.confirm(`Also delete the secret${secretNames.length > 1 ? 's' : ''} ${secretName} (restorable for ${SECRET_RECOVERY_WINDOW_DAYS} days)?`))) {
    io.out.write(`Kept secret${secretNames.length > 1 ? 's' : ''} ${secretName}.\n`);
    return 0;
  }
  const secrets = io.secrets ?? client(values.region);
  for (const name of secretNames) {
    const outcome = await withAwsSetup(() => deleteApiKey(secrets, name), DESTROY_USAGE);
    io.out.write(
      outcome === 'scheduled'
        ? `Secret ${name} scheduled for deletion in ${SECRET_RECOVERY_WINDOW_DAYS} days (aws secretsmanager restore-secret --secret-id ${name} undoes it).\n`
        : `Secret ${name} did not exist.\n`,
    );
  }
  return 0;
}
