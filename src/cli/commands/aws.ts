import { spawnSync } from 'node:child_process';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { secretNameOf } from '../../core/config.js';
import { deleteApiKey, SECRET_RECOVERY_WINDOW_DAYS, storeApiKey } from '../../adapters/aws/secret-admin.js';
import { loadConfigFile } from '../../adapters/local/config-file.js';
import { parse, UsageError } from '../args.js';
import { confirm, promptHidden, readStdin } from '../prompt.js';

export const SET_KEY_USAGE = `Usage: npx api-lake set-key [--config FILE] [--region REGION]
  Stores the source's API key in Secrets Manager (name from the config, default api-lake/<source>/api-key).
  Type it at the prompt (not echoed), or pipe it: printf %s "$KEY" | npx api-lake set-key
  There is no --key flag on purpose: a key on the command line lands in shell history.`;

export const DESTROY_USAGE = `Usage: npx api-lake destroy [--config FILE] [--region REGION] [--yes]
  Runs \`cdk destroy\` (buckets are emptied and deleted), then schedules the API key secret for
  deletion with a ${SECRET_RECOVERY_WINDOW_DAYS}-day recovery window. --yes skips both confirmations.`;

const client = (region?: string) => new SecretsManagerClient(region ? { region } : {});

/** Turns the SDK's "no credentials" and "no region" failures into a message that says what to do. */
async function withAwsSetup<T>(run: () => Promise<T>, usage: string): Promise<T> {
  try {
    return await run();
  } catch (error) {
    const { name, message } = error as Error;
    if (name === 'CredentialsProviderError') {
      throw new UsageError('no AWS credentials found: run `aws configure` or `aws sso login`, or set AWS_PROFILE, then try again', usage);
    }
    if (/region is missing/i.test(message)) throw new UsageError('no AWS region: pass --region or set AWS_REGION', usage);
    throw error;
  }
}

export interface SetKeyIo {
  readonly stdin: NodeJS.ReadStream | NodeJS.ReadableStream;
  readonly out: NodeJS.WritableStream;
  readonly secrets?: Pick<SecretsManagerClient, 'send'>;
}

export async function setKeyCommand(argv: string[], io: SetKeyIo = { stdin: process.stdin, out: process.stdout }): Promise<number> {
  const { values } = parse(argv, { config: { type: 'string' }, region: { type: 'string' } }, SET_KEY_USAGE);
  const config = loadConfigFile(values.config);
  const secretName = secretNameOf(config.source);
  const interactive = (io.stdin as NodeJS.ReadStream).isTTY === true;
  const apiKey = (interactive ? await promptHidden(`API key for ${config.source.name} (input hidden): `) : await readStdin(io.stdin)).trim();
  if (!apiKey) throw new UsageError('no key given: type it at the prompt or pipe it on stdin', SET_KEY_USAGE);
  if (/\s/.test(apiKey)) throw new UsageError('the key contains whitespace; pipe exactly the key (printf %s "$KEY")', SET_KEY_USAGE);
  const outcome = await withAwsSetup(() => storeApiKey(io.secrets ?? client(values.region), secretName, config.source.secretField, apiKey), SET_KEY_USAGE);
  io.out.write(`${outcome === 'created' ? 'Created' : 'Updated'} secret ${secretName} (${apiKey.length} characters; the key itself is not shown).\n`);
  return 0;
}

export async function destroyCommand(argv: string[]): Promise<number> {
  const { values } = parse(argv, { config: { type: 'string' }, region: { type: 'string' }, yes: { type: 'boolean', default: false } }, DESTROY_USAGE);
  const config = loadConfigFile(values.config);
  if (!values.yes && !process.stdin.isTTY) throw new UsageError('no terminal to confirm on: pass --yes to destroy without asking', DESTROY_USAGE);
  const cdk = spawnSync('npx', ['cdk', 'destroy', ...(values.yes ? ['--force'] : [])], { stdio: 'inherit' });
  if (cdk.status !== 0) {
    process.stderr.write('cdk destroy did not finish; the API key secret was left in place.\n');
    return 1;
  }
  const secretName = secretNameOf(config.source);
  if (!values.yes && !(await confirm(`Also delete the secret ${secretName} (restorable for ${SECRET_RECOVERY_WINDOW_DAYS} days)?`))) {
    process.stdout.write(`Kept secret ${secretName}.\n`);
    return 0;
  }
  const outcome = await withAwsSetup(() => deleteApiKey(client(values.region), secretName), DESTROY_USAGE);
  process.stdout.write(
    outcome === 'scheduled'
      ? `Secret ${secretName} scheduled for deletion in ${SECRET_RECOVERY_WINDOW_DAYS} days (aws secretsmanager restore-secret --secret-id ${secretName} undoes it).\n`
      : `Secret ${secretName} did not exist.\n`,
  );
  return 0;
}
