import { secretNameOf } from '../core/config.js';
import { fetchHttpClient } from '../core/http.js';
import type { Context } from 'aws-lambda';
import { stepBudget } from '../core/steps/budget.js';
import { runFetchStep, type FetchInput, type FetchOutput } from '../core/steps/fetch.js';
import { AwsHttpClient, endpointOverride, secretsManagerEndpoint } from '../adapters/aws/aws-http.js';
import { S3ObjectStore } from '../adapters/aws/s3-store.js';
import { SecretsManagerStore } from '../adapters/aws/secrets-manager.js';
import { configFromEnv, requireEnv } from './env.js';
import { asStepLogger, observeStep, stepLogger, stepMetrics } from './observability.js';

// Read once per container; a missing variable fails the cold start with its name.
const config = configFromEnv();
const rawBucket = requireEnv('RAW_BUCKET');
const logger = stepLogger('Fetch', config.source.name);
const metrics = stepMetrics('Fetch');
const region = requireEnv('AWS_REGION');
const raw = new S3ObjectStore(new AwsHttpClient({ service: 's3', region }), rawBucket, endpointOverride('S3'));
const secrets = new SecretsManagerStore(
  new AwsHttpClient({ service: 'secretsmanager', region }),
  secretsManagerEndpoint(region),
  process.env.SECRET_NAME ?? secretNameOf(config.source),
  config.source.secretField,
);

export async function handler(input: FetchInput, context?: Pick<Context, 'getRemainingTimeInMillis'>): Promise<FetchOutput> {
  return observeStep(
    logger,
    metrics,
    input?.time,
    () =>
      runFetchStep(input, {
        source: config.source,
        raw,
        secrets,
        http: fetchHttpClient,
        now: Date.now,
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
        logger: asStepLogger(logger),
        signal: context && stepBudget(context.getRemainingTimeInMillis()),
      }),
    (out) => ({ bytes: out.bytes }),
  );
}
