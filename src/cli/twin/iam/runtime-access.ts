import type { LocalStack } from '../local-stack.js';
import { LocalAccess, type RoleSession } from './access.js';

/** What Step Functions needs of its role to deliver execution logs; CloudFormation refuses to create the state machine without it. */
const LOG_DELIVERY_ACTIONS = [
  'logs:CreateLogDelivery',
  'logs:GetLogDelivery',
  'logs:UpdateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutResourcePolicy',
  'logs:DescribeResourcePolicies',
  'logs:DescribeLogGroups',
];
const TRACE_ACTIONS = ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'];

export interface RuntimeAccess {
  /** What AWS would refuse at deploy time: the twin does not run such a stack. */
  readonly errors: string[];
  /** What AWS would accept but lose (logs, traces) for want of a permission. */
  readonly warnings: string[];
}

/**
 * The calls the AWS runtime makes with the stack's roles besides the steps' own: Lambda writing each
 * function's logs and traces, Step Functions delivering its logs and traces. The twin makes none of
 * them, so it checks them here once, as AWS would need them.
 */
export function runtimeAccess(stack: LocalStack): RuntimeAccess {
  const access = new LocalAccess(stack);
  const errors: string[] = [];
  const warnings: string[] = [];
  const missing = (caller: RoleSession, actions: string[], resource: string) => actions.filter((action) => !access.decide(caller, action, resource).allowed);
  const machine: RoleSession = { roleArn: stack.stateMachine.roleArn, session: 'local-execution' };
  if (stack.stateMachine.logging) {
    const lacking = missing(machine, LOG_DELIVERY_ACTIONS, '*');
    if (lacking.length) errors.push(`the state machine's role may not deliver its logs (${lacking.join(', ')}): CloudFormation would refuse to create the state machine`);
  }
  if (stack.stateMachine.tracing) {
    const lacking = missing(machine, [...TRACE_ACTIONS, 'xray:GetSamplingRules', 'xray:GetSamplingTargets'], '*');
    if (lacking.length) warnings.push(`the state machine's role may not send traces (${lacking.join(', ')}): its X-Ray traces would be lost`);
  }
  for (const fn of Object.values(stack.functions)) {
    const caller: RoleSession = { roleArn: fn.roleArn, session: fn.arn.split(':').pop()! };
    const name = caller.session;
    if (fn.logGroupArn) {
      const stream = fn.logGroupArn.replace(/:\*$/, ':log-stream:2026/01/01/[$LATEST]local');
      const lacking = missing(caller, ['logs:CreateLogStream', 'logs:PutLogEvents'], stream);
      if (lacking.length) warnings.push(`function ${name}'s role may not write to its log group (${lacking.join(', ')}): its logs would be lost`);
    }
    if (fn.tracing) {
      const lacking = missing(caller, TRACE_ACTIONS, '*');
      if (lacking.length) warnings.push(`function ${name}'s role may not send traces (${lacking.join(', ')}): its X-Ray traces would be lost`);
    }
  }
  return { errors, warnings };
}
