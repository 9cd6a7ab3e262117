import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { DEFAULTS, type PipelineConfig } from '../../src/core/config.js';
import { PIPELINE_COMMENT_PREFIX, STATE } from '../../src/contract/state-names.js';
import { retentionDays } from '../log-retention.js';
import { requestStates } from './request-states.js';
import { fetchTimeoutSeconds, LAMBDA_THROTTLE_RETRY, NOTIFY_RETRY_ATTEMPTS, STORE_RETRY, taskTimeoutSeconds, TRANSFORM_TIMEOUT_SECONDS, worstCaseExecutionSeconds } from '../timeouts.js';


/** SNS throttling and server errors on a publish (States.TaskFailed: every error of the task but a timeout). */
const NOTIFY_RETRY: sfn.RetryProps = {
  errors: ['States.TaskFailed'],
  maxAttempts: NOTIFY_RETRY_ATTEMPTS.maxAttempts,
  interval: Duration.seconds(NOTIFY_RETRY_ATTEMPTS.intervalSeconds),
  backoffRate: NOTIFY_RETRY_ATTEMPTS.backoffRate,
  jitterStrategy: sfn.JitterType.FULL,
};

export interface PipelineStateMachineProps {
  /** The parsed pipeline configuration: the source name, the retry policy and the request timeout come from it. */
  readonly config: PipelineConfig;
  /** The Fetch step's function (src/handlers/fetch.ts). */
  readonly fetchFunction: lambda.IFunction;
  /** The Transform step's function (src/handlers/transform.ts). */
  readonly transformFunction: lambda.IFunction;
  /** Where NotifyFailure and NotifySkipped publish; the state machine's role may publish only there. */
  readonly alertTopic: sns.ITopic;
  /**
   * How long the execution log group (`/aws/vendedlogs/states/...`) keeps its logs.
   * @default logs.RetentionDays.ONE_MONTH (DEFAULTS.logRetentionDays)
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * CheckInput -> Fetch -> Transform -> Succeeded (or CheckInput -> UseStoredRaw -> Transform to reprocess). ApiUnavailableError is retried with backoff and
 * jitter, then the hour is skipped (SUCCEEDED, with a notification). Any other error in any step goes
 * to NotifyFailure, whose message names source, hour, step, error and raw keys, and the execution
 * ends FAILED. Payloads carry keys and counts only.
 */
export class PipelineStateMachine extends Construct {
  readonly stateMachine: sfn.StateMachine;
  /** The execution log (level ALL, without execution data). */
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: PipelineStateMachineProps) {
    super(scope, id);
    const { config } = props;
    const source = config.source.name;

    const fetch = new tasks.LambdaInvoke(this, STATE.fetch, {
      lambdaFunction: props.fetchFunction,
      payloadResponseOnly: true,
      // No payload: Fetch gets its Map iteration's state: the execution input, its request, and the previous
      // invocation's output when the chain goes on (request-states.ts).
      resultPath: '$.fetch',
      taskTimeout: sfn.Timeout.duration(Duration.seconds(taskTimeoutSeconds(fetchTimeoutSeconds(config)))),
    });
    fetch.addRetry({
      errors: ['ApiUnavailableError'],
      maxAttempts: config.retry.maxAttempts,
      interval: Duration.seconds(config.retry.intervalSeconds),
      backoffRate: config.retry.backoffRate,
      maxDelay: Duration.seconds(config.retry.maxDelaySeconds),
      jitterStrategy: sfn.JitterType.FULL,
    });
    const transform = new tasks.LambdaInvoke(this, STATE.transform, {
      lambdaFunction: props.transformFunction,
      payloadResponseOnly: true,
      // The hour and its chains (or, to reprocess, the raw keys): PrepareTransform and UseStoredRaw put them here.
      // InputPath, not a payload: with payloadResponseOnly CDK renders a JsonPath payload as `"Parameters": "$..."`, which is not ASL.
      inputPath: '$.transformInput',
      resultPath: '$.transform',
      taskTimeout: sfn.Timeout.duration(Duration.seconds(taskTimeoutSeconds(TRANSFORM_TIMEOUT_SECONDS))),
    });
    for (const task of [fetch, transform]) {
      task.addRetry({
        errors: ['Lambda.TooManyRequestsException'],
        maxAttempts: LAMBDA_THROTTLE_RETRY.maxAttempts,
        interval: Duration.seconds(LAMBDA_THROTTLE_RETRY.intervalSeconds),
        backoffRate: LAMBDA_THROTTLE_RETRY.backoffRate,
        maxDelay: Duration.seconds(LAMBDA_THROTTLE_RETRY.maxDelaySeconds),
        jitterStrategy: sfn.JitterType.FULL,
      });
      task.addRetry({
        // S3 (both steps) and Secrets Manager (Fetch reads the key) failing for now: throttling, 5xx, no answer.
        // Transform also retries the Glue table update: Glue failing for now, or another hour's update in between.
        errors: task === fetch ? ['StoreUnavailableError', 'SecretStoreUnavailableError'] : ['StoreUnavailableError', 'CatalogUnavailableError', 'CatalogConflictError'],
        maxAttempts: STORE_RETRY.maxAttempts,
        interval: Duration.seconds(STORE_RETRY.intervalSeconds),
        backoffRate: STORE_RETRY.backoffRate,
        jitterStrategy: sfn.JitterType.FULL,
      });
    }

    // Each failure path reshapes the state into one `failure` object, so one notify state serves all.
    const failure = (name: string, step: string, fields: Record<string, unknown>) =>
      new sfn.Pass(this, name, { parameters: { failure: { step, ...fields } } });
    const inputInvalid = failure(STATE.inputInvalid, STATE.checkInput, {
      scheduledTime: 'unknown',
      error: 'InvalidInputError',
      cause: 'The execution input must be {"time": "<ISO-8601 timestamp, e.g. 2026-11-25T18:00:00Z>"}. EventBridge sends this; a manual start must too.',
      rawKeys: [],
      'input.$': '$$.Execution.Input',
    });
    const fetchFailed = failure(STATE.fetchFailed, STATE.fetch, {
      'scheduledTime.$': '$.time',
      'error.$': '$.error.Error',
      'cause.$': '$.error.Cause',
      rawKeys: [],
    });
    const transformFailed = failure(STATE.transformFailed, STATE.transform, {
      'scheduledTime.$': '$.time',
      'error.$': '$.error.Error',
      'cause.$': '$.error.Cause',
      'rawKeys.$': '$.rawKeys',
    });

    // Every notice names its outcome, a summary, the source and the table, then its own fields, then the execution.
    const notice = (id: string, subject: string, outcome: string, summary: string, fields: Record<string, unknown>) => {
      const task = new tasks.SnsPublish(this, id, {
        topic: props.alertTopic,
        subject: `api-lake ${source}: ${subject}`,
        message: sfn.TaskInput.fromObject({ outcome, summary, source, table: config.table, ...fields, execution: sfn.JsonPath.executionId }),
        resultPath: sfn.JsonPath.DISCARD,
      });
      // A throttled or failing publish would turn a reported failure into a silent one, and a skipped hour into FAILED.
      task.addRetry(NOTIFY_RETRY);
      return task;
    };

    const notifyFailure = notice(
      STATE.notifyFailure,
      'pipeline FAILED',
      'FAILED',
      sfn.JsonPath.format(
        `Source ${source}: step {} failed for the hour scheduled at {} with {}. Raw objects kept for reprocessing: {}.`,
        sfn.JsonPath.stringAt('$.failure.step'),
        sfn.JsonPath.stringAt('$.failure.scheduledTime'),
        sfn.JsonPath.stringAt('$.failure.error'),
        sfn.JsonPath.jsonToString(sfn.JsonPath.objectAt('$.failure.rawKeys')),
      ),
      {
        step: sfn.JsonPath.stringAt('$.failure.step'),
        scheduledTime: sfn.JsonPath.stringAt('$.failure.scheduledTime'),
        error: sfn.JsonPath.stringAt('$.failure.error'),
        cause: sfn.JsonPath.stringAt('$.failure.cause'),
        rawKeys: sfn.JsonPath.objectAt('$.failure.rawKeys'),
      },
    );
    const failed = new sfn.Fail(this, STATE.failed, { errorPath: '$.failure.error', causePath: '$.failure.cause' });
    notifyFailure.next(failed);

    const notifySkipped = notice(
      STATE.notifySkipped,
      'hour skipped',
      'SKIPPED',
      sfn.JsonPath.format(
        `Source ${source}: the API stayed unavailable for the hour scheduled at {} after ${config.retry.maxAttempts} retries, so the hour was skipped; the next schedule runs as usual.`,
        sfn.JsonPath.stringAt('$.time'),
      ),
      {
        step: STATE.fetch,
        scheduledTime: sfn.JsonPath.stringAt('$.time'),
        error: sfn.JsonPath.stringAt('$.error.Error'),
        cause: sfn.JsonPath.stringAt('$.error.Cause'),
      },
    );
    notifySkipped.next(new sfn.Succeed(this, STATE.hourSkipped));

    // The hour's requests (request-states.ts): all or nothing. A request still unavailable after its retries skips
    // the hour, any other failure fails it.
    const requests = requestStates(this, config, fetch);
    requests.map.addCatch(notifySkipped, { errors: ['ApiUnavailableError'], resultPath: '$.error' });
    requests.map.addCatch(fetchFailed.next(notifyFailure), { errors: [sfn.Errors.ALL], resultPath: '$.error' });
    // The state from here on: the time, Transform's input, and the first raw key for a failure notice (dropping the plan).
    const prepareTransform = new sfn.Pass(this, STATE.prepareTransform, {
      parameters: { 'time.$': '$.time', transformInput: { 'hour.$': '$.time', 'chains.$': '$.fetch' }, 'rawKeys.$': 'States.Array($.fetch[0].firstKey)' },
    });
    requests.map.next(prepareTransform).next(transform);
    transform.addCatch(transformFailed.next(notifyFailure), { errors: [sfn.Errors.ALL], resultPath: '$.error' });
    inputInvalid.next(notifyFailure);

    // Reprocess (`api-lake reprocess --aws`): an input that names the hour's raw objects skips Fetch, so the
    // API is never called and raw is never written; Transform reads what is stored.
    const useStoredRaw = new sfn.Pass(this, STATE.useStoredRaw, {
      parameters: { 'time.$': '$.time', transformInput: { 'hour.$': '$.time', 'rawKeys.$': '$.reprocess.rawKeys' }, 'rawKeys.$': '$.reprocess.rawKeys' },
    });
    const hasTime = sfn.Condition.and(sfn.Condition.isPresent('$.time'), sfn.Condition.isTimestamp('$.time'));
    const checkInput = new sfn.Choice(this, STATE.checkInput)
      .when(sfn.Condition.and(hasTime, sfn.Condition.isPresent('$.reprocess.rawKeys')), useStoredRaw)
      .when(hasTime, requests.start)
      .otherwise(inputInvalid);
    // A table that changed for this hour (new columns) is announced: a notice, not a failure.
    const succeeded = new sfn.Succeed(this, STATE.succeeded);
    const notifySchemaChanged = notice(
      STATE.notifySchemaChanged,
      'schema changed',
      'SCHEMA_CHANGED',
      sfn.JsonPath.format(
        `Table ${config.table} of source ${source} changed with the hour scheduled at {}: {} column(s) added, {} retyped (see added, retyped). New columns read as NULL in earlier hours.`,
        sfn.JsonPath.stringAt('$.time'),
        // numbers: States.Format takes any JSON value, stringAt only names the path
        sfn.JsonPath.stringAt('$.transform.schemaChange.addedCount'),
        sfn.JsonPath.stringAt('$.transform.schemaChange.retypedCount'),
      ),
      {
        scheduledTime: sfn.JsonPath.stringAt('$.time'),
        added: sfn.JsonPath.objectAt('$.transform.schemaChange.added'),
        addedCount: sfn.JsonPath.numberAt('$.transform.schemaChange.addedCount'),
        retyped: sfn.JsonPath.objectAt('$.transform.schemaChange.retyped'),
        curatedKey: sfn.JsonPath.stringAt('$.transform.curatedKey'),
      },
    );
    notifySchemaChanged.next(succeeded);
    const schemaChanged = new sfn.Choice(this, STATE.schemaChanged).when(sfn.Condition.isPresent('$.transform.schemaChange'), notifySchemaChanged).otherwise(succeeded);
    transform.next(schemaChanged);
    useStoredRaw.next(transform);

    // Under /aws/vendedlogs/states/: CloudWatch Logs then needs no resource policy for the delivery. Any other
    // name adds one to the account's policy, which is limited to 5,120 characters; in a busy account the
    // state machine could then not be created.
    const logGroup = (this.logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: `/aws/vendedlogs/states/${Stack.of(this).stackName}-${config.table}`,
      retention: props.logRetention ?? retentionDays(DEFAULTS.logRetentionDays),
      removalPolicy: RemovalPolicy.DESTROY,
    }));
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      definitionBody: sfn.DefinitionBody.fromChainable(checkInput),
      stateMachineType: sfn.StateMachineType.STANDARD,
      timeout: Duration.seconds(worstCaseExecutionSeconds(config)),
      tracingEnabled: true,
      // Level ALL for every state transition; execution data stays out of the logs (error causes can quote API responses).
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
      // The twin finds a pipeline's state machine by this comment's start (src/contract/state-names.ts).
      comment: `${PIPELINE_COMMENT_PREFIX}${config.name}: ${source} -> raw -> ${config.table} (Parquet)`,
    });
  }
}
