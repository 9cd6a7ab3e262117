/**
 * A small IAM policy evaluator for exactly the policy grammar the stack emits, so the local twin refuses
 * what AWS would refuse. It follows AWS's same-account evaluation logic ("Policy evaluation logic" in the
 * IAM User Guide): an explicit Deny in any policy wins; otherwise an Allow in the caller's identity
 * policies or in the resource's policy allows; otherwise the request is implicitly denied.
 *
 * It is fail-closed: a policy element, condition operator or principal form it does not know is an
 * error at load time (UnsupportedPolicyError), never a silent allow. `@cloud-copilot/iam-simulate` would
 * cover more, but it is AGPL-3.0, which does not suit this Apache-2.0 tool.
 */

export type PolicyValue = string | number | boolean;

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action?: string | readonly string[];
  readonly NotAction?: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly NotResource?: string | readonly string[];
  readonly Principal?: PrincipalElement;
  readonly NotPrincipal?: PrincipalElement;
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, PolicyValue | readonly PolicyValue[]>>>>;
}

export type PrincipalElement = '*' | Readonly<Record<string, string | readonly string[]>>;

export interface PolicyDocument {
  readonly Version?: string;
  readonly Statement: PolicyStatement | readonly PolicyStatement[];
}

/** Who makes a request: a role session (by its role's ARN) or an AWS service. */
export type Caller = { readonly roleArn: string; readonly account: string } | { readonly service: string };

export interface AccessRequest {
  readonly caller: Caller;
  /** `service:Action`, e.g. `s3:GetObject`. */
  readonly action: string;
  /** The resource's ARN. */
  readonly resource: string;
  /** Request context keys (`aws:SecureTransport`, `s3:prefix`, ...); keys compare case-insensitively. */
  readonly context?: Readonly<Record<string, string | readonly string[]>>;
}

export type Decision =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly reason: 'explicit deny' | 'no allow'; readonly statement?: string };

/** The policies that apply to a request: the caller's identity policies and the resource's policy, if any. */
export interface ApplicablePolicies {
  readonly identity: readonly PolicyDocument[];
  readonly resource?: readonly PolicyDocument[];
}

/** A policy the evaluator cannot judge: refused rather than guessed. */
export class UnsupportedPolicyError extends Error {
  override readonly name = 'UnsupportedPolicyError';
}

const STATEMENT_KEYS = new Set(['Sid', 'Effect', 'Action', 'NotAction', 'Resource', 'NotResource', 'Principal', 'NotPrincipal', 'Condition']);
const PRINCIPAL_KINDS = new Set(['AWS', 'Service']);

type Operator = (actual: readonly string[] | undefined, expected: readonly string[]) => boolean;

const any = (actual: readonly string[], expected: readonly string[], match: (a: string, e: string) => boolean) =>
  actual.some((a) => expected.some((e) => match(a, e)));
/** A positive operator with the key absent is false; a negated one is true (IAM User Guide, "Condition operators"). */
const positive = (match: (a: string, e: string) => boolean): Operator => (actual, expected) => actual !== undefined && any(actual, expected, match);
const negated = (match: (a: string, e: string) => boolean): Operator => (actual, expected) => actual === undefined || !any(actual, expected, match);
const numeric = (compare: (a: number, e: number) => boolean) => (a: string, e: string) => {
  const [x, y] = [Number(a), Number(e)];
  return !Number.isNaN(x) && !Number.isNaN(y) && compare(x, y);
};

const BASE_OPERATORS: Record<string, Operator> = {
  StringEquals: positive((a, e) => a === e),
  StringNotEquals: negated((a, e) => a === e),
  StringEqualsIgnoreCase: positive((a, e) => a.toLowerCase() === e.toLowerCase()),
  StringNotEqualsIgnoreCase: negated((a, e) => a.toLowerCase() === e.toLowerCase()),
  StringLike: positive((a, e) => globMatch(e, a)),
  StringNotLike: negated((a, e) => globMatch(e, a)),
  ArnEquals: positive((a, e) => arnMatch(e, a)),
  ArnLike: positive((a, e) => arnMatch(e, a)),
  ArnNotEquals: negated((a, e) => arnMatch(e, a)),
  ArnNotLike: negated((a, e) => arnMatch(e, a)),
  Bool: positive((a, e) => a.toLowerCase() === e.toLowerCase()),
  NumericEquals: positive(numeric((a, e) => a === e)),
  NumericNotEquals: negated(numeric((a, e) => a === e)),
  NumericLessThan: positive(numeric((a, e) => a < e)),
  NumericLessThanEquals: positive(numeric((a, e) => a <= e)),
  NumericGreaterThan: positive(numeric((a, e) => a > e)),
  NumericGreaterThanEquals: positive(numeric((a, e) => a >= e)),
};

function operatorOf(name: string): Operator {
  if (name === 'Null') return (actual, expected) => expected.every((e) => (e.toLowerCase() === 'true') === (actual === undefined));
  const ifExists = name.endsWith('IfExists');
  const base = BASE_OPERATORS[ifExists ? name.slice(0, -'IfExists'.length) : name];
  if (!base) throw new UnsupportedPolicyError(`condition operator "${name}" is not supported by the local IAM evaluator; extend src/cli/twin/iam/policy.ts before using it`);
  return ifExists ? (actual, expected) => actual === undefined || base(actual, expected) : base;
}

const list = <T>(value: T | readonly T[] | undefined): readonly T[] => (value === undefined ? [] : Array.isArray(value) ? (value as readonly T[]) : [value as T]);

/** Checks that every element of every statement is one the evaluator understands; throws otherwise. */
export function assertSupported(document: PolicyDocument, where: string): void {
  for (const statement of list(document.Statement)) {
    for (const key of Object.keys(statement)) {
      if (!STATEMENT_KEYS.has(key)) throw new UnsupportedPolicyError(`${where}: policy element "${key}" is not supported by the local IAM evaluator`);
    }
    if (statement.Effect !== 'Allow' && statement.Effect !== 'Deny') throw new UnsupportedPolicyError(`${where}: Effect must be Allow or Deny, got ${JSON.stringify(statement.Effect)}`);
    if ((statement.Action === undefined) === (statement.NotAction === undefined)) throw new UnsupportedPolicyError(`${where}: a statement needs exactly one of Action and NotAction`);
    if ((statement.Resource === undefined) === (statement.NotResource === undefined)) throw new UnsupportedPolicyError(`${where}: a statement needs exactly one of Resource and NotResource`);
    // AWS documents NotPrincipal only for Deny; as an Allow it would grant to nearly everyone.
    if (statement.NotPrincipal !== undefined && statement.Effect === 'Allow') throw new UnsupportedPolicyError(`${where}: NotPrincipal with Allow is not supported by the local IAM evaluator`);
    for (const principal of [statement.Principal, statement.NotPrincipal]) {
      if (principal === undefined || principal === '*') continue;
      for (const kind of Object.keys(principal)) {
        if (!PRINCIPAL_KINDS.has(kind)) throw new UnsupportedPolicyError(`${where}: principal kind "${kind}" is not supported by the local IAM evaluator`);
      }
    }
    for (const [operator, keys] of Object.entries(statement.Condition ?? {})) {
      if (/^For(Any|All)Value:/.test(operator)) throw new UnsupportedPolicyError(`${where}: set operator "${operator}" is not supported by the local IAM evaluator`);
      operatorOf(operator);
      for (const [key, value] of Object.entries(keys)) {
        for (const v of list(value)) if (typeof v === 'object') throw new UnsupportedPolicyError(`${where}: condition ${operator} ${key} holds an unresolved value ${JSON.stringify(v)}`);
      }
    }
  }
}

/**
 * Decides a request as AWS does for a caller in the resource's own account: an explicit Deny in the
 * identity or resource policies wins, then an Allow in either, else an implicit deny.
 */
export function authorize(request: AccessRequest, policies: ApplicablePolicies): Decision {
  const identity = 'roleArn' in request.caller ? policies.identity : [];
  const applicable = [
    ...identity.flatMap((document) => list(document.Statement).map((statement) => ({ statement, resourcePolicy: false }))),
    ...(policies.resource ?? []).flatMap((document) => list(document.Statement).map((statement) => ({ statement, resourcePolicy: true }))),
  ];
  let allowed = false;
  for (const { statement, resourcePolicy } of applicable) {
    if (!applies(statement, request, resourcePolicy)) continue;
    if (statement.Effect === 'Deny') return { allowed: false, reason: 'explicit deny', statement: statement.Sid };
    // An Allow in a resource policy that names the account root delegates to IAM: the identity policy must allow too.
    if (resourcePolicy && namesOnlyAccountRoot(statement, request.caller)) continue;
    allowed = true;
  }
  return allowed ? { allowed: true } : { allowed: false, reason: 'no allow' };
}

function applies(statement: PolicyStatement, request: AccessRequest, resourcePolicy: boolean): boolean {
  if (resourcePolicy) {
    if (statement.Principal !== undefined && !principalMatches(statement.Principal, request.caller)) return false;
    if (statement.NotPrincipal !== undefined && principalMatches(statement.NotPrincipal, request.caller)) return false;
    if (statement.Principal === undefined && statement.NotPrincipal === undefined) return false;
  }
  const action = statement.Action !== undefined ? list(statement.Action).some((a) => globMatch(a, request.action, true)) : !list(statement.NotAction).some((a) => globMatch(a, request.action, true));
  if (!action) return false;
  const resource = statement.Resource !== undefined ? list(statement.Resource).some((r) => arnMatch(r, request.resource)) : !list(statement.NotResource).some((r) => arnMatch(r, request.resource));
  if (!resource) return false;
  return conditionsHold(statement, request);
}

function conditionsHold(statement: PolicyStatement, request: AccessRequest): boolean {
  const context = new Map(Object.entries(request.context ?? {}).map(([k, v]) => [k.toLowerCase(), list(v)]));
  for (const [operator, keys] of Object.entries(statement.Condition ?? {})) {
    const test = operatorOf(operator);
    for (const [key, value] of Object.entries(keys)) {
      if (!test(context.get(key.toLowerCase()), list(value).map(String))) return false;
    }
  }
  return true;
}

function principalMatches(principal: PrincipalElement, caller: Caller): boolean {
  if (principal === '*') return true;
  return Object.entries(principal).some(([kind, values]) =>
    list(values).some((value) => {
      if (kind === 'Service') return 'service' in caller && caller.service === value;
      if (value === '*') return true;
      if (!('roleArn' in caller)) return false;
      return value === caller.roleArn || value === caller.account || value === `arn:aws:iam::${caller.account}:root`;
    }),
  );
}

function namesOnlyAccountRoot(statement: PolicyStatement, caller: Caller): boolean {
  if (!('roleArn' in caller) || statement.Principal === undefined || statement.Principal === '*') return false;
  const values = Object.entries(statement.Principal).flatMap(([kind, v]) => (kind === 'AWS' ? list(v) : []));
  return !values.includes(caller.roleArn) && !values.includes('*');
}

/**
 * IAM's wildcard match: `*` any run of characters, `?` exactly one. Actions compare case-insensitively,
 * resources and condition values case-sensitively.
 */
export function globMatch(pattern: string, value: string, ignoreCase = false): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${source}$`, ignoreCase ? 'is' : 's').test(value);
}

/**
 * An ARN pattern against an ARN, segment by segment: a wildcard in the partition, service, region or
 * account matches within that segment only; in the resource part it matches anything (`bucket/*`).
 */
export function arnMatch(pattern: string, arn: string): boolean {
  if (pattern === '*') return true;
  const p = splitArn(pattern);
  const a = splitArn(arn);
  if (!p || !a) return globMatch(pattern, arn);
  return p.every((segment, i) => globMatch(segment, a[i]!));
}

function splitArn(arn: string): string[] | undefined {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  return [...parts.slice(0, 5), parts.slice(5).join(':')];
}
