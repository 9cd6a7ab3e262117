import '../polyfills.js';
import { ConfigError } from '../core/errors.js';
import { UsageError } from './args.js';

const HELP = `api-lake: pull an HTTP API into a data lake on a schedule (AWS), with a local twin.

Commands (local, no AWS account):
  start                  npm start: one hour through the local twin against the bundled demo API, then a query
  run [options]          run the deployed state machine for one hour on this machine
  backfill --from --to   run every hour of a range, in order
  reprocess --from --to  transform the stored raw data of a range again, without calling the API (--aws: on AWS)
  demo-api [options]     the bundled WeatherAPI.com look-alike, with fault injection
  query "SQL"            SQL over the curated lake with DuckDB

Commands (AWS):
  set-key                store the API key in Secrets Manager (prompt or stdin)
  verify                 after cdk deploy: run one hour on AWS and check raw, curated and Athena
  destroy [--yes]        cdk destroy, then delete the API key secret

Run \`api-lake <command> --help\` for a command's options.`;

type Command = (argv: string[]) => Promise<number>;

const commands: Record<string, () => Promise<{ run: Command; usage: string }>> = {
  start: async () => ({ run: (await import('./commands/run.js')).startCommand, usage: HELP }),
  run: async () => ({ run: (await import('./commands/run.js')).runCommand, usage: (await import('./commands/run.js')).RUN_USAGE }),
  backfill: async () => ({ run: (await import('./commands/run.js')).backfillCommand, usage: (await import('./commands/run.js')).BACKFILL_USAGE }),
  reprocess: async () => ({ run: (argv) => import('./commands/reprocess.js').then((m) => m.reprocessCommand(argv)), usage: (await import('./commands/reprocess.js')).REPROCESS_USAGE }),
  'demo-api': async () => ({ run: (await import('./commands/demo-api.js')).demoApiCommand, usage: (await import('./commands/demo-api.js')).DEMO_API_USAGE }),
  query: async () => ({ run: (await import('./commands/query.js')).queryCommand, usage: (await import('./commands/query.js')).QUERY_USAGE }),
  'set-key': async () => ({ run: (argv) => import('./commands/aws.js').then((m) => m.setKeyCommand(argv)), usage: (await import('./commands/aws.js')).SET_KEY_USAGE }),
  destroy: async () => ({ run: (argv) => import('./commands/aws.js').then((m) => m.destroyCommand(argv)), usage: (await import('./commands/aws.js')).DESTROY_USAGE }),
  verify: async () => ({ run: (argv) => import('./commands/verify.js').then((m) => m.verifyCommand(argv)), usage: (await import('./commands/verify.js')).VERIFY_USAGE }),
};

/** Runs one CLI invocation and returns its exit status: 0 ok, 1 pipeline failure, 2 bad arguments or config. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(`${HELP}\n`);
    return name ? 0 : 2;
  }
  const load = commands[name];
  if (!load) {
    process.stderr.write(`api-lake: unknown command "${name}"\n\n${HELP}\n`);
    return 2;
  }
  const command = await load();
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(rest);
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

const isEntry = process.argv[1] && /(main\.ts|api-lake(\.js)?)$/.test(process.argv[1]);
if (isEntry) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: Error) => {
      process.stderr.write(`api-lake: unexpected error: ${error.name}: ${error.message}\n`);
      process.exit(1);
    },
  );
}
