import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

export interface PipelineScheduleProps {
  /** EventBridge schedule expression, `cron(0 * * * ? *)` for every hour at minute 0 UTC. */
  readonly expression: string;
  /** The state machine each scheduled event starts, with `{"time": <event time>}` as its input. */
  readonly stateMachine: sfn.IStateMachine;
}

/**
 * Starts the state machine on the schedule with `{"time": <event time>}`: the scheduled time in UTC,
 * from which every step derives the hour it writes. A start that EventBridge cannot make is retried,
 * then kept in a dead-letter queue.
 */
export class PipelineSchedule extends Construct {
  readonly rule: events.Rule;
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: PipelineScheduleProps) {
    super(scope, id);
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.rule = new events.Rule(this, 'Rule', {
      schedule: events.Schedule.expression(props.expression),
      description: 'api-lake: start the pipeline for the scheduled hour',
    });
    this.rule.addTarget(
      new targets.SfnStateMachine(props.stateMachine, {
        input: events.RuleTargetInput.fromObject({ time: events.EventField.time }),
        deadLetterQueue: this.deadLetterQueue,
        retryAttempts: 3,
        maxEventAge: Duration.hours(1),
      }),
    );
  }
}
