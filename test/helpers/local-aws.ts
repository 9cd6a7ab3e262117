import { LocalAccess, type RoleSession } from '../../src/cli/twin/iam/access.js';
import { loadLocalStack } from '../../src/cli/twin/stack-cache.js';
import { synthesizer } from './twin.js';
import { LOCAL_REGION, localSecretArn, type LocalFunction, type LocalStack } from '../../src/cli/twin/local-stack.js';
import { functionOf } from '../../src/cli/twin/local-tasks.js';
import { loadConfigFile } from '../../src/adapters/config-file.js';
import { DEMO_API_KEY, startDemoApi, type DemoApi } from '../../src/demo/weather-api.js';
import { startGlue, type GlueStandIn } from './glue-server.js';
import { startIamGateway, type IamGateway } from './iam-gateway.js';
import { startS3Server } from './s3-server.js';
import { startSecretsManager, type SecretsManagerStandIn } from './secrets-manager-server.js';

// s3rver accepts only its own account; each role is told apart by its (signed) session token.
const CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
const tokenOf = (fn: LocalFunction) => `session-${fn.roleArn.split('/').pop()}`;

export type PipelineStep = 'Fetch' | 'Transform';

export interface LocalAws {
  readonly stack: LocalStack;
  /** s3rver itself, for a test to prepare and inspect objects with admin rights (no IAM). */
  readonly s3: Awaited<ReturnType<typeof startS3Server>>;
  /** The buckets of the stack, by the environment variable that names them. */
  readonly buckets: { readonly raw: string; readonly curated: string };
  readonly secrets: SecretsManagerStandIn;
  /** Glue, holding the stack's tables as CloudFormation creates them. */
  readonly glue: GlueStandIn;
  readonly api: DemoApi;
  /**
   * The environment the stack gives a pipeline function, with the source pointed at the demo API, S3 at an
   * IAM gateway in front of s3rver, Secrets Manager and Glue at their stand-ins, all enforcing that function's role.
   */
  env(step: PipelineStep): NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

/**
 * What the Lambda handlers talk to, on 127.0.0.1, enforcing the synthesized stack's IAM as AWS would: S3
 * (s3rver behind an IAM gateway, with the stack's buckets), Secrets Manager holding the demo API's key under
 * the stack's secret name, and the demo API.
 */
export async function startLocalAws(): Promise<LocalAws> {
  const { stack } = await loadLocalStack(loadConfigFile(), synthesizer);
  const access = new LocalAccess(stack);
  const functions = { Fetch: functionOf(stack, 'Fetch'), Transform: functionOf(stack, 'Transform') };
  const callers: Record<string, RoleSession> = Object.fromEntries(
    Object.values(functions).map((fn) => [tokenOf(fn), { roleArn: fn.roleArn, session: fn.arn.split(':').pop()! }]),
  );
  const buckets = { raw: functions.Transform.environment.RAW_BUCKET!, curated: functions.Transform.environment.CURATED_BUCKET! };
  const secretName = functions.Fetch.environment.SECRET_NAME!;
  const s3 = await startS3Server([buckets.raw, buckets.curated]);
  const gateway: IamGateway = await startIamGateway(s3.endpoint, access, callers);
  const secrets = await startSecretsManager({
    credentials: CREDENTIALS,
    region: LOCAL_REGION,
    secretName,
    value: JSON.stringify({ apiKey: DEMO_API_KEY }),
    iam: { access, callers, secretArn: localSecretArn(secretName) },
  });
  const glue = await startGlue({
    credentials: CREDENTIALS,
    region: LOCAL_REGION,
    tables: Object.fromEntries(Object.values(stack.tables).map((t) => [`${t.database}.${t.name}`, t.tableInput])),
    iam: { access, callers },
  });
  const api = await startDemoApi();
  return {
    stack,
    s3,
    buckets,
    secrets,
    glue,
    api,
    env: (step) => {
      const fn = functions[step];
      const config = JSON.parse(fn.environment.PIPELINE_CONFIG!) as { source: { url: string } };
      config.source.url = `${api.url}/v1/current.json`;
      return {
        PATH: process.env.PATH,
        ...fn.environment,
        PIPELINE_CONFIG: JSON.stringify(config),
        AWS_REGION: LOCAL_REGION,
        AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
        AWS_SESSION_TOKEN: tokenOf(fn),
        AWS_ENDPOINT_URL_S3: gateway.endpoint,
        AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
        AWS_ENDPOINT_URL_GLUE: glue.endpoint,
      };
    },
    stop: async () => {
      await Promise.all([gateway.close(), s3.stop(), secrets.close(), glue.close(), api.close()]);
    },
  };
}
