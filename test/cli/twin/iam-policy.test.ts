import { describe, expect, it } from 'vitest';
import { arnMatch, assertSupported, authorize, UnsupportedPolicyError, type PolicyDocument } from '../../../src/cli/twin/iam/policy.js';

const ACCOUNT = '123456789012';
const role = (name: string) => ({ roleArn: `arn:aws:iam::${ACCOUNT}:role/${name}`, account: ACCOUNT });
const doc = (...Statement: PolicyDocument['Statement'][]): PolicyDocument => ({ Version: '2012-10-17', Statement: Statement.flat() as never });

describe('IAM evaluation, after the examples of "Policy evaluation logic" (IAM User Guide)', () => {
  // The single-account example: Carlos's identity policy, and a bucket policy on his bucket.
  const carlos = doc(
    { Sid: 'AllowS3ListRead', Effect: 'Allow', Action: ['s3:GetBucketLocation', 's3:ListAllMyBuckets'], Resource: 'arn:aws:s3:::*' },
    { Sid: 'AllowS3Self', Effect: 'Allow', Action: 's3:*', Resource: ['arn:aws:s3:::carlossalazar/*', 'arn:aws:s3:::carlossalazar'] },
    { Sid: 'DenyS3Logs', Effect: 'Deny', Action: 's3:*', Resource: 'arn:aws:s3:::*log*' },
  );
  const bucketPolicy = doc({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/carlossalazar` }, Action: 's3:*', Resource: ['arn:aws:s3:::carlossalazar/*', 'arn:aws:s3:::carlossalazar'] });

  it('denies a request an identity policy explicitly denies, whatever else allows it', () => {
    const decision = authorize({ caller: role('carlossalazar'), action: 's3:PutObject', resource: 'arn:aws:s3:::carlossalazar-logs' }, { identity: [carlos] });
    expect(decision).toEqual({ allowed: false, reason: 'explicit deny', statement: 'DenyS3Logs' });
  });

  it('allows a request that both the identity and the resource policy allow, or either one alone', () => {
    const request = { caller: role('carlossalazar'), action: 's3:PutObject', resource: 'arn:aws:s3:::carlossalazar/notes.txt' };
    expect(authorize(request, { identity: [carlos], resource: [bucketPolicy] })).toEqual({ allowed: true });
    expect(authorize(request, { identity: [carlos] })).toEqual({ allowed: true });
    expect(authorize(request, { identity: [], resource: [bucketPolicy] })).toEqual({ allowed: true });
  });

  // The explicit and implicit deny example: Get*/List* allowed, *Report denied.
  const iam = doc(
    { Sid: 'AllowGetList', Effect: 'Allow', Action: ['iam:Get*', 'iam:List*'], Resource: '*' },
    { Sid: 'DenyReports', Effect: 'Deny', Action: 'iam:*Report', Resource: '*' },
  );
  it.each([
    ['iam:GetUser', { allowed: true }],
    ['iam:CreatePolicy', { allowed: false, reason: 'no allow' }],
    ['iam:GetOrganizationsAccessReport', { allowed: false, reason: 'explicit deny', statement: 'DenyReports' }],
    ['iam:GenerateCredentialReport', { allowed: false, reason: 'explicit deny', statement: 'DenyReports' }],
  ])('%s: %j', (action, expected) => {
    const everything = doc({ Effect: 'Allow', Action: 'iam:*', Resource: '*' });
    const policies = action === 'iam:GenerateCredentialReport' ? [iam, everything] : [iam];
    expect(authorize({ caller: role('user'), action, resource: '*' }, { identity: policies })).toEqual(expected);
  });

  it('matches actions case-insensitively and resources case-sensitively', () => {
    const policy = doc({ Effect: 'Allow', Action: 'S3:getobject', Resource: 'arn:aws:s3:::Bucket/*' });
    expect(authorize({ caller: role('r'), action: 's3:GetObject', resource: 'arn:aws:s3:::Bucket/k' }, { identity: [policy] }).allowed).toBe(true);
    expect(authorize({ caller: role('r'), action: 's3:GetObject', resource: 'arn:aws:s3:::bucket/k' }, { identity: [policy] }).allowed).toBe(false);
  });
});

describe('resources and wildcards', () => {
  it('matches the six random characters of a secret ARN with ??????, and never the bare name', () => {
    const pattern = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:api-lake/weather/api-key-??????`;
    expect(arnMatch(pattern, `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:api-lake/weather/api-key-AbC123`)).toBe(true);
    expect(arnMatch(pattern, `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:api-lake/weather/api-key`)).toBe(false);
    expect(arnMatch(pattern, `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:api-lake/weather/api-key-AbC1234`)).toBe(false);
  });

  it('keeps a wildcard within its ARN segment, but lets the resource part span slashes and colons', () => {
    expect(arnMatch('arn:aws:s3:::raw/weather/*', 'arn:aws:s3:::raw/weather/dt=2026-11-25/hour=18/w.json')).toBe(true);
    expect(arnMatch('arn:aws:s3:::raw/weather/*', 'arn:aws:s3:::raw/pollen/x.json')).toBe(false);
    expect(arnMatch('arn:aws:s3:::raw/*', 'arn:aws:s3:::raw/a:b:c')).toBe(true);
    expect(arnMatch('arn:aws:lambda:*:123:function:f', 'arn:aws:lambda:us-east-1:123:function:f')).toBe(true);
    expect(arnMatch('arn:aws:lambda:us-*:123:function:f', 'arn:aws:lambda:us-east-1:999:function:f')).toBe(false);
  });
});

describe('conditions', () => {
  const tlsOnly = doc(
    { Effect: 'Allow', Principal: { AWS: '*' }, Action: 's3:*', Resource: 'arn:aws:s3:::b/*' },
    { Effect: 'Deny', Principal: { AWS: '*' }, Action: 's3:*', Resource: 'arn:aws:s3:::b/*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
    { Effect: 'Deny', Principal: { AWS: '*' }, Action: 's3:*', Resource: 'arn:aws:s3:::b/*', Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } } },
  );
  const get = (context: Record<string, string>) => authorize({ caller: role('r'), action: 's3:GetObject', resource: 'arn:aws:s3:::b/k', context }, { identity: [], resource: [tlsOnly] });

  it('applies the TLS-only denies of a bucket policy', () => {
    expect(get({ 'aws:SecureTransport': 'true', 's3:TlsVersion': '1.3' }).allowed).toBe(true);
    expect(get({ 'aws:SecureTransport': 'false' })).toMatchObject({ allowed: false, reason: 'explicit deny' });
    expect(get({ 'aws:SecureTransport': 'true', 's3:TlsVersion': '1.1' })).toMatchObject({ allowed: false, reason: 'explicit deny' });
  });

  it('treats a missing key as no match, except for negated operators and ...IfExists, which hold', () => {
    const when = (Condition: Record<string, Record<string, string>>) =>
      authorize({ caller: role('r'), action: 's3:ListBucket', resource: 'arn:aws:s3:::b', context: {} }, { identity: [doc({ Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::b', Condition })] }).allowed;
    expect(when({ StringLike: { 's3:prefix': 'data/*' } })).toBe(false);
    expect(when({ StringEquals: { 'aws:SourceAccount': ACCOUNT } })).toBe(false);
    expect(when({ ArnLike: { 'aws:SourceArn': 'arn:aws:cloudwatch:*' } })).toBe(false);
    expect(when({ StringNotEquals: { 'aws:PrincipalAccount': '999' } })).toBe(true);
    expect(when({ StringLikeIfExists: { 's3:prefix': 'data/*' } })).toBe(true);
  });

  it('ANDs operators and keys, ORs the values of one key', () => {
    const statement = { Effect: 'Allow' as const, Action: 's3:ListBucket', Resource: 'arn:aws:s3:::b', Condition: { StringLike: { 's3:prefix': ['weather/*', 'weather'] }, StringEquals: { 'aws:PrincipalAccount': ACCOUNT } } };
    const list = (context: Record<string, string>) => authorize({ caller: role('r'), action: 's3:ListBucket', resource: 'arn:aws:s3:::b', context }, { identity: [doc(statement)] }).allowed;
    expect(list({ 's3:prefix': 'weather', 'aws:PrincipalAccount': ACCOUNT })).toBe(true);
    expect(list({ 's3:prefix': 'weather/dt=1', 'aws:PrincipalAccount': ACCOUNT })).toBe(true);
    expect(list({ 's3:prefix': 'pollen/', 'aws:PrincipalAccount': ACCOUNT })).toBe(false);
    expect(list({ 's3:prefix': 'weather', 'aws:PrincipalAccount': '999' })).toBe(false);
  });
});

describe('principals', () => {
  const topicPolicy = doc({ Effect: 'Allow', Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: 'sns:Publish', Resource: 'arn:aws:sns:us-east-1:123456789012:alerts' });
  it('lets a service principal in, and nobody else through that statement', () => {
    const publish = (caller: Parameters<typeof authorize>[0]['caller']) => authorize({ caller, action: 'sns:Publish', resource: 'arn:aws:sns:us-east-1:123456789012:alerts' }, { identity: [], resource: [topicPolicy] }).allowed;
    expect(publish({ service: 'cloudwatch.amazonaws.com' })).toBe(true);
    expect(publish(role('anyone'))).toBe(false);
  });

  it('needs the identity policy too when the resource policy names only the account', () => {
    const accountWide = doc({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' });
    const request = { caller: role('r'), action: 's3:GetObject', resource: 'arn:aws:s3:::b/k' };
    expect(authorize(request, { identity: [], resource: [accountWide] }).allowed).toBe(false);
    expect(authorize(request, { identity: [doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' })], resource: [accountWide] }).allowed).toBe(true);
  });
});

describe('grammar it does not know', () => {
  it.each([
    ['an unknown element', { Effect: 'Allow', Action: '*', Resource: '*', Colour: 'red' }],
    ['an unknown condition operator', { Effect: 'Allow', Action: '*', Resource: '*', Condition: { DateLessThan: { 'aws:CurrentTime': '2030-01-01' } } }],
    ['a set operator', { Effect: 'Allow', Action: '*', Resource: '*', Condition: { 'ForAnyValue:StringLike': { 'aws:TagKeys': 'a*' } } }],
    ['an unknown principal kind', { Effect: 'Allow', Principal: { Federated: 'cognito-identity.amazonaws.com' }, Action: '*', Resource: '*' }],
    ['NotPrincipal with Allow', { Effect: 'Allow', NotPrincipal: { AWS: 'arn:aws:iam::1:root' }, Action: '*', Resource: '*' }],
    ['an unresolved reference', { Effect: 'Allow', Action: '*', Resource: '*', Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } } }],
  ])('refuses %s instead of guessing', (_what, statement) => {
    expect(() => assertSupported(doc(statement as never), 'test policy')).toThrow(UnsupportedPolicyError);
  });
});
