import '../polyfills.js';
import { readFileSync } from 'node:fs';
import { ConfigError } from '../core/errors.js';
import { closestName, UsageError } from './args.js';
import type { CliContext } from './context.js';

const HELP = `api-lake: pull an HTTP API into a data lake on a schedule (AWS), with a local twin.

Commands (local, no AWS account):
  start                  npm start: one hour through the local twin against the bundled demo API, then a query
  run [options]          run the deployed state machine for one hour on this machine
  backfill --from --to   run every hour of a range, in order
  reprocess --from --to  transform the stored raw data of a range again, without calling the API (--aws: on AWS)
  demo-api [options]     the bundled WeatherAPI.com look-alike, with fault injection
  query "SQL"            SQL over the curated lake with DuckDB
  catalog [--ddl|--json] the curated table as the twin's catalog holds it (Athena's view of it)
  status                 every scheduled hour of the last day (--from, --to): loaded, skipped, failed, ... (--aws: on AWS)

Commands (AWS):
  set-key                store the API key in Secrets Manager (prompt or stdin)
  verify                 after cdk deploy: run one hour on AWS and check raw, curated and Athena
  destroy [--yes]        cdk destroy, then delete the API key secret

Options:
  --help, -h             this list; \`api-lake <command> --help\`: that command's options
  --version, -v          the version of api-lake`;

type Command = (argv: string[], context: CliContext) => Promise<number>;

/** Each command's module is loaded only when it runs (the AWS SDK, DuckDB and aws-cdk-lib are slow to load). */
const commands: Record<string, () => Promise<{ run: Command; usage: string }>> = {
  start: async () => {
    const m = await import('./commands/run.js');
    return { run: (argv, context) => m.startCommand(argv, context), usage: m.START_USAGE };
  },
  run: async () => {
    const m = await import('./commands/run.js');
    return { run: (argv, context) => m.runCommand(argv, context), usage: m.RUN_USAGE };
  },
  backfill: async () => {
    const m = await import('./commands/run.js');
    return { run: (argv, context) => m.backfillCommand(argv, context), usage: m.BACKFILL_USAGE };
  },
  reprocess: async () => {
    const m = await import('./commands/reprocess.js');
    return { run: (argv, context) => m.reprocessCommand(argv, { out: process.stdout, synthesizer: context.synthesizer }), usage: m.REPROCESS_USAGE };
  },
  'demo-api': async () => {
    const m = await import('./commands/demo-api.js');
    return { run: (argv) => m.demoApiCommand(argv), usage: m.DEMO_API_USAGE };
  },
  query: async () => {
    const m = await import('./commands/query.js');
    return { run: (argv) => m.queryCommand(argv), usage: m.QUERY_USAGE };
  },
  catalog: async () => {
    const m = await import('./commands/catalog.js');
    return { run: (argv, context) => m.catalogCommand(argv, { out: process.stdout, synthesizer: context.synthesizer }), usage: m.CATALOG_USAGE };
  },
  status: async () => {
    const m = await import('./commands/status.js');
    return { run: (argv) => m.statusCommand(argv), usage: m.STATUS_USAGE };
  },
  'set-key': async () => {
    const m = await import('./commands/aws.js');
    return { run: (argv) => m.setKeyCommand(argv), usage: m.SET_KEY_USAGE };
  },
  destroy: async () => {
    const m = await import('./commands/aws.js');
    return { run: (argv) => m.destroyCommand(argv), usage: m.DESTROY_USAGE };
  },
  verify: async () => {
    const m = await import('./commands/verify.js');
    return { run: (argv) => m.verifyCommand(argv), usage: m.VERIFY_USAGE };
  },
};

/** The version in package.json, read only when asked for. */
function version(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

/** Runs one CLI invocation and returns its exit status: 0 ok, 1 pipeline failure, 2 bad arguments or config. */
export async function main(argv: string[], context: CliContext): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(`${HELP}\n`);
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-v') {
    process.stdout.write(`${version()}\n`);
    return 0;
  }
  const load = commands[name];
  if (!load) {
    const meant = closestName(name, [...Object.keys(commands), '--help', '--version']);
    process.stderr.write(meant ? `api-lake: unknown command "${name}": did you mean ${meant}? (\`api-lake --help\` lists the commands)\n` : `api-lake: unknown command "${name}"\n\n${HELP}\n`);
    return 2;
  }
  const command = await load();
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(rest, context);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`api-lake ${name}: ${error.message}\n${error.usage ? `\n${error.usage}\n` : ''}`);
      return 2;
    }
    if (error instanceof ConfigError) {
      process.stderr.write(`api-lake ${name}: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}
