import { describe, expect, it } from 'vitest';
import { permissionLines } from '../helpers/iam.js';
import { parseAppConfig } from '../../src/core/config.js';
import { configWith, projectConfig, synthTemplate } from '../helpers/synth.js';

const expand = (role: string, actions: string[], resources: string[], condition = '') =>
  actions.flatMap((action) => resources.map((resource) => `${role} Allow ${action} ${resource}${condition}`));

const ACCOUNT = '{AWS::Partition}:%s:{AWS::Region}:{AWS::AccountId}';
const arn = (service: string, rest: string) => `arn:${ACCOUNT.replace('%s', service)}:${rest}`;

/**
 * The complete allow-list of IAM permissions in the stack. Any widened or new permission fails this
 * test: review it, then add it here with the reason in the commit.
 */
const ALLOWED = [
  // Fetch: read its one secret, write raw objects of its source, log to its own group, trace.
  ...expand('FetchRole', ['logs:CreateLogStream', 'logs:PutLogEvents'], ['<FetchLogs.Arn>']),
  ...expand('FetchRole', ['s3:PutObject'], ['<RawZoneBucket.Arn>/weather/*']),
  ...expand('FetchRole', ['secretsmanager:GetSecretValue'], [arn('secretsmanager', 'secret:api-lake/weather/api-key-??????')]),
  ...expand('FetchRole', ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'], ['*']),
  // Transform: read raw of its source, write curated of its table.
  ...expand('TransformRole', ['logs:CreateLogStream', 'logs:PutLogEvents'], ['<TransformLogs.Arn>']),
  ...expand('TransformRole', ['s3:GetObject'], ['<RawZoneBucket.Arn>/weather/*']),
  ...expand('TransformRole', ['s3:PutObject'], ['<CuratedZoneBucket.Arn>/weather/*']),
  ...expand('TransformRole', ['s3:GetObject', 's3:PutObject'], ['<CuratedZoneBucket.Arn>/_schemas/weather.json']),
  // ...and list the curated bucket, so reading the schema before the first hour wrote it is a 404 (missing), not a 403.
  ...expand('TransformRole', ['s3:ListBucket'], ['<CuratedZoneBucket.Arn>']),
  ...expand('TransformRole', ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'], ['*']),
  // ...and add the hour's new columns to its one Glue table (catalog.mode "projection"): Glue checks a table action
  // on the catalog, the database and the table alike.
  ...expand('TransformRole', ['glue:GetTable', 'glue:UpdateTable'], [arn('glue', 'catalog'), arn('glue', 'database/apilake_weather'), arn('glue', 'table/apilake_weather/weather')]),
  // State machine: invoke the two functions, publish alerts, deliver its logs and traces.
  ...expand('PipelineStateMachineRole', ['lambda:InvokeFunction'], ['<FetchFunction.Arn>', '<FetchFunction.Arn>:*', '<TransformFunction.Arn>', '<TransformFunction.Arn>:*']),
  ...expand('PipelineStateMachineRole', ['sns:Publish'], ['{AlertsTopic}']),
  ...expand(
    'PipelineStateMachineRole',
    [
      'logs:CreateLogDelivery',
      'logs:DeleteLogDelivery',
      'logs:DescribeLogGroups',
      'logs:DescribeResourcePolicies',
      'logs:GetLogDelivery',
      'logs:ListLogDeliveries',
      'logs:PutResourcePolicy',
      'logs:UpdateLogDelivery',
      'xray:GetSamplingRules',
      'xray:GetSamplingTargets',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ],
    ['*'],
  ),
  // The schedule starts this state machine only.
  ...expand('PipelineStateMachineEventsRole', ['states:StartExecution'], ['{PipelineStateMachine}']),
  // CDK's autoDeleteObjects provider (empties buckets on `cdk destroy`).
  'CustomS3AutoDeleteObjectsCustomResourceProviderRole managed arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole',
].sort();

/** catalog.mode "crawler": no table for Transform to keep; a crawler with its own role keeps it instead. */
const CRAWLER = [
  // Crawler: read the table's objects, maintain its own database's tables and partitions, write its logs.
  ...expand('CatalogCrawlerRole', ['s3:GetObject'], ['<CuratedZoneBucket.Arn>/weather/*']),
  ...expand('CatalogCrawlerRole', ['s3:ListBucket'], ['<CuratedZoneBucket.Arn>'], ' if {"StringLike":{"s3:prefix":["weather/*","weather"]}}'),
  ...expand(
    'CatalogCrawlerRole',
    [
      'glue:BatchCreatePartition',
      'glue:BatchGetPartition',
      'glue:BatchUpdatePartition',
      'glue:CreatePartition',
      'glue:CreateTable',
      'glue:GetDatabase',
      'glue:GetPartition',
      'glue:GetPartitions',
      'glue:GetTable',
      'glue:GetTables',
      'glue:UpdatePartition',
      'glue:UpdateTable',
    ],
    [arn('glue', 'catalog'), arn('glue', 'database/apilake_weather'), arn('glue', 'table/apilake_weather/*')],
  ),
  ...expand('CatalogCrawlerRole', ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'], [arn('logs', 'log-group:/aws-glue/crawlers:*')]),
];
const ALLOWED_CRAWLER_MODE = [...ALLOWED.filter((line) => !line.startsWith('TransformRole Allow glue:')), ...CRAWLER].sort();

describe('IAM least privilege', () => {
  it('grants exactly the allow-listed permissions, nothing more', () => {
    // Act
    const lines = permissionLines(synthTemplate());
    // Assess
    expect(lines).toEqual(ALLOWED);
  });

  it('grants exactly the allow-listed permissions in crawler mode: the crawler role in, the Transform Glue grant out', () => {
    const lines = permissionLines(synthTemplate(configWith({ catalog: { mode: 'crawler', firstDate: '2026-01-01' } })));
    expect(lines).toEqual(ALLOWED_CRAWLER_MODE);
  });

  it('gives an incremental source exactly the reads and the write of its cursor, and Fetch the listing that makes a first read a 404', () => {
    const base = projectConfig();
    const lines = permissionLines(synthTemplate(configWith({ source: { ...base.source, incremental: { cursorPath: 'updated_at', param: 'since', initial: '2026-01-01T00:00:00Z' } } })));
    expect(lines.filter((l) => !ALLOWED.includes(l)).sort()).toEqual(
      [
        'FetchRole Allow s3:GetObject <CuratedZoneBucket.Arn>/_state/weather.json',
        'FetchRole Allow s3:ListBucket <CuratedZoneBucket.Arn>',
        'TransformRole Allow s3:GetObject <CuratedZoneBucket.Arn>/_state/weather.json',
        'TransformRole Allow s3:PutObject <CuratedZoneBucket.Arn>/_state/weather.json',
      ].sort(),
    );
    expect(ALLOWED.filter((l) => !lines.includes(l))).toEqual([]);
  });

  it('scopes every pipeline of an app to its own prefixes, secret and table', () => {
    const base = projectConfig();
    const pipeline = (name: string, source: string, table: string) => ({ name, source: { ...base.source, name: source }, table, schedule: base.schedule });
    const app = parseAppConfig({ stackName: 'ApiLakeTwo', pipelines: [pipeline('weather', 'weather', 'weather'), pipeline('events_feed', 'events', 'events_hourly')] });
    const lines = permissionLines(synthTemplate(app));
    const of = (role: string, action: string) => lines.filter((l) => l.startsWith(`${role} Allow ${action} `)).map((l) => l.split(' ').slice(3).join(' '));
    expect(of('WeatherFetchRole', 's3:PutObject')).toEqual(['<RawZoneBucket.Arn>/weather/*']);
    expect(of('EventsFeedFetchRole', 's3:PutObject')).toEqual(['<RawZoneBucket.Arn>/events/*']);
    expect(of('EventsFeedFetchRole', 'secretsmanager:GetSecretValue')).toEqual([arn('secretsmanager', 'secret:api-lake/events/api-key-??????')]);
    expect(of('EventsFeedTransformRole', 's3:PutObject').sort()).toEqual(['<CuratedZoneBucket.Arn>/_schemas/events_hourly.json', '<CuratedZoneBucket.Arn>/events_hourly/*']);
    expect(of('EventsFeedTransformRole', 'glue:UpdateTable')).toEqual([arn('glue', 'catalog'), arn('glue', 'database/apilaketwo'), arn('glue', 'table/apilaketwo/events_hourly')]);
    expect(of('WeatherPipelineStateMachineRole', 'lambda:InvokeFunction').every((r) => r.startsWith('<WeatherFetchFunction') || r.startsWith('<WeatherTransformFunction'))).toBe(true);
    expect(lines.filter((l) => l.startsWith('Weather') && /\/events\/|events_hourly|api-lake\/events\/|EventsFeed/.test(l))).toEqual([]);
  });

  it('has no wildcard action anywhere', () => {
    const lines = permissionLines(synthTemplate());
    expect(lines.filter((line) => /Allow \S*\*/.test(line))).toEqual([]);
  });

  it('scopes grants to the configured source and table names', () => {
    // Prepare
    const base = projectConfig();
    const config = configWith({ source: { ...base.source, name: 'pollen' }, table: 'pollen_hourly' });
    // Act
    const lines = permissionLines(synthTemplate(config));
    // Assess
    expect(lines).toContain('FetchRole Allow s3:PutObject <RawZoneBucket.Arn>/pollen/*');
    expect(lines).toContain('TransformRole Allow s3:PutObject <CuratedZoneBucket.Arn>/pollen_hourly/*');
    expect(lines.some((l) => l.includes('/weather/'))).toBe(false);
  });
});

