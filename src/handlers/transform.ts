import type { Context } from 'aws-lambda';
import type { TransformInput, TransformOutput } from '../core/steps/transform.js';
import { transformStep } from '../core/steps/wiring.js';
import { METRIC } from '../contract/metrics.js';
import { AwsHttpClient, endpointOverride, glueEndpoint } from '../adapters/aws/aws-http.js';
import { GlueTableCatalog } from '../adapters/aws/glue-catalog.js';
import { S3ObjectStore } from '../adapters/aws/s3-store.js';
import { configFromEnv, requireEnv } from './env.js';
import { asStepLogger, observeStep, stepLogger, stepMetrics } from './observability.js';

// Read once per container; a missing variable fails the cold start with its name.
const config = configFromEnv();
const logger = stepLogger('Transform', config.source.name);
const metrics = stepMetrics('Transform', config.source.name);
const region = requireEnv('AWS_REGION');
const s3 = new AwsHttpClient({ service: 's3', region });
// GLUE_DATABASE is set when the pipeline keeps the table (catalog.mode "projection"); a crawler keeps it otherwise.
const database = process.env.GLUE_DATABASE;
const step = transformStep(config.source, config.table, {
  raw: new S3ObjectStore(s3, requireEnv('RAW_BUCKET'), endpointOverride('S3')),
  curated: new S3ObjectStore(s3, requireEnv('CURATED_BUCKET'), endpointOverride('S3')),
  catalog: database ? new GlueTableCatalog(new AwsHttpClient({ service: 'glue', region }), glueEndpoint(region), database, config.table) : undefined,
  logger: asStepLogger(logger),
});

export async function handler(input: TransformInput, context?: Pick<Context, 'getRemainingTimeInMillis'>): Promise<TransformOutput> {
  return observeStep(
    logger,
    metrics,
    input?.hour,
    () => step(input, context?.getRemainingTimeInMillis()),
    // hoursLoaded: the freshness alarm's metric, 1 for an hour whose Parquet landed.
    (out) => ({ [METRIC.records]: out.records, bytes: out.bytes, [METRIC.hoursLoaded]: out.curatedKey ? 1 : 0 }),
  );
}
