import type { Context } from 'aws-lambda';
import { secretNameOf } from '../core/config.js';
import type { FetchInput, FetchOutput } from '../core/steps/fetch.js';
import { fetchStep } from '../core/steps/wiring.js';
import { AwsHttpClient, endpointOverride, secretsManagerEndpoint } from '../adapters/aws/aws-http.js';
import { S3ObjectStore } from '../adapters/aws/s3-store.js';
import { SecretsManagerStore } from '../adapters/aws/secrets-manager.js';
import { fetchHttpClient } from '../adapters/http/fetch-client.js';
import { configFromEnv, requireEnv } from './env.js';
import { asStepLogger, observeStep, stepLogger, stepMetrics } from './observability.js';

// Read once per container; a missing variable fails the cold start with its name.
const config = configFromEnv();
const logger = stepLogger('Fetch', config.source.name);
const metrics = stepMetrics('Fetch', config.source.name);
const region = requireEnv('AWS_REGION');
const s3 = new AwsHttpClient({ service: 's3', region });
const step = fetchStep(config.source, {
  raw: new S3ObjectStore(s3, requireEnv('RAW_BUCKET'), endpointOverride('S3')),
  // The incremental cursor is kept in the curated zone; the stack sets CURATED_BUCKET for Fetch only then.
  curated: config.source.incremental ? new S3ObjectStore(s3, requireEnv('CURATED_BUCKET'), endpointOverride('S3')) : undefined,
  secrets: new SecretsManagerStore(
    new AwsHttpClient({ service: 'secretsmanager', region }),
    secretsManagerEndpoint(region),
    process.env.SECRET_NAME ?? secretNameOf(config.source),
    config.source.secretField,
  ),
  http: fetchHttpClient,
  logger: asStepLogger(logger),
});

export async function handler(input: FetchInput, context?: Pick<Context, 'getRemainingTimeInMillis'>): Promise<FetchOutput> {
  // In the Map, the execution input comes under `execution`; the time names the hour in every log line.
  return observeStep(logger, metrics, input?.execution?.time ?? input?.time, () => step(input, context?.getRemainingTimeInMillis()), (out) => ({ bytes: out.bytes, pages: out.pages }));
}
