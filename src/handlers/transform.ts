import { S3Client } from '@aws-sdk/client-s3';
import { runTransformStep, type TransformInput, type TransformOutput } from '../core/steps/transform.js';
import { S3ObjectStore } from '../adapters/aws/s3-store.js';
import { configFromEnv, requireEnv } from './env.js';
import { asStepLogger, observeStep, stepLogger, stepMetrics } from './observability.js';

const config = configFromEnv();
const rawBucket = requireEnv('RAW_BUCKET');
const curatedBucket = requireEnv('CURATED_BUCKET');
const logger = stepLogger('Transform', config.source.name);
const metrics = stepMetrics('Transform');
const s3 = new S3Client({});
const raw = new S3ObjectStore(s3, rawBucket);
const curated = new S3ObjectStore(s3, curatedBucket);

export async function handler(input: TransformInput): Promise<TransformOutput> {
  return observeStep(
    logger,
    metrics,
    input?.hour,
    () => runTransformStep(input, { source: config.source, table: config.table, raw, curated, now: Date.now, logger: asStepLogger(logger) }),
    (out) => ({ records: out.records, bytes: out.bytes }),
  );
}
