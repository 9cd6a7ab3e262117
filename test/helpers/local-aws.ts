import { localHandlerEnvironment } from '../../infra/bundling.js';
import { DEMO_API_KEY, startDemoApi, type DemoApi } from '../../src/demo/weather-api.js';
import { startS3Server } from './s3-server.js';
import { startSecretsManager, type SecretsManagerStandIn } from './secrets-manager-server.js';

// s3rver accepts only its own account; the Secrets Manager stand-in checks the same credentials and the session token.
const CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', sessionToken: 'session-token' };

export interface LocalAws {
  readonly s3: Awaited<ReturnType<typeof startS3Server>>;
  readonly secrets: SecretsManagerStandIn;
  readonly api: DemoApi;
  /**
   * The environment a pipeline function gets (`localHandlerEnvironment`), with the source pointed at the
   * demo API and S3 and Secrets Manager at the stand-ins: what a bundled or source handler needs to run.
   */
  readonly env: NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

/**
 * What the Lambda handlers talk to, on 127.0.0.1: S3 (s3rver, buckets `raw` and `curated`), Secrets Manager
 * holding the demo API's key under the stack's secret name, and the demo API.
 */
export async function startLocalAws(): Promise<LocalAws> {
  const base = localHandlerEnvironment();
  const s3 = await startS3Server([base.RAW_BUCKET!, base.CURATED_BUCKET!]);
  const secrets = await startSecretsManager({
    credentials: CREDENTIALS,
    region: base.AWS_REGION!,
    secretName: base.SECRET_NAME!,
    value: JSON.stringify({ apiKey: DEMO_API_KEY }),
  });
  const api = await startDemoApi();
  const config = JSON.parse(base.PIPELINE_CONFIG!) as { source: { url: string } };
  config.source.url = `${api.url}/v1/current.json`;
  return {
    s3,
    secrets,
    api,
    env: {
      ...base,
      PIPELINE_CONFIG: JSON.stringify(config),
      AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
      AWS_SESSION_TOKEN: CREDENTIALS.sessionToken,
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
    },
    stop: async () => {
      await Promise.all([s3.stop(), secrets.close(), api.close()]);
    },
  };
}
