import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { athenaType } from '../../src/core/columns.js';
import { DEFAULTS, type CatalogMode } from '../../src/core/config.js';
import { curatedTablePrefix, PARTITION_KEYS, partitionLocationTemplate } from '../../src/core/layout.js';
import { boundedName, MAX_DATABASE_NAME, MAX_WORKGROUP_NAME } from '../names.js';
import { DataLakeBucket } from './data-lake-bucket.js';

export interface CatalogProps {
  /** The curated zone: each table's data is under its prefix. */
  readonly curatedBucket: s3.IBucket;
  /**
   * What the database and the workgroup are named after, with the stack's name: the table of a one-pipeline app.
   * @default - the stack's name alone (an app of several pipelines)
   */
  readonly nameSuffix?: string;
  /**
   * Who keeps the tables: `projection`, this construct defines each with partition projection and the pipeline
   * adds columns (the Transform role gets GetTable/UpdateTable on its table, `grantColumnUpdates`); `crawler`, a
   * scheduled Glue crawler catalogs each prefix and defines its table itself.
   * @default 'projection' (DEFAULTS.catalogMode)
   */
  readonly mode?: CatalogMode;
  /**
   * Days after which Athena query results are deleted from their bucket.
   * @default 7 (DEFAULTS.athenaResultsExpireDays)
   */
  readonly athenaResultsExpireDays?: number;
}

/** One curated table of the catalog. */
export interface CatalogTableProps {
  /** Table name; also the curated prefix (`<table>/dt=.../hour=.../`). */
  readonly table: string;
  /** The lineage columns its hours have (encode-hour.ts `lineageSchemaOf`): the stack's table starts with them. */
  readonly lineage: readonly { readonly name: string; readonly type: string; readonly list: boolean }[];
  /**
   * The first date partition projection covers (`YYYY-MM-DD`): hours before it are not seen by Athena.
   * @default '2026-01-01' (DEFAULTS.catalogFirstDate)
   */
  readonly firstDate?: string;
  /**
   * Crawler schedule in `crawler` mode, an EventBridge `cron(...)` expression in UTC. A crawl bills at least 10 minutes, so daily.
   * @default 'cron(30 0 * * ? *)' - every day at 00:30 UTC (DEFAULTS.crawlerSchedule)
   */
  readonly crawlerSchedule?: string;
}

/** A table as the catalog defines it: the Glue table (`projection` mode) or the crawler that defines it (`crawler` mode). */
export interface CatalogTable {
  readonly name: string;
  readonly table?: glue.S3Table;
  readonly crawler?: glue.CfnCrawler;
}

/**
 * The Glue database and the curated table, and an Athena workgroup whose results live in their own expiring
 * bucket. In `projection` mode the table is defined here: Parquet at the table's prefix, partition keys `dt`
 * (string) and `hour` (int) filled in by Athena's partition projection from the layout of src/core/layout.ts,
 * so an hour is queryable as soon as its Parquet exists, with no partition to register and no crawler to pay.
 * Its columns start as the lineage columns; the pipeline adds the rest as they arrive. In `crawler` mode a
 * scheduled crawler with a role scoped to the prefix and the database defines the table instead.
 */
export class Catalog extends Construct {
  readonly databaseName: string;
  readonly database: glue.Database;
  readonly mode: CatalogMode;
  readonly workGroup: athena.CfnWorkGroup;
  readonly resultsBucket: s3.Bucket;
  private readonly curatedBucket: s3.IBucket;

  constructor(scope: Construct, id: string, props: CatalogProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.mode = props.mode ?? DEFAULTS.catalogMode;
    this.curatedBucket = props.curatedBucket;
    const stem = props.nameSuffix ? `${stack.stackName}_${props.nameSuffix}` : stack.stackName;
    // Derived from the stack name: two stacks never share a database, and the name is Athena-safe and within Glue's limit.
    this.databaseName = boundedName(stem.toLowerCase().replace(/[^a-z0-9_]/g, '_'), MAX_DATABASE_NAME, '_');
    this.database = new glue.Database(this, 'Database', { databaseName: this.databaseName, description: `api-lake curated zone of stack ${stack.stackName}` });
    // The L2 database is retained by default; `cdk destroy` removes everything, and Glue deletes a database's tables with it.
    this.database.applyRemovalPolicy(RemovalPolicy.DESTROY);
    // The logical id the L1 database had: a new id would make CloudFormation create a second database of the
    // same name before deleting the first, which Glue refuses (AlreadyExistsException) on an existing stack.
    (this.database.node.defaultChild as glue.CfnDatabase).overrideLogicalId('CatalogDatabaseE63956BB');

    this.resultsBucket = new DataLakeBucket(this, 'AthenaResults', { expireAfterDays: props.athenaResultsExpireDays ?? DEFAULTS.athenaResultsExpireDays }).bucket;
    this.workGroup = new athena.CfnWorkGroup(this, 'WorkGroup', {
      name: boundedName(props.nameSuffix ? `${stack.stackName}-${props.nameSuffix}` : stack.stackName, MAX_WORKGROUP_NAME),
      description: 'api-lake: query the curated tables',
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

  /**
   * A curated table: defined here with partition projection (`projection` mode), or catalogued by a crawler of its
   * own (`crawler` mode). `id` prefixes its constructs (none for the table of a one-pipeline app).
   */
  addTable(id: string, props: CatalogTableProps): CatalogTable {
    if (this.mode === 'projection') return { name: props.table, table: this.projectedTable(id, props) };
    return { name: props.table, crawler: this.scheduledCrawler(id, props) };
  }

  /** Lets `grantee` read the table and replace its columns (GetTable, UpdateTable), on this table, its database and the catalog only, as Glue requires all three. */
  grantColumnUpdates(grantee: iam.IGrantable, table: CatalogTable): void {
    if (!table.table) throw new Error('grantColumnUpdates: the table is kept by a crawler in crawler mode');
    const stack = Stack.of(this);
    const arn = (resource: string) => `arn:${stack.partition}:glue:${stack.region}:${stack.account}:${resource}`;
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['glue:GetTable', 'glue:UpdateTable'],
        resources: [arn('catalog'), arn(`database/${this.databaseName}`), arn(`table/${this.databaseName}/${table.name}`)],
      }),
    );
  }

  private projectedTable(id: string, props: CatalogTableProps): glue.S3Table {
    const { date, hour } = PARTITION_KEYS;
    const prefix = curatedTablePrefix(props.table);
    return new glue.S3Table(this, `${id}Table`, {
      database: this.database,
      tableName: props.table,
      description: `api-lake: ${props.table}, one Parquet file per scheduled hour; columns are added by the pipeline as they arrive`,
      storage: glue.S3TableStorage.fromBucket(this.curatedBucket),
      s3Prefix: prefix,
      dataFormat: glue.DataFormat.PARQUET,
      // The lineage columns every hour has; the pipeline adds the data's columns (src/core/catalog-sync.ts).
      columns: props.lineage.map((column) => ({ name: column.name, type: glue.Schema.custom(athenaType(column as Parameters<typeof athenaType>[0]), !column.list) })),
      // dt stays a string, so `WHERE dt = '2026-11-25'` works as it does on a crawled table; hour is an int.
      partitionKeys: [
        { name: date.name, type: glue.Schema.STRING },
        { name: hour.name, type: glue.Schema.INTEGER },
      ],
      partitionProjection: {
        [date.name]: glue.PartitionProjectionConfiguration.date({
          min: props.firstDate ?? DEFAULTS.catalogFirstDate,
          max: 'NOW',
          format: date.format,
          step: { interval: 1, intervalUnit: glue.DateIntervalUnit.DAYS },
        }),
        [hour.name]: glue.PartitionProjectionConfiguration.integer({ min: hour.min, max: hour.max, digits: hour.digits }),
      },
      parameters: {
        classification: 'parquet',
        'storage.location.template': partitionLocationTemplate(`s3://${this.curatedBucket.bucketName}/${prefix}`),
      },
      // SSE-S3: S3 decrypts for Athena; the flag is for client-side encrypted data only.
      hasEncryptedData: false,
    });
  }

  private scheduledCrawler(id: string, props: CatalogTableProps): glue.CfnCrawler {
    const stack = Stack.of(this);
    const arn = (resource: string) => `arn:${stack.partition}:glue:${stack.region}:${stack.account}:${resource}`;
    const role = new iam.Role(this, `${id}CrawlerRole`, {
      assumedBy: new iam.ServicePrincipal('glue.amazonaws.com'),
      description: 'api-lake crawler: read the curated table prefix, maintain its table and partitions',
    });
    role.addToPolicy(
      new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [this.curatedBucket.arnForObjects(`${props.table}/*`)] }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [this.curatedBucket.bucketArn],
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

    const crawler = new glue.CfnCrawler(this, `${id}Crawler`, {
      role: role.roleArn,
      databaseName: this.databaseName,
      description: `api-lake: catalog s3://.../${props.table}/ with its dt/hour partitions`,
      targets: { s3Targets: [{ path: `s3://${this.curatedBucket.bucketName}/${props.table}/` }] },
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
    crawler.node.addDependency(this.database);
    return crawler;
  }
}
