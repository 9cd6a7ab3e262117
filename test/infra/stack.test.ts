import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Template } from 'aws-cdk-lib/assertions';
import { LAMBDA_THROTTLE_RETRY, TASK_TIMEOUT_MARGIN_SECONDS, worstCaseExecutionSeconds } from '../../infra/timeouts.js';
import { DEFAULTS } from '../../src/core/config.js';
import { configWith, projectConfig, synthTemplate } from '../helpers/synth.js';

let template: Template;
beforeAll(() => {
  template = synthTemplate();
});

/** The state machine definition as JSON, with CloudFormation references replaced by placeholders. */
function definition(t: Template = template): { States: Record<string, Record<string, unknown>>; TimeoutSeconds: number } {
  const [machine] = Object.values(t.findResources('AWS::StepFunctions::StateMachine'));
  const parts = (machine!.Properties.DefinitionString['Fn::Join'] as [string, unknown[]])[1];
  const parsed = JSON.parse(parts.map((p) => (typeof p === 'string' ? p : 'REF')).join(''));
  // The states inside the Map's ItemProcessor by name too (state names are unique across the definition).
  for (const state of Object.values(parsed.States) as { ItemProcessor?: { States: Record<string, unknown> } }[]) Object.assign(parsed.States, state.ItemProcessor?.States ?? {});
  return parsed;
}

describe('schedule', () => {
  it('starts the state machine hourly at minute 0 UTC with the event time as input', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'cron(0 * * * ? *)',
      Targets: [
        Match.objectLike({
          InputTransformer: { InputPathsMap: { time: '$.time' }, InputTemplate: '{"time":<time>}' },
          RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
          DeadLetterConfig: { Arn: Match.anyValue() },
        }),
      ],
    });
  });

  it('follows the configured schedule expression', () => {
    const t = synthTemplate(configWith({ schedule: 'cron(15 */2 * * ? *)' }));
    t.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'cron(15 */2 * * ? *)' });
  });
});

describe('state machine', () => {
  it('retries ApiUnavailableError 3 times with backoff and full jitter, then skips the hour', () => {
    const fetch = definition().States.Fetch!;
    expect(fetch.Retry).toContainEqual({
      ErrorEquals: ['ApiUnavailableError'],
      IntervalSeconds: DEFAULTS.retryIntervalSeconds,
      MaxAttempts: 3,
      BackoffRate: 2,
      MaxDelaySeconds: DEFAULTS.retryMaxDelaySeconds,
      JitterStrategy: 'FULL',
    });
    // A request that stays unavailable fails its Map iteration, and the Map, whose Catch skips the hour.
    expect(fetch.Catch).toBeUndefined();
    expect(definition().States.FetchRequests!.Catch).toEqual([
      { ErrorEquals: ['ApiUnavailableError'], ResultPath: '$.error', Next: 'NotifySkipped' },
      { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'FetchFailed' },
    ]);
    expect(definition().States.NotifySkipped!.Next).toBe('HourSkipped');
    expect(definition().States.HourSkipped!.Type).toBe('Succeed');
  });

  it('routes every other failure of every step to NotifyFailure and ends FAILED', () => {
    const states = definition().States;
    expect(states.Transform!.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'TransformFailed' }]);
    for (const failed of ['InputInvalid', 'FetchFailed', 'TransformFailed']) expect(states[failed]!.Next).toBe('NotifyFailure');
    expect(states.CheckInput!.Default).toBe('InputInvalid');
    expect(states.NotifyFailure!.Next).toBe('Failed');
    expect(states.Failed).toEqual({ Type: 'Fail', ErrorPath: '$.failure.error', CausePath: '$.failure.cause' });
  });

  it('publishes a failure message naming source, hour, step, error, raw keys and execution', () => {
    const message = (definition().States.NotifyFailure!.Parameters as { Message: Record<string, string> }).Message;
    expect(message).toMatchObject({
      outcome: 'FAILED',
      source: 'weather',
      'step.$': '$.failure.step',
      'scheduledTime.$': '$.failure.scheduledTime',
      'error.$': '$.failure.error',
      'cause.$': '$.failure.cause',
      'rawKeys.$': '$.failure.rawKeys',
      'execution.$': '$$.Execution.Id',
    });
    expect(message['summary.$']).toContain('States.Format(');
  });

  it('announces a changed table after Transform with a notice, then succeeds; an unchanged one goes straight to Succeeded', () => {
    const states = definition().States;
    expect(states.Transform!.Next).toBe('SchemaChanged');
    expect(states.SchemaChanged).toMatchObject({ Type: 'Choice', Choices: [{ Variable: '$.transform.schemaChange', IsPresent: true, Next: 'NotifySchemaChanged' }], Default: 'Succeeded' });
    expect(states.NotifySchemaChanged).toMatchObject({ Next: 'Succeeded', Retry: [expect.objectContaining({ ErrorEquals: ['States.TaskFailed'] })] });
    const message = (states.NotifySchemaChanged!.Parameters as { Message: Record<string, string> }).Message;
    expect(message).toMatchObject({ outcome: 'SCHEMA_CHANGED', table: 'weather', 'scheduledTime.$': '$.time', 'added.$': '$.transform.schemaChange.added', 'retyped.$': '$.transform.schemaChange.retyped' });
  });

  it('passes keys and counts between steps, never records or the key', () => {
    const states = definition().States;
    expect(states.Fetch!.Parameters).toBeUndefined(); // its iteration's state: the execution input, its request, the previous output
    expect(states.RequestDone!.Parameters).toEqual({ 'request.$': '$.request.index', 'firstKey.$': '$.fetch.firstKey', 'pages.$': '$.fetch.pages', 'bytes.$': '$.fetch.bytes' });
    expect(states.PrepareTransform!.Parameters).toEqual({ 'time.$': '$.time', transformInput: { 'hour.$': '$.time', 'chains.$': '$.fetch' }, 'rawKeys.$': 'States.Array($.fetch[0].firstKey)' });
    expect(states.Transform).toMatchObject({ InputPath: '$.transformInput', ResultPath: '$.transform' });
    expect(states.Transform!.Parameters).toBeUndefined();
  });

  it('runs the hour\'s requests in an inline Map, each a chain of Fetch invocations while pages remain', () => {
    const states = definition().States;
    expect(states.CheckInput!.Choices).toContainEqual(expect.objectContaining({ Next: 'PlanRequests' }));
    expect(states.PlanRequests).toMatchObject({ Type: 'Pass', Result: { requests: [{ index: 0 }] }, ResultPath: '$.plan', Next: 'FetchRequests' });
    expect(states.FetchRequests).toMatchObject({
      Type: 'Map',
      ItemsPath: '$.plan.requests',
      ItemSelector: { 'execution.$': '$$.Execution.Input', 'request.$': '$$.Map.Item.Value' },
      MaxConcurrency: 1,
      ResultPath: '$.fetch',
      ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' }, StartAt: 'Fetch' },
      Next: 'PrepareTransform',
    });
    expect(states.Fetch!.Next).toBe('MorePages');
    expect(states.MorePages).toEqual({ Type: 'Choice', Choices: [{ Variable: '$.fetch.continuation', IsPresent: true, Next: 'Fetch' }], Default: 'RequestDone' });
    // A fan-out: one request per value, at most fanOut.concurrency at once.
    const base = projectConfig();
    const fanned = definition(synthTemplate(configWith({ source: { ...base.source, params: {}, fanOut: { param: 'q', values: ['London', 'Paris', 'Oslo'], concurrency: 2 } } })));
    expect(fanned.States.PlanRequests!.Result).toEqual({ requests: [{ index: 0 }, { index: 1 }, { index: 2 }] });
    expect(fanned.States.FetchRequests!.MaxConcurrency).toBe(2);
  });

  it('logs to a group under /aws/vendedlogs/states/, which needs no CloudWatch Logs resource policy', () => {
    const [group] = Object.entries(template.findResources('AWS::Logs::LogGroup')).filter(([id]) => id.startsWith('PipelineLogs'));
    expect(group![1].Properties.LogGroupName).toBe('/aws/vendedlogs/states/ApiLake-weather');
  });

  it('gives each Task a timeout above its function timeout, so a lost invocation ends as States.Timeout', () => {
    const states = definition().States;
    const functions = Object.values(template.findResources('AWS::Lambda::Function', { Properties: { Architectures: ['arm64'] } }));
    const timeoutOf = (memory: number) => functions.find((f) => f.Properties.MemorySize === memory)!.Properties.Timeout as number;
    expect(states.Fetch!.TimeoutSeconds).toBe(timeoutOf(DEFAULTS.fetchMemoryMb) + TASK_TIMEOUT_MARGIN_SECONDS);
    expect(states.Transform!.TimeoutSeconds).toBe(timeoutOf(DEFAULTS.transformMemoryMb) + TASK_TIMEOUT_MARGIN_SECONDS);
  });

  it('retries Lambda throttling on both functions, with jitter', () => {
    for (const state of ['Fetch', 'Transform']) {
      expect(definition().States[state]!.Retry).toContainEqual({
        ErrorEquals: ['Lambda.TooManyRequestsException'],
        IntervalSeconds: LAMBDA_THROTTLE_RETRY.intervalSeconds,
        MaxAttempts: LAMBDA_THROTTLE_RETRY.maxAttempts,
        BackoffRate: LAMBDA_THROTTLE_RETRY.backoffRate,
        MaxDelaySeconds: LAMBDA_THROTTLE_RETRY.maxDelaySeconds,
        JitterStrategy: 'FULL',
      });
    }
  });

  it('logs ALL levels without execution data, traces, and times out only after the worst case of all retries', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: false }),
      TracingConfiguration: { Enabled: true },
    });
    expect(definition().TimeoutSeconds).toBe(worstCaseExecutionSeconds(projectConfig()));
    // The worst case includes every API retry wait at its maximum.
    const more = configWith({ retry: { maxAttempts: 5, intervalSeconds: 60, backoffRate: 2, maxDelaySeconds: 900 } });
    expect(worstCaseExecutionSeconds(more)).toBeGreaterThan(worstCaseExecutionSeconds(projectConfig()) + 60 + 120 + 240 + 480 + 900 - 140);
  });
});

describe('watching the pipeline', () => {
  it('alarms when no hour landed for alerts.staleAfterHours, missing data included, from the metric Transform emits per loaded hour', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'ApiLake',
      MetricName: 'hoursLoaded',
      Dimensions: [{ Name: 'service', Value: 'api-lake' }, { Name: 'source', Value: 'weather' }, { Name: 'step', Value: 'Transform' }],
      Statistic: 'Sum',
      Period: 3600,
      EvaluationPeriods: DEFAULTS.staleAfterHours,
      DatapointsToAlarm: DEFAULTS.staleAfterHours,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
      AlarmActions: [{ Ref: Match.stringLikeRegexp('AlertsTopic') }],
    });
  });

  it('alarms on alerts.skippedHoursInARow skipped hours in a row, counted from the execution log', () => {
    template.hasResourceProperties('AWS::Logs::MetricFilter', {
      LogGroupName: { Ref: Match.stringLikeRegexp('PipelineLogs') },
      FilterPattern: '{ ($.type = "TaskStateEntered") && ($.details.name = "NotifySkipped") }',
      MetricTransformations: [{ MetricNamespace: 'ApiLake', MetricName: 'weather.hoursSkipped', MetricValue: '1' }],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'weather.hoursSkipped',
      EvaluationPeriods: DEFAULTS.skippedHoursInARow,
      DatapointsToAlarm: DEFAULTS.skippedHoursInARow,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
    template.hasResourceProperties('AWS::Logs::MetricFilter', {
      FilterPattern: '{ $.message = "source asked to retry after a short wait" }',
      MetricTransformations: [{ MetricNamespace: 'ApiLake', MetricName: 'weather.retryAfterSeconds', MetricValue: '$.waitSeconds' }],
    });
  });

  it('has a dashboard with executions by outcome, records per hour, step durations, Retry-After waits, skipped and failed hours', () => {
    const [dashboard] = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
    const body = JSON.stringify(dashboard!.Properties.DashboardBody);
    for (const title of ['executions by outcome', 'records per hour', 'step durations (ms)', 'Retry-After waits (s)', 'skipped and failed hours']) expect(body).toContain(`weather: ${title}`);
  });

  it('turns an alarm off with 0, follows a sparser schedule when unset, and refuses a freshness window shorter than the schedule\'s gaps', () => {
    const off = synthTemplate(configWith({ alerts: { staleAfterHours: 0, skippedHoursInARow: 0 } }));
    expect(Object.values(off.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties.MetricName)).not.toContain('hoursLoaded');
    const unset = {};
    expect(configWith({ alerts: unset }).alerts.staleAfterHours).toBe(DEFAULTS.staleAfterHours);
    expect(configWith({ schedule: 'cron(0 */6 * * ? *)', alerts: unset }).alerts.staleAfterHours).toBe(8);
    expect(configWith({ schedule: 'cron(0 9-17 ? * MON-FRI *)', alerts: unset }).alerts.staleAfterHours).toBe(0);
    expect(configWith({ schedule: 'cron(0 2 * * ? *)', alerts: unset }).alerts.staleAfterHours).toBe(0);
    expect(() => configWith({ schedule: 'cron(0 */6 * * ? *)', alerts: { staleAfterHours: 3 } })).toThrow(
      /alerts.staleAfterHours: 3 hours, but the schedule cron\(0 \*\/6 \* \* \? \*\) leaves 6 hours between runs: set it above 6/,
    );
    expect(() => configWith({ schedule: 'cron(0 2 * * ? *)', alerts: { staleAfterHours: 3 } })).toThrow(/set it to 0 \(off\)/);
  });

  it('counts skipped runs per period of the schedule, so that a sparser schedule\'s skips in a row are seen as such', () => {
    const skippedAlarm = (config: Record<string, unknown>) =>
      Object.values(synthTemplate(configWith({ alerts: {}, ...config })).findResources('AWS::CloudWatch::Alarm')).find((a) => a.Properties.MetricName === 'weather.hoursSkipped')?.Properties;
    // Hourly: three one-hour periods. Every 6 hours: three 6-hour periods, each holding one run.
    expect(skippedAlarm({})).toMatchObject({ Period: 3600, EvaluationPeriods: 3, DatapointsToAlarm: 3 });
    expect(skippedAlarm({ schedule: 'cron(0 */6 * * ? *)' })).toMatchObject({ Period: 21_600, EvaluationPeriods: 3, DatapointsToAlarm: 3 });
    // Daily: one day-long period (an alarm looks back a day at most), so one skipped run alarms.
    expect(skippedAlarm({ schedule: 'cron(0 2 * * ? *)' })).toMatchObject({ Period: 86_400, EvaluationPeriods: 1 });
    expect(configWith({ schedule: 'cron(0 */12 * * ? *)', alerts: {} }).alerts.skippedHoursInARow).toBe(2);
    expect(() => configWith({ schedule: 'cron(0 */12 * * ? *)', alerts: { skippedHoursInARow: 3 } })).toThrow(
      /alerts.skippedHoursInARow: 3 skipped runs of the schedule cron\(0 \*\/12 \* \* \? \*\) span up to 36 hours, but an alarm looks back 24 hours at most: set it to at most 2, or 0 \(off\)/,
    );
  });
});

describe('alerts', () => {
  it('subscribes the emailParam address only when it is given', () => {
    template.hasParameter('emailParam', { Type: 'String', Default: '' });
    template.hasResource('AWS::SNS::Subscription', { Condition: Match.stringLikeRegexp('HasEmail'), Properties: Match.objectLike({ Protocol: 'email', Endpoint: { Ref: 'emailParam' } }) });
    const conditions = template.findConditions('*');
    expect(Object.values(conditions)).toContainEqual({ 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'emailParam' }, ''] }] });
  });

  it('lets this account alarms publish, enforces TLS and refuses outside subscribers', () => {
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Sid: 'AllowPublishThroughSSLOnly', Effect: 'Deny' }),
          Match.objectLike({ Sid: 'AllowThisAccountsAlarms', Effect: 'Allow', Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: 'sns:Publish' }),
          Match.objectLike({ Sid: 'DenySubscriptionsFromOtherAccounts', Effect: 'Deny', Action: 'sns:Subscribe' }),
        ]),
      },
    });
  });

  it('alarms on executions failed, timed out and aborted, and on schedule dead letters, into the topic', () => {
    for (const metric of ['ExecutionsFailed', 'ExecutionsTimedOut', 'ExecutionsAborted', 'ApproximateNumberOfMessagesVisible']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: metric,
        Threshold: 1,
        AlarmActions: [{ Ref: Match.stringLikeRegexp('AlertsTopic') }],
      });
    }
  });
});

describe('data-lake buckets', () => {
  it('blocks public access, enforces TLS, encrypts, and is destroyed with its data', () => {
    const buckets = template.findResources('AWS::S3::Bucket');
    expect(Object.keys(buckets)).toHaveLength(3); // raw, curated, Athena results
    for (const bucket of Object.values(buckets)) {
      expect(bucket.DeletionPolicy).toBe('Delete');
      expect(bucket.Properties.BucketName).toBeUndefined(); // generated: two deployments never collide
      expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBe('AES256');
    }
    expect(Object.keys(template.findResources('Custom::S3AutoDeleteObjects'))).toHaveLength(3);
    template.resourcePropertiesCountIs(
      'AWS::S3::BucketPolicy',
      { PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) } },
      3,
    );
  });

  it('moves raw objects to STANDARD_IA after 30 days and keeps noncurrent versions 30 days', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      LifecycleConfiguration: {
        Rules: [
          Match.objectLike({
            Transitions: [{ StorageClass: 'STANDARD_IA', TransitionInDays: DEFAULTS.rawInfrequentAccessAfterDays }],
            NoncurrentVersionExpiration: { NoncurrentDays: 30 },
          }),
        ],
        TransitionDefaultMinimumObjectSize: 'all_storage_classes_128K',
      },
    });
  });

  it('keeps the raw and curated buckets and their data on cdk destroy with storage.removal "retain"', () => {
    const t = synthTemplate(configWith({ storage: { removal: 'retain' } }));
    const buckets = Object.entries(t.findResources('AWS::S3::Bucket'));
    const retained = buckets.filter(([, b]) => b.DeletionPolicy === 'Retain').map(([id]) => id.replace(/Bucket[0-9A-F]{8}$/, ''));
    expect(retained.sort()).toEqual(['CuratedZone', 'RawZone']);
    expect(Object.keys(t.findResources('Custom::S3AutoDeleteObjects'))).toHaveLength(1); // the Athena results only
    // Their TLS-only policies stay with them.
    const policies = Object.entries(t.findResources('AWS::S3::BucketPolicy')).filter(([, p]) => p.DeletionPolicy === 'Retain').map(([id]) => id.replace(/BucketPolicy[0-9A-F]{8}$/, ''));
    expect(policies.sort()).toEqual(['CuratedZone', 'RawZone']);
  });

  it('takes the transition age from the config', () => {
    const t = synthTemplate(configWith({ storage: { rawInfrequentAccessAfterDays: 90 } }));
    t.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: { Rules: [Match.objectLike({ Transitions: [{ StorageClass: 'STANDARD_IA', TransitionInDays: 90 }] })] },
    });
  });
});

describe('functions', () => {
  it('runs fetch and transform on the latest Node.js runtime, arm64, traced, with their own destroyable log groups', () => {
    const functions = Object.values(template.findResources('AWS::Lambda::Function', { Properties: { Architectures: ['arm64'] } }));
    expect(functions).toHaveLength(2);
    for (const fn of functions) {
      expect(fn.Properties.Runtime).toMatch(/^nodejs(2[2-9]|[3-9]\d)\.x$/);
      expect(fn.Properties.TracingConfig).toEqual({ Mode: 'Active' });
      expect(fn.Properties.LoggingConfig.LogGroup).toBeDefined();
      expect(Object.keys(fn.Properties.Environment.Variables)).toEqual(expect.arrayContaining(['PIPELINE_CONFIG', 'RAW_BUCKET']));
    }
    // Each function is told only the buckets it uses: Fetch the curated zone only for an incremental source's cursor.
    const withCurated = functions.filter((fn) => 'CURATED_BUCKET' in fn.Properties.Environment.Variables);
    expect(withCurated.map((fn) => fn.Properties.MemorySize)).toEqual([DEFAULTS.transformMemoryMb]);
    const logGroups = Object.values(template.findResources('AWS::Logs::LogGroup'));
    expect(logGroups.length).toBeGreaterThanOrEqual(3);
    for (const group of logGroups) {
      expect(group.DeletionPolicy).toBe('Delete');
      expect(group.Properties.RetentionInDays).toBe(DEFAULTS.logRetentionDays);
    }
  });

  it('sizes memory from the config', () => {
    const t = synthTemplate(configWith({ lambda: { fetchMemoryMb: 256, transformMemoryMb: 3008 } }));
    t.hasResourceProperties('AWS::Lambda::Function', { MemorySize: 256, Environment: { Variables: Match.objectLike({ SECRET_NAME: 'api-lake/weather/api-key' }) } });
    t.hasResourceProperties('AWS::Lambda::Function', { MemorySize: 3008 });
  });
});

describe('secret', () => {
  it('is referenced by name only: no secret resource and no value in the template', () => {
    template.resourceCountIs('AWS::SecretsManager::Secret', 0);
    const text = JSON.stringify(template.toJSON());
    expect(text).toContain('api-lake/weather/api-key');
    expect(text).not.toMatch(/SecretString|GenerateSecretString/);
  });
});

describe('catalog', () => {
  const curated = (path: string) => ({ 'Fn::Join': ['', ['s3://', { Ref: Match.stringLikeRegexp('CuratedZone') }, path]] });

  it('defines the curated table in a stack-named database: Parquet at the table prefix, partitions projected from the layout', () => {
    template.hasResourceProperties('AWS::Glue::Database', { DatabaseInput: { Name: 'apilake_weather' } });
    template.hasResourceProperties('AWS::Glue::Table', {
      DatabaseName: { Ref: Match.stringLikeRegexp('CatalogDatabase') },
      TableInput: {
        Name: 'weather',
        TableType: 'EXTERNAL_TABLE',
        PartitionKeys: [
          { Name: 'dt', Type: 'string' },
          { Name: 'hour', Type: 'int' },
        ],
        Parameters: {
          classification: 'parquet',
          has_encrypted_data: false,
          'projection.enabled': 'true',
          'projection.dt.type': 'date',
          'projection.dt.format': 'yyyy-MM-dd',
          'projection.dt.range': `${DEFAULTS.catalogFirstDate},NOW`,
          'projection.dt.interval': '1',
          'projection.dt.interval.unit': 'DAYS',
          'projection.hour.type': 'integer',
          'projection.hour.range': '0,23',
          'projection.hour.digits': '2',
          'storage.location.template': curated('/weather/dt=${dt}/hour=${hour}/'),
        },
        StorageDescriptor: Match.objectLike({
          Location: curated('/weather/'),
          InputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
          OutputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
          SerdeInfo: { SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
          // The lineage columns every hour has; the pipeline adds the rest.
          Columns: [
            { Name: 'lake_scheduled_hour', Type: 'timestamp' },
            { Name: 'lake_ingested_at', Type: 'timestamp' },
            { Name: 'lake_raw_key', Type: 'string' },
            { Name: 'lake_current_data', Type: 'boolean' },
          ],
        }),
      },
    });
    expect(template.findResources('AWS::Glue::Crawler')).toEqual({});
  });

  it('takes the first projected date from the config, and gives Transform the database to keep the table in', () => {
    const t = synthTemplate(configWith({ catalog: { mode: 'projection', firstDate: '2024-02-29' } }));
    t.hasResourceProperties('AWS::Glue::Table', { TableInput: Match.objectLike({ Parameters: Match.objectLike({ 'projection.dt.range': '2024-02-29,NOW' }) }) });
    t.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ GLUE_DATABASE: 'apilake_weather' }) } });
  });

  it('keeps the logical id the database had before the table was added, so an existing stack updates it in place', () => {
    // A new id would make CloudFormation create a second database of the same name first, which Glue refuses.
    expect(Object.keys(template.findResources('AWS::Glue::Database'))).toEqual(['CatalogDatabaseE63956BB']);
  });

  it('is destroyed with the stack, database and table alike', () => {
    for (const type of ['AWS::Glue::Database', 'AWS::Glue::Table']) {
      for (const resource of Object.values(template.findResources(type))) expect(resource.DeletionPolicy ?? 'Delete').toBe('Delete');
    }
  });

  describe('catalog.mode "crawler"', () => {
    let crawlerTemplate: Template;
    beforeAll(() => {
      crawlerTemplate = synthTemplate(configWith({ catalog: { mode: 'crawler', firstDate: DEFAULTS.catalogFirstDate } }));
    });

    it('crawls the curated table prefix on its own schedule into the stack-named database, and defines no table', () => {
      crawlerTemplate.hasResourceProperties('AWS::Glue::Crawler', {
        DatabaseName: 'apilake_weather',
        Schedule: { ScheduleExpression: DEFAULTS.crawlerSchedule },
        Targets: { S3Targets: [{ Path: curated('/weather/') }] },
      });
      expect(crawlerTemplate.findResources('AWS::Glue::Table')).toEqual({});
      for (const fn of Object.values(crawlerTemplate.findResources('AWS::Lambda::Function'))) expect(JSON.stringify(fn)).not.toContain('GLUE_DATABASE');
    });

    it('lets the crawler create no partition index, which its role could not', () => {
      const [crawler] = Object.values(crawlerTemplate.findResources('AWS::Glue::Crawler'));
      expect(JSON.parse(crawler!.Properties.Configuration as string)).toMatchObject({ CreatePartitionIndex: false });
    });
  });

  it('gives Athena a workgroup with its own encrypted, expiring results location', () => {
    template.hasResourceProperties('AWS::Athena::WorkGroup', {
      RecursiveDeleteOption: true,
      WorkGroupConfiguration: Match.objectLike({
        EnforceWorkGroupConfiguration: true,
        ResultConfiguration: { OutputLocation: Match.anyValue(), EncryptionConfiguration: { EncryptionOption: 'SSE_S3' } },
      }),
    });
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: DEFAULTS.athenaResultsExpireDays })] },
    });
  });
});

describe('outputs', () => {
  it('exports buckets, state machine, topic, database, table and workgroup', () => {
    const outputs = Object.keys(template.findOutputs('*'));
    expect(outputs).toEqual(
      expect.arrayContaining(['RawBucketName', 'CuratedBucketName', 'StateMachineArn', 'AlertTopicArn', 'GlueDatabaseName', 'GlueTableName', 'AthenaWorkGroup']),
    );
    expect(outputs).not.toContain('CrawlerName');
  });
});

describe('error classification and the state machine agree', () => {
  it('retries exactly the errors the core classifies as transient', async () => {
    const errors = await import('../../src/core/errors.js');
    type Concrete = new (message: string, detail?: never) => InstanceType<typeof errors.PipelineError>;
    const classified = (Object.values(errors) as unknown[])
      .filter((value) => typeof value === 'function' && (value as { prototype: unknown }).prototype instanceof errors.PipelineError)
      .map((ErrorClass) => new (ErrorClass as Concrete)('probe'));
    expect(classified.length).toBeGreaterThanOrEqual(8);
    const retried = new Set(
      Object.values(definition().States).flatMap((state) => ((state.Retry as { ErrorEquals: string[] }[] | undefined) ?? []).flatMap((r) => r.ErrorEquals)),
    );
    for (const error of classified) expect({ name: error.name, retried: retried.has(error.name) }).toEqual({ name: error.name, retried: error.transient });
  });
});
