import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { secretNameOf, type PipelineConfig } from '../src/core/config.js';
import { curatedTablePrefix, tableSchemaKey } from '../src/core/layout.js';
import { Catalog } from './constructs/catalog.js';
import { DataLakeBucket } from './constructs/data-lake-bucket.js';
import { FailureAlerts } from './constructs/failure-alerts.js';
import { PipelineFunction } from './constructs/pipeline-function.js';
import { PipelineSchedule } from './constructs/schedule.js';
import { PipelineStateMachine } from './constructs/pipeline-state-machine.js';
import { retentionDays } from './log-retention.js';
import { acknowledgeNagFindings } from './nag.js';
import { fetchTimeoutSeconds, TRANSFORM_TIMEOUT_SECONDS } from './timeouts.js';

export interface PipelineStackProps extends StackProps {
  /** The validated pipeline configuration (api-lake.config.json). */
  readonly config: PipelineConfig;
}

/** Keep overwritten raw responses this long: a rerun of an hour never destroys the only copy. */
export const RAW_NONCURRENT_VERSION_DAYS = 30;

/** The whole pipeline: schedule -> state machine -> fetch -> raw -> transform -> curated -> catalog. */
export class PipelineStack extends Stack {
  constructor(scope: Construct, id: string, props: PipelineStackProps) {
    super(scope, id, props);
    const { config } = props;
    const source = config.source.name;
    const logRetention = retentionDays(config.storage.logRetentionDays);

    // Zones: raw keeps the response as received; curated holds Parquet that the catalog describes.
    // storage.removal "retain": the zones, and their data, outlive `cdk destroy` (production); the default destroys them.
    const raw = new DataLakeBucket(this, 'RawZone', {
      infrequentAccessAfterDays: config.storage.rawInfrequentAccessAfterDays,
      keepNoncurrentVersionsDays: RAW_NONCURRENT_VERSION_DAYS,
      removal: config.storage.removal,
    }).bucket;
    const curated = new DataLakeBucket(this, 'CuratedZone', { removal: config.storage.removal }).bucket;

    // The key lives in Secrets Manager under a name; the template never holds a value (`api-lake set-key` writes it).
    const secretName = secretNameOf(config.source);
    const secretArn = `arn:${this.partition}:secretsmanager:${this.region}:${this.account}:secret:${secretName}-??????`;

    const catalog = new Catalog(this, 'Catalog', {
      curatedBucket: curated,
      table: config.table,
      mode: config.catalog.mode,
      firstDate: config.catalog.firstDate,
      crawlerSchedule: config.crawler.schedule,
      athenaResultsExpireDays: config.storage.athenaResultsExpireDays,
    });

    const environment = { PIPELINE_CONFIG: JSON.stringify(config), RAW_BUCKET: raw.bucketName, CURATED_BUCKET: curated.bucketName };
    const fetch = new PipelineFunction(this, 'Fetch', {
      entry: 'src/handlers/fetch.ts',
      description: 'call the API, store the response in the raw zone',
      // Waits on the network, not the CPU: memory only has to hold the largest response twice.
      memoryMb: config.lambda.fetchMemoryMb,
      timeout: Duration.seconds(fetchTimeoutSeconds(config)),
      environment: { ...environment, SECRET_NAME: secretName },
      logRetention,
    });
    fetch.role.addToPolicy(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [secretArn] }));
    fetch.role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [raw.arnForObjects(`${source}/*`)] }));

    const transform = new PipelineFunction(this, 'Transform', {
      entry: 'src/handlers/transform.ts',
      description: 'raw JSON to Snappy Parquet in the curated zone',
      // CPU-bound: 1769 MB is one full vCPU, and holds about 1M records in memory.
      memoryMb: config.lambda.transformMemoryMb,
      timeout: Duration.seconds(TRANSFORM_TIMEOUT_SECONDS),
      // With a table to keep, Transform adds the hour's new columns to it (catalog.mode "projection").
      environment: catalog.table ? { ...environment, GLUE_DATABASE: catalog.databaseName } : environment,
      logRetention,
    });
    if (catalog.table) catalog.grantColumnUpdates(transform.role);
    transform.role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [raw.arnForObjects(`${source}/*`)] }));
    transform.role.addToPolicy(
      new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [curated.arnForObjects(`${curatedTablePrefix(config.table)}*`)] }),
    );
    // The table's remembered column types, so a type change between hours fails instead of splitting the table.
    transform.role.addToPolicy(
      new iam.PolicyStatement({ actions: ['s3:GetObject', 's3:PutObject'], resources: [curated.arnForObjects(tableSchemaKey(config.table))] }),
    );
    // Before the first hour that schema does not exist yet, and S3 answers a read of a missing key with 403, not 404,
    // to a caller that may not list the bucket (GetObject, "Permissions"): without this every hour would fail.
    // Unconditional, because the request context of that implicit check is not documented (an s3:prefix condition may never match).
    transform.role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [curated.bucketArn] }));

    const alerts = new FailureAlerts(this, 'Alerts');
    const pipeline = new PipelineStateMachine(this, 'Pipeline', {
      config,
      fetchFunction: fetch.function,
      transformFunction: transform.function,
      alertTopic: alerts.topic,
      logRetention,
    });
    alerts.alarmOnExecutions(pipeline.stateMachine);

    const schedule = new PipelineSchedule(this, 'Schedule', { expression: config.schedule, stateMachine: pipeline.stateMachine });
    alerts.alarm('ScheduleDeadLetters', schedule.deadLetterQueue.metricApproximateNumberOfMessagesVisible(), 'api-lake: EventBridge could not start the pipeline');

    acknowledgeNagFindings({ fetch, transform, pipeline, schedule, catalog, raw, curated, source, table: config.table });

    const output = (id: string, value: string, description: string) => new CfnOutput(this, id, { value, description });
    output('RawBucketName', raw.bucketName, 'raw zone: responses as received');
    output('CuratedBucketName', curated.bucketName, 'curated zone: Parquet');
    output('StateMachineArn', pipeline.stateMachine.stateMachineArn, 'the pipeline state machine');
    output('AlertTopicArn', alerts.topic.topicArn, 'failure and skipped-hour alerts');
    output('SecretName', secretName, 'where `api-lake set-key` stores the API key');
    output('GlueDatabaseName', catalog.databaseName, 'Glue database of the curated table');
    if (catalog.table) output('GlueTableName', catalog.table.tableName, 'Glue table of the curated zone, kept by the pipeline, partitions projected');
    if (catalog.crawler) output('CrawlerName', catalog.crawler.ref, 'Glue crawler of the curated table');
    output('AthenaWorkGroup', catalog.workGroup.ref, 'Athena workgroup to query with');
  }
}
