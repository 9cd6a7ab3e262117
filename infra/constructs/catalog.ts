import { Stack } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { DEFAULTS } from '../../src/core/config.js';
import { boundedName, MAX_DATABASE_NAME, MAX_WORKGROUP_NAME } from '../names.js';
import { DataLakeBucket } from './data-lake-bucket.js';

export interface CatalogProps {
  /** The curated zone: the crawler reads the table's prefix in it. */
  readonly curatedBucket: s3.IBucket;
  /** Table name; also the curated prefix the crawler reads (`<table>/source_dt=.../source_hour=.../`). */
  readonly table: string;
  /**
   * Crawler schedule, an EventBridge `cron(...)` expression in UTC. A crawl bills at least 10 minutes, so daily.
   * @default 'cron(30 0 * * ? *)' - every day at 00:30 UTC (DEFAULTS.crawlerSchedule)
   */
  readonly crawlerSchedule?: string;
  /**
   * Days after which Athena query results are deleted from their bucket.
   * @default 7 (DEFAULTS.athenaResultsExpireDays)
   */
  readonly athenaResultsExpireDays?: number;
}

/**
 * Glue database + crawler over the curated table (Hive partitions `dt`, `hour` become partition
 * columns), with a role scoped to that prefix and database, and an Athena workgroup whose results
 * live in their own expiring bucket. L1 constructs: the Glue L2 constructs are still alpha.
 */
export class Catalog extends Construct {
  readonly databaseName: string;
  readonly crawler: glue.CfnCrawler;
  readonly workGroup: athena.CfnWorkGroup;
  readonly resultsBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: CatalogProps) {
    super(scope, id);
    const stack = Stack.of(this);
    // Derived from the stack name: two stacks never share a database, and the name is Athena-safe and within Glue's limit.
    this.databaseName = boundedName(`${stack.stackName}_${props.table}`.toLowerCase().replace(/[^a-z0-9_]/g, '_'), MAX_DATABASE_NAME, '_');
    const database = new glue.CfnDatabase(this, 'Database', {
      catalogId: stack.account,
      databaseInput: { name: this.databaseName, description: `api-lake curated zone: table ${props.table}` },
    });

    const arn = (resource: string) => `arn:${stack.partition}:glue:${stack.region}:${stack.account}:${resource}`;
    const role = new iam.Role(this, 'CrawlerRole', {
      assumedBy: new iam.ServicePrincipal('glue.amazonaws.com'),
      description: 'api-lake crawler: read the curated table prefix, maintain its table and partitions',
    });
    role.addToPolicy(
      new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [props.curatedBucket.arnForObjects(`${props.table}/*`)] }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [props.curatedBucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${props.table}/*`, props.table] } },
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: [
          'glue:GetDatabase',
          'glue:GetTable',
          'glue:GetTables',
          'glue:CreateTable',
          'glue:UpdateTable',
          'glue:GetPartition',
          'glue:GetPartitions',
          'glue:BatchGetPartition',
          'glue:CreatePartition',
          'glue:BatchCreatePartition',
          'glue:UpdatePartition',
          'glue:BatchUpdatePartition',
        ],
        resources: [arn('catalog'), arn(`database/${this.databaseName}`), arn(`table/${this.databaseName}/*`)],
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [`arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:/aws-glue/crawlers:*`],
      }),
    );

    this.crawler = new glue.CfnCrawler(this, 'Crawler', {
      role: role.roleArn,
      databaseName: this.databaseName,
      description: `api-lake: catalog s3://.../${props.table}/ with its dt/hour partitions`,
      targets: { s3Targets: [{ path: `s3://${props.curatedBucket.bucketName}/${props.table}/` }] },
      schedule: { scheduleExpression: props.crawlerSchedule ?? DEFAULTS.crawlerSchedule },
      recrawlPolicy: { recrawlBehavior: 'CRAWL_EVERYTHING' },
      schemaChangePolicy: { updateBehavior: 'UPDATE_IN_DATABASE', deleteBehavior: 'LOG' },
      configuration: JSON.stringify({
        Version: 1.0,
        CrawlerOutput: { Partitions: { AddOrUpdateBehavior: 'InheritFromTable' }, Tables: { AddOrUpdateBehavior: 'MergeNewColumns' } },
        Grouping: { TableGroupingPolicy: 'CombineCompatibleSchemas' },
        // On by default for new crawlers; it would need glue:CreatePartitionIndex (and s3:GetBucketLocation) too.
        // dt/hour partitions of one table are few enough that Athena needs no index.
        CreatePartitionIndex: false,
      }),
    });
    this.crawler.addResourceDependency(database);

    this.resultsBucket = new DataLakeBucket(this, 'AthenaResults', { expireAfterDays: props.athenaResultsExpireDays ?? DEFAULTS.athenaResultsExpireDays }).bucket;
    this.workGroup = new athena.CfnWorkGroup(this, 'WorkGroup', {
      name: boundedName(`${stack.stackName}-${props.table}`, MAX_WORKGROUP_NAME),
      description: 'api-lake: query the curated table',
      recursiveDeleteOption: true,
      state: 'ENABLED',
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
        bytesScannedCutoffPerQuery: 10 * 1024 ** 3,
        resultConfiguration: {
          outputLocation: `s3://${this.resultsBucket.bucketName}/results/`,
          encryptionConfiguration: { encryptionOption: 'SSE_S3' },
        },
      },
    });
  }
}
