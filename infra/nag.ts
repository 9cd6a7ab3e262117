import { Stack, Validations, type CfnResource } from 'aws-cdk-lib';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { IConstruct } from 'constructs';
import type { Catalog, CatalogTable } from './constructs/catalog.js';
import type { PipelineFunction } from './constructs/pipeline-function.js';
import type { PipelineSchedule } from './constructs/schedule.js';
import type { PipelineStateMachine } from './constructs/pipeline-state-machine.js';

export interface NagTargets {
  readonly fetch: PipelineFunction;
  readonly transform: PipelineFunction;
  readonly pipeline: PipelineStateMachine;
  readonly schedule: PipelineSchedule;
  readonly table: CatalogTable;
  readonly catalog: Catalog;
  readonly raw: s3.Bucket;
  readonly curated: s3.Bucket;
  readonly source: string;
  /** The table's name. */
  readonly table_: string;
}

const ack = (construct: IConstruct, id: string, reason: string) => Validations.of(construct).acknowledge({ id, reason });

/** The finding id cdk-nag gives a wildcard on the objects under `prefix` of `bucket`. */
function objectsFinding(bucket: s3.Bucket, prefix: string): string {
  const logicalId = Stack.of(bucket).resolve((bucket.node.defaultChild as CfnResource).logicalId) as string;
  return `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>/${prefix}*]`;
}

/** The findings on what the pipelines share: the zones and the Athena results bucket have no access logs. */
export function acknowledgeSharedFindings(t: { raw: s3.Bucket; curated: s3.Bucket; catalog: Catalog }): void {
  for (const bucket of [t.raw, t.curated, t.catalog.resultsBucket]) {
    ack(bucket, 'AwsSolutions-S1', 'Server access logs would need a log bucket of their own and cost more than the data; access is audited with CloudTrail data events where required.');
  }
}

/**
 * Every cdk-nag AwsSolutions finding we accept for one pipeline, acknowledged on the one resource it concerns
 * with the reason. Anything not listed here fails synth (see test/infra/nag.test.ts).
 */
export function acknowledgePipelineFindings(t: NagTargets): void {
  const objectWildcard = 'Object keys are per hour, so the grant is on the prefix of this source/table only; the action is a single verb.';
  ack(t.fetch.role, objectsFinding(t.raw, `${t.source}/`), `Fetch writes one object per hour under raw ${t.source}/. ${objectWildcard}`);
  ack(t.transform.role, objectsFinding(t.raw, `${t.source}/`), `Transform reads raw objects under ${t.source}/. ${objectWildcard}`);
  ack(t.transform.role, objectsFinding(t.curated, `${t.table_}/`), `Transform writes one Parquet object per hour under curated ${t.table_}/. ${objectWildcard}`);
  const xray = 'X-Ray PutTraceSegments/PutTelemetryRecords do not support resource-level permissions (AWS documents Resource "*").';
  ack(t.fetch.role, 'AwsSolutions-IAM5[Resource::*]', xray);
  ack(t.transform.role, 'AwsSolutions-IAM5[Resource::*]', xray);
  ack(
    t.pipeline.stateMachine.role,
    'AwsSolutions-IAM5[Resource::*]',
    `${xray} CloudWatch Logs delivery actions (logs:CreateLogDelivery, ...) for Step Functions logging also require Resource "*".`,
  );
  for (const fn of [t.fetch, t.transform]) {
    const logicalId = Stack.of(fn).resolve((fn.function.node.defaultChild as CfnResource).logicalId) as string;
    ack(
      t.pipeline.stateMachine.role,
      `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>:*]`,
      'CDK grants lambda:InvokeFunction on the function and its versions/aliases (ARN:*); still one function.',
    );
  }
  if (t.table.crawler) acknowledgeCrawler(t, objectWildcard);
  ack(t.schedule.deadLetterQueue, 'AwsSolutions-SQS3', 'This queue is the dead-letter queue of the schedule target; a DLQ of a DLQ has no use.');
}

/** The crawler of `catalog.mode` "crawler": its role reads the table's prefix and keeps the tables of its database. */
function acknowledgeCrawler(t: NagTargets, objectWildcard: string): void {
  const crawler = t.table.crawler!;
  const crawlerRole = crawler.node.scope!.node.findChild(`${crawler.node.id.replace(/Crawler$/, '')}CrawlerRole`);
  ack(crawlerRole, objectsFinding(t.curated, `${t.table_}/`), `The crawler reads the Parquet objects of table ${t.table_} only. ${objectWildcard}`);
  ack(
    crawlerRole,
    `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:glue:<AWS::Region>:<AWS::AccountId>:table/${t.catalog.databaseName}/*]`,
    'The crawler creates and updates the tables of its own database only; their names come from the data.',
  );
  ack(
    crawlerRole,
    'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:/aws-glue/crawlers:*]',
    'Glue writes crawler logs to the fixed group /aws-glue/crawlers with streams it names itself.',
  );
  ack(crawler, 'AwsSolutions-GL1', 'Crawler logs hold table and partition names only; a KMS security configuration would add a key and cost without protecting data.');
}
