import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { pipelinePrefix } from '../src/contract/outputs.js';
import { asAppConfig, secretNameOf, type AppConfig, type PipelineConfig } from '../src/core/config.js';
import { incrementalStateKey } from '../src/core/incremental.js';
import { curatedTablePrefix, tableSchemaKey } from '../src/core/layout.js';
import { lineageSchemaOf } from '../src/core/steps/encode-hour.js';
import { Catalog } from './constructs/catalog.js';
import { DataLakeBucket } from './constructs/data-lake-bucket.js';
import { FailureAlerts } from './constructs/failure-alerts.js';
import { PipelineFunction } from './constructs/pipeline-function.js';
import { PipelineSchedule } from './constructs/schedule.js';
import { PipelineMonitoring } from './constructs/pipeline-monitoring.js';
import { PipelineStateMachine } from './constructs/pipeline-state-machine.js';
import { boundedName } from './names.js';
import { retentionDays } from './log-retention.js';
import { acknowledgePipelineFindings, acknowledgeSharedFindings } from './nag.js';
import { fetchTimeoutSeconds, TRANSFORM_TIMEOUT_SECONDS } from './timeouts.js';

export interface PipelineStackProps extends StackProps {
  /** The validated configuration (api-lake.config.json): one pipeline, or an app of several. */
  readonly config: PipelineConfig | AppConfig;
}

/** Keep overwritten raw responses this long: a rerun of an hour never destroys the only copy. */
export const RAW_NONCURRENT_VERSION_DAYS = 30;

/**
 * The whole app: schedule -> state machine -> fetch -> raw -> transform -> curated -> catalog, once per pipeline.
 * The pipelines share the two zones, the alert topic, the Glue database and the Athena workgroup; each has its own
 * schedule, state machine, functions (with permissions scoped to its own prefixes and secret), alarms and table.
 */
export class PipelineStack extends Stack {
  constructor(scope: Construct, id: string, props: PipelineStackProps) {
    super(scope, id, props);
    const app = asAppConfig(props.config);
    const shared = app.pipelines[0]!; // storage and catalog settings are the app's, the same in every pipeline

    // Zones: raw keeps the response as received; curated holds Parquet that the catalog describes.
    // storage.removal "retain": the zones, and their data, outlive `cdk destroy` (production); the default destroys them.
    const raw = new DataLakeBucket(this, 'RawZone', {
      infrequentAccessAfterDays: shared.storage.rawInfrequentAccessAfterDays,
      keepNoncurrentVersionsDays: RAW_NONCURRENT_VERSION_DAYS,
      removal: shared.storage.removal,
    }).bucket;
    const curated = new DataLakeBucket(this, 'CuratedZone', { removal: shared.storage.removal }).bucket;
    const catalog = new Catalog(this, 'Catalog', {
      curatedBucket: curated,
      nameSuffix: app.pipelines.length === 1 ? shared.table : undefined,
      mode: shared.catalog.mode,
      athenaResultsExpireDays: shared.storage.athenaResultsExpireDays,
    });
    const alerts = new FailureAlerts(this, 'Alerts');
    acknowledgeSharedFindings({ raw, curated, catalog });

    const output = (id: string, value: string, description: string) => new CfnOutput(this, id, { value, description });
    // One dashboard for the app, a row of widgets per pipeline (pipeline-monitoring.ts).
    const dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { dashboardName: boundedName(this.stackName, 255), defaultInterval: Duration.days(7) });
    for (const pipeline of app.pipelines) this.addPipeline(pipeline, pipelinePrefix(app.pipelines.length, pipeline.name), { raw, curated, catalog, alerts, dashboard, output });
    output('DashboardName', dashboard.dashboardName, 'CloudWatch dashboard of the pipelines');

    output('RawBucketName', raw.bucketName, 'raw zone: responses as received');
    output('CuratedBucketName', curated.bucketName, 'curated zone: Parquet');
    output('AlertTopicArn', alerts.topic.topicArn, 'failure, skipped-hour and schema-change notices');
    output('GlueDatabaseName', catalog.databaseName, 'Glue database of the curated tables');
    output('AthenaWorkGroup', catalog.workGroup.ref, 'Athena workgroup to query with');
  }

  private addPipeline(
    config: PipelineConfig,
    p: string,
    on: { raw: s3.Bucket; curated: s3.Bucket; catalog: Catalog; alerts: FailureAlerts; dashboard: cloudwatch.Dashboard; output: (id: string, value: string, description: string) => CfnOutput },
  ): void {
    const { raw, curated, catalog, alerts, output } = on;
    const source = config.source.name;
    const logRetention = retentionDays(config.storage.logRetentionDays);

    // The key lives in Secrets Manager under a name; the template never holds a value (`api-lake set-key` writes it).
    const secretName = secretNameOf(config.source);
    const secretArn = `arn:${this.partition}:secretsmanager:${this.region}:${this.account}:secret:${secretName}-??????`;
    const table = catalog.addTable(p, { table: config.table, lineage: lineageSchemaOf(config.source), firstDate: config.catalog.firstDate, crawlerSchedule: config.crawler.schedule });

    const environment = { PIPELINE_CONFIG: JSON.stringify(config), RAW_BUCKET: raw.bucketName, CURATED_BUCKET: curated.bucketName };
    const fetch = new PipelineFunction(this, `${p}Fetch`, {
      entry: 'src/handlers/fetch.ts',
      description: `${config.name}: call the API, store each response in the raw zone`,
      // Waits on the network, not the CPU: memory only has to hold the largest response twice.
      memoryMb: config.lambda.fetchMemoryMb,
      timeout: Duration.seconds(fetchTimeoutSeconds(config)),
      // CURATED_BUCKET only for an incremental source, which reads its cursor there.
      environment: { PIPELINE_CONFIG: environment.PIPELINE_CONFIG, RAW_BUCKET: environment.RAW_BUCKET, SECRET_NAME: secretName, ...(config.source.incremental ? { CURATED_BUCKET: curated.bucketName } : {}) },
      logRetention,
    });
    fetch.role.addToPolicy(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [secretArn] }));
    fetch.role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [raw.arnForObjects(`${source}/*`)] }));
    if (config.source.incremental) {
      // The incremental cursor: Fetch reads it, Transform moves it. Before the first hour wrote it, the read is a
      // 404 only for a caller that may list the bucket (S3 answers 403 otherwise), as for the table schema.
      fetch.role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [curated.arnForObjects(incrementalStateKey(source))] }));
      fetch.role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [curated.bucketArn] }));
    }

    const transform = new PipelineFunction(this, `${p}Transform`, {
      entry: 'src/handlers/transform.ts',
      description: `${config.name}: raw JSON to Snappy Parquet in the curated zone`,
      // CPU-bound: 1769 MB is one full vCPU, and holds about 1M records in memory.
      memoryMb: config.lambda.transformMemoryMb,
      timeout: Duration.seconds(TRANSFORM_TIMEOUT_SECONDS),
      // With a table to keep, Transform adds the hour's new columns to it (catalog.mode "projection").
      environment: table.table ? { ...environment, GLUE_DATABASE: catalog.databaseName } : environment,
      logRetention,
    });
    if (table.table) catalog.grantColumnUpdates(transform.role, table);
    transform.role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [raw.arnForObjects(`${source}/*`)] }));
    transform.role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [curated.arnForObjects(`${curatedTablePrefix(config.table)}*`)] }));
    // The table's remembered column types, so a type change between hours fails instead of splitting the table.
    transform.role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject', 's3:PutObject'], resources: [curated.arnForObjects(tableSchemaKey(config.table))] }));
    // Before the first hour that schema does not exist yet, and S3 answers a read of a missing key with 403, not 404,
    // to a caller that may not list the bucket (GetObject, "Permissions"): without this every hour would fail.
    // Unconditional, because the request context of that implicit check is not documented (an s3:prefix condition may never match).
    transform.role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [curated.bucketArn] }));
    if (config.source.incremental) {
      transform.role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject', 's3:PutObject'], resources: [curated.arnForObjects(incrementalStateKey(source))] }));
    }

    const pipeline = new PipelineStateMachine(this, `${p}Pipeline`, {
      config,
      fetchFunction: fetch.function,
      transformFunction: transform.function,
      alertTopic: alerts.topic,
      logRetention,
    });
    alerts.alarmOnExecutions(pipeline.stateMachine, p);
    const monitoring = new PipelineMonitoring(this, `${p}Monitoring`, { config, stateMachine: pipeline.stateMachine, executionLogs: pipeline.logGroup, fetchLogs: fetch.logGroup, alertTopic: alerts.topic });
    on.dashboard.addWidgets(...monitoring.widgets);
    const schedule = new PipelineSchedule(this, `${p}Schedule`, { expression: config.schedule, stateMachine: pipeline.stateMachine });
    alerts.alarm(`${p}ScheduleDeadLetters`, schedule.deadLetterQueue.metricApproximateNumberOfMessagesVisible(), `api-lake ${config.name}: EventBridge could not start the pipeline`);

    acknowledgePipelineFindings({ fetch, transform, pipeline, schedule, table, catalog, raw, curated, source, table_: config.table });

    output(`${p}StateMachineArn`, pipeline.stateMachine.stateMachineArn, `the state machine of pipeline ${config.name}`);
    output(`${p}SecretName`, secretName, `where \`api-lake set-key\` stores the API key of pipeline ${config.name}`);
    if (table.table) output(`${p}GlueTableName`, table.table.tableName, `Glue table of pipeline ${config.name}, kept by the pipeline, partitions projected`);
    if (table.crawler) output(`${p}CrawlerName`, table.crawler.ref, `Glue crawler of pipeline ${config.name}'s table`);
  }
}
