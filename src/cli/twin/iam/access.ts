import { LOCAL_ACCOUNT, type LocalStack } from '../local-stack.js';
import { authorize, type Caller, type Decision } from './policy.js';

/** A role session as the twin's callers run: a Lambda function's role, or the state machine's. */
export interface RoleSession {
  readonly roleArn: string;
  /** The session name AWS gives it: the function name for Lambda. */
  readonly session: string;
}

/**
 * The request context every call of the twin carries: the AWS adapters and Step Functions call over TLS
 * (so the buckets' and topic's TLS-only denies do not apply), from a role of the local account.
 */
function contextOf(caller: RoleSession, extra: Record<string, string> = {}): Record<string, string> {
  return {
    'aws:SecureTransport': 'true',
    's3:TlsVersion': '1.3',
    'aws:PrincipalAccount': LOCAL_ACCOUNT,
    'aws:PrincipalArn': caller.roleArn,
    ...extra,
  };
}

/** The resource whose resource policy governs `arn`: an object's bucket, else the resource itself. */
function policyHolderOf(arn: string): string {
  const s3 = /^arn:aws:s3:::([^/]+)/.exec(arn);
  return s3 ? `arn:aws:s3:::${s3[1]}` : arn;
}

/**
 * The deployed stack's IAM, decided locally: every call a step makes in the twin is checked against the
 * caller's identity policies and the resource's policy, as AWS checks it.
 */
export class LocalAccess {
  constructor(private readonly stack: Pick<LocalStack, 'identityPolicies' | 'resourcePolicies'>) {}

  decide(caller: RoleSession, action: string, resource: string, context: Record<string, string> = {}): Decision {
    const principal: Caller = { roleArn: caller.roleArn, account: LOCAL_ACCOUNT };
    return authorize(
      { caller: principal, action, resource, context: contextOf(caller, context) },
      { identity: this.stack.identityPolicies[caller.roleArn] ?? [], resource: this.stack.resourcePolicies[policyHolderOf(resource)] ?? [] },
    );
  }
}

/** AWS's wording of a refusal: who, what, on which resource, and why. */
export function deniedMessage(caller: RoleSession, action: string, resource: string, decision: Decision): string {
  const roleName = caller.roleArn.split('/').pop();
  const why =
    !decision.allowed && decision.reason === 'explicit deny'
      ? 'with an explicit deny in a policy'
      : `because no identity-based policy allows the ${action} action`;
  return `User: arn:aws:sts::${LOCAL_ACCOUNT}:assumed-role/${roleName}/${caller.session} is not authorized to perform: ${action} on resource: "${resource}" ${why}`;
}
