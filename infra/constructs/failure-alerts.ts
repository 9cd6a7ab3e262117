import { CfnCondition, CfnParameter, Duration, Fn, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

/** The stack parameter that subscribes an e-mail address; empty (the default) subscribes nobody. */
export const EMAIL_PARAMETER = 'emailParam';

/**
 * The alert topic: TLS only, publishable only by this account's services (the state machine through its
 * role, CloudWatch alarms of this account through the topic policy), no subscriptions from outside the
 * account, and an optional e-mail subscription from the `emailParam` stack parameter.
 */
export class FailureAlerts extends Construct {
  readonly topic: sns.Topic;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const stack = Stack.of(this);
    this.topic = new sns.Topic(this, 'Topic', { enforceSSL: true, displayName: 'api-lake alerts' });

    // A topic policy replaces SNS's default one, so CloudWatch alarms must be let in explicitly.
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowThisAccountsAlarms',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: { 'aws:SourceArn': `arn:${stack.partition}:cloudwatch:${stack.region}:${stack.account}:alarm:*` },
        },
      }),
    );
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenySubscriptionsFromOtherAccounts',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['sns:Subscribe'],
        resources: [this.topic.topicArn],
        conditions: { StringNotEquals: { 'aws:PrincipalAccount': stack.account } },
      }),
    );

    const email = new CfnParameter(stack, EMAIL_PARAMETER, {
      type: 'String',
      default: '',
      allowedPattern: '^$|^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$',
      constraintDescription: 'must be an e-mail address, or empty for no subscription',
      description: 'E-mail address that receives failure and skipped-hour alerts (confirm the subscription e-mail). Empty: no subscription.',
    });
    const hasEmail = new CfnCondition(this, 'HasEmail', { expression: Fn.conditionNot(Fn.conditionEquals(email.valueAsString, '')) });
    const subscription = new sns.CfnSubscription(this, 'EmailSubscription', {
      topicArn: this.topic.topicArn,
      protocol: 'email',
      endpoint: email.valueAsString,
    });
    subscription.cfnOptions.condition = hasEmail;
  }

  /**
   * Alarms on a state machine's failed, timed-out and aborted executions: they catch even a failure the notify path
   * could not report. `prefix` tells the alarms of several state machines apart.
   */
  alarmOnExecutions(stateMachine: sfn.StateMachine, prefix = ''): cloudwatch.Alarm[] {
    const metrics: Record<string, cloudwatch.Metric> = {
      ExecutionsFailed: stateMachine.metricFailed({ period: Duration.minutes(5), statistic: 'Sum' }),
      ExecutionsTimedOut: stateMachine.metricTimedOut({ period: Duration.minutes(5), statistic: 'Sum' }),
      ExecutionsAborted: stateMachine.metricAborted({ period: Duration.minutes(5), statistic: 'Sum' }),
    };
    return Object.entries(metrics).map(([name, metric]) => this.alarm(`${prefix}${name}`, metric, `api-lake executions${prefix ? ` of ${prefix}` : ''}: ${name} >= 1`));
  }

  /** An alarm that notifies the topic when `metric` reaches 1 in a period. */
  alarm(id: string, metric: cloudwatch.IMetric, description: string): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this, id, {
      metric,
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: description,
    });
    alarm.addAlarmAction(new SnsAction(this.topic));
    return alarm;
  }
}
