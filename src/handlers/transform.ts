import type { Context } from 'aws-lambda';
import { stepBudget } from '../core/steps/budget.js';
import { runTransformStep, type TransformInput, type TransformOutput } from '../core/steps/transform.js';
import { AwsHttpClient, endpointOverride } from '../adapters/aws/aws-http.js';
import { S3ObjectStore } from '../adapters/aws/s3-store.js';
import { configFromEnv, requireEnv } from './env.js';
import { asStepLogger, observeStep, stepLogger, stepMetrics } from './observability.js';

const config = configFromEnv();
const rawBucket = requireEnv('RAW_BUCKET');
const curatedBucket = requireEnv('CURATED_BUCKET');
const logger = stepLogger('Transform', config.source.name);
const metrics = stepMetrics('Transform');
const region = requireEnv('AWS_REGION');
const s3 = new AwsHttpClient({ service: 's3', region });
const raw = new S3ObjectStore(s3, rawBucket, endpointOverride('S3'));
const curated = new S3ObjectStore(s3, curatedBucket, endpointOverride('S3'));

export async function handler(input: TransformInput, context?: Pick<Context, 'getRemainingTimeInMillis'>): Promise<TransformOutput> {
  return observeStep(
    logger,
    metrics,
    input?.hour,
    () =>
      runTransformStep(input, {
        source: config.source,
        table: config.table,
        raw,
        curated,
        now: Date.now,
        logger: asStepLogger(logger),
        signal: context && stepBudget(context.getRemainingTimeInMillis()),
      }),
    (out) => ({ records: out.records, bytes: out.bytes }),
  );
}
