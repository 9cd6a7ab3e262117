import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { LOG_METRIC, METRIC, METRICS_NAMESPACE, SERVICE_NAME } from '../../src/contract/metrics.js';
import { STATE } from '../../src/contract/state-names.js';
import { skippedPeriodHours, type PipelineConfig } from '../../src/core/config.js';

export interface PipelineMonitoringProps {
  readonly config: PipelineConfig;
  readonly stateMachine: sfn.StateMachine;
  /** The state machine's execution log group (level ALL). */
  readonly executionLogs: logs.ILogGroup;
  readonly fetchLogs: logs.ILogGroup;
  readonly alertTopic: sns.ITopic;
}

/**
 * The operator's watch on one pipeline:
 * - **freshness**: no hour landed in the curated zone for `alerts.staleAfterHours` hours (the Transform's
 *   `hoursLoaded` metric; missing data is breaching, so a pipeline that stopped altogether alarms too);
 * - **skipped runs**: `alerts.skippedHoursInARow` runs in a row skipped (a metric filter on the execution log
 *   counting NotifySkipped, summed per period of the schedule's longest gap: an hour for an hourly schedule);
 * - the widgets of its row of the stack's dashboard: executions by outcome, records per hour, step durations,
 *   Retry-After waits (a metric filter on Fetch's log), skipped and failed hours.
 */
export class PipelineMonitoring extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly widgets: cloudwatch.IWidget[];

  constructor(scope: Construct, id: string, props: PipelineMonitoringProps) {
    super(scope, id);
    const { config, stateMachine } = props;
    const hourly = { period: Duration.hours(1), statistic: 'Sum' } as const;
    const embedded = (metricName: string, step: string, statistic = 'Sum') =>
      new cloudwatch.Metric({ namespace: METRICS_NAMESPACE, metricName, dimensionsMap: { service: SERVICE_NAME, step, source: config.source.name }, period: Duration.hours(1), statistic });

    const skippedFilter = new logs.MetricFilter(this, 'SkippedHoursFilter', {
      logGroup: props.executionLogs,
      metricNamespace: METRICS_NAMESPACE,
      metricName: `${config.name}.hoursSkipped`,
      filterPattern: logs.FilterPattern.all(logs.FilterPattern.stringValue('$.type', '=', 'TaskStateEntered'), logs.FilterPattern.stringValue('$.details.name', '=', STATE.notifySkipped)),
      metricValue: '1',
    });
    const skipped = skippedFilter.metric(hourly);
    const retryAfter = new logs.MetricFilter(this, 'RetryAfterWaitsFilter', {
      logGroup: props.fetchLogs,
      metricNamespace: METRICS_NAMESPACE,
      metricName: `${config.name}.retryAfterSeconds`,
      filterPattern: logs.FilterPattern.stringValue('$.message', '=', LOG_METRIC.retryAfterWait.message),
      metricValue: `$.${LOG_METRIC.retryAfterWait.valueField}`,
    }).metric(hourly);
    const loaded = embedded(METRIC.hoursLoaded, 'Transform');

    const topic = props.alertTopic;
    const alarm = (id: string, alarmProps: cloudwatch.AlarmProps) => {
      const made = new cloudwatch.Alarm(this, id, alarmProps);
      made.addAlarmAction(new SnsAction(topic));
      this.alarms.push(made);
      return made;
    };
    const { staleAfterHours, skippedHoursInARow } = config.alerts;
    if (staleAfterHours > 0) {
      alarm('Freshness', {
        metric: loaded,
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: staleAfterHours,
        datapointsToAlarm: staleAfterHours,
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
        alarmDescription: `api-lake ${config.name}: no hour of ${config.table} landed in the curated zone for ${staleAfterHours} hours (alerts.staleAfterHours)`,
      });
    }
    if (skippedHoursInARow > 0) {
      // One period per run of the schedule (an hour for an hourly one), so that N periods in a row are N runs in a row.
      const period = skippedPeriodHours(config.schedule);
      alarm('SkippedHours', {
        metric: skippedFilter.metric({ period: Duration.hours(period), statistic: 'Sum' }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: skippedHoursInARow,
        datapointsToAlarm: skippedHoursInARow,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: `api-lake ${config.name}: runs skipped (the API unavailable) ${skippedHoursInARow} runs in a row (alerts.skippedHoursInARow; ${period}-hour periods)`,
      });
    }

    const graph = (title: string, left: cloudwatch.IMetric[], right: cloudwatch.IMetric[] = []) => new cloudwatch.GraphWidget({ title: `${config.name}: ${title}`, left, right, width: 8, height: 6 });
    this.widgets = [
      graph('executions by outcome', [
        stateMachine.metricSucceeded({ ...hourly, label: 'succeeded' }),
        stateMachine.metricFailed({ ...hourly, label: 'failed' }),
        stateMachine.metricTimedOut({ ...hourly, label: 'timed out' }),
        stateMachine.metricAborted({ ...hourly, label: 'aborted' }),
      ]),
      graph('records per hour', [embedded(METRIC.records, 'Transform').with({ label: 'records' })], [loaded.with({ label: 'hours loaded' })]),
      graph('step durations (ms)', [embedded(METRIC.durationMs, 'Fetch', 'Average').with({ label: 'Fetch' }), embedded(METRIC.durationMs, 'Transform', 'Average').with({ label: 'Transform' })]),
      graph('Retry-After waits (s)', [retryAfter.with({ label: 'waited in Fetch' })]),
      graph('skipped and failed hours', [skipped.with({ label: 'skipped' }), stateMachine.metricFailed({ ...hourly, label: 'failed' })]),
    ];
  }
}
