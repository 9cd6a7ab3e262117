import { Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { fileURLToPath } from 'node:url';
import { SERVICE_NAME } from '../../src/contract/metrics.js';
import { ConfigError } from '../../src/core/errors.js';
import { DEFAULTS } from '../../src/core/config.js';
import { HANDLER_BUNDLING } from '../bundling.js';
import { retentionDays } from '../log-retention.js';

/** Lambda's limit on a function's environment variables, all together (4 KB; checked as 4,000 bytes of their JSON, the strictest reading). */
export const MAX_ENVIRONMENT_BYTES = 4000;
/** What an unresolved value (a bucket name from a Ref) may take once deployed: S3's longest bucket name. */
const TOKEN_BYTES = 63;

/** The Lambda runtime of every pipeline function (the latest Node.js runtime, so cdk-nag L1 holds; arm64 is about 20% cheaper per GB-second than x86). */
export const PIPELINE_RUNTIME = lambda.Runtime.NODEJS_24_X;

const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface PipelineFunctionProps {
  /** Handler entry file, relative to the project root (`src/handlers/fetch.ts`). */
  readonly entry: string;
  /** Memory in MB (128 to 10,240); Lambda gives CPU in proportion, one full vCPU at 1,769 MB. */
  readonly memoryMb: number;
  /** The function's timeout: the step's time budget plus its margin (infra/timeouts.ts). */
  readonly timeout: Duration;
  /** Environment variables, at most 4 KB in all (checked at synth); `POWERTOOLS_SERVICE_NAME` is added. */
  readonly environment: Record<string, string>;
  /**
   * How long the function's log group keeps its logs.
   * @default logs.RetentionDays.ONE_MONTH (DEFAULTS.logRetentionDays)
   */
  readonly logRetention?: logs.RetentionDays;
  /** The function's description in the console. */
  readonly description: string;
}

/**
 * One pipeline step as a Lambda: bundled by the local esbuild (no Docker) with every dependency inside,
 * Node.js 24 on arm64, X-Ray active tracing, its own log group (destroyed with the stack), and a role that starts empty: the stack grants
 * each function exactly what its step needs, and only logs to its own group.
 */
export class PipelineFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: PipelineFunctionProps) {
    super(scope, id);
    const environment = { ...props.environment, POWERTOOLS_SERVICE_NAME: SERVICE_NAME };
    assertEnvironmentFits(id, environment);
    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: props.logRetention ?? retentionDays(DEFAULTS.logRetentionDays), removalPolicy: RemovalPolicy.DESTROY });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `${Stack.of(this).stackName} ${id}: ${props.description}`,
    });
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );
    this.function = new NodejsFunction(this, 'Function', {
      entry: `${PROJECT_ROOT}/${props.entry}`,
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: `${PROJECT_ROOT}/package-lock.json`,
      handler: 'handler',
      runtime: PIPELINE_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memoryMb,
      timeout: props.timeout,
      tracing: lambda.Tracing.ACTIVE,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      description: props.description,
      environment,
      bundling: {
        format: OutputFormat.ESM,
        target: HANDLER_BUNDLING.target,
        minify: HANDLER_BUNDLING.minify,
        sourceMap: false, // keeps the bundle small (cold start); stack traces stay readable with keepNames
        keepNames: HANDLER_BUNDLING.keepNames,
        mainFields: [...HANDLER_BUNDLING.mainFields],
        externalModules: [], // every dependency inside the bundle (infra/bundling.ts)
        banner: HANDLER_BUNDLING.banner,
      },
    });
  }
}

/**
 * Lambda refuses a function whose environment passes 4 KB, but only at deploy time. The whole pipeline
 * config travels in PIPELINE_CONFIG, so a config with many columns or params could pass it: say so at synth.
 */
function assertEnvironmentFits(id: string, environment: Record<string, string>): void {
  const sized = Object.fromEntries(Object.entries(environment).map(([k, v]) => [k, Token.isUnresolved(v) ? 'x'.repeat(TOKEN_BYTES) : v]));
  const bytes = Buffer.byteLength(JSON.stringify(sized), 'utf8');
  if (bytes <= MAX_ENVIRONMENT_BYTES) return;
  const largest = Object.entries(sized).sort((a, b) => b[1].length - a[1].length)[0]!;
  throw new ConfigError(
    [
      `the ${id} function's environment would be ${bytes} bytes, over Lambda's 4 KB (${MAX_ENVIRONMENT_BYTES} bytes) for all its variables; ` +
        `${largest[0]} alone is ${Buffer.byteLength(largest[1])} bytes (the pipeline config travels in it): shorten source.params, source.headers or source.columns`,
    ],
    'configuration',
  );
}
