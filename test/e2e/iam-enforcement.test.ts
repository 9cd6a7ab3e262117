import { beforeAll, describe, expect, it } from 'vitest';
import type { PolicyDocument, PolicyStatement } from '../../src/cli/twin/iam/policy.js';
import type { LocalStack } from '../../src/cli/twin/local-stack.js';
import { runAgainstDemo, localStack, tempLake, type TwinRun } from '../helpers/twin.js';

beforeAll(() => {
  localStack();
}, 60_000);

type Located = { roleArn: string; policy: number; statement: number; value: PolicyStatement };

/** Every statement of the identity policies of the roles the twin acts as: the two functions' and the state machine's. */
function pipelineStatements(stack: LocalStack): Located[] {
  const roles = [stack.stateMachine.roleArn, ...Object.values(stack.functions).map((f) => f.roleArn)];
  return roles.flatMap((roleArn) =>
    (stack.identityPolicies[roleArn] ?? []).flatMap((document, policy) =>
      ([] as PolicyStatement[]).concat(document.Statement as PolicyStatement[]).map((value, statement) => ({ roleArn, policy, statement, value })),
    ),
  );
}

/** The stack with one statement replaced (undefined: removed). */
function withStatement(stack: LocalStack, at: Located, replacement: PolicyStatement | undefined): LocalStack {
  const documents = stack.identityPolicies[at.roleArn]!.map((document, i): PolicyDocument => {
    if (i !== at.policy) return document;
    const statements = ([] as PolicyStatement[]).concat(document.Statement as PolicyStatement[]);
    return { ...document, Statement: statements.flatMap((s, j) => (j !== at.statement ? [s] : replacement ? [replacement] : [])) };
  });
  return { ...stack, identityPolicies: { ...stack.identityPolicies, [at.roleArn]: documents } };
}

const actions = (s: PolicyStatement) => ([] as string[]).concat(s.Action ?? []);
const roleName = (arn: string) => arn.split('/').pop()!.replace(/[0-9A-F]{8}$/, '');
const label = (at: Located) => `${roleName(at.roleArn)}: ${actions(at.value).join(', ')}`;
const observability = (s: PolicyStatement) => actions(s).every((a) => /^(logs|xray):/.test(a));

/**
 * The scenario a statement is needed in: a first hour into an empty lake, or, for the publish permission,
 * a first hour whose API refuses the key (so the failure notification is sent).
 */
async function scenarioFor(statement: PolicyStatement, stack: LocalStack): Promise<TwinRun> {
  const faults = actions(statement).includes('sns:Publish') ? { status: 401 } : {};
  return runAgainstDemo(faults, { stack, lake: tempLake() });
}

/** How the twin refused: the AccessDenied text of the failed run, or the warnings of lost logs and traces. */
function refusalOf(run: TwinRun): string {
  return [run.error ?? '', run.cause ?? '', ...run.warnings].join('\n');
}

describe('the twin enforces the synthesized IAM', () => {
  it('runs the default config clean under enforcement, the first hour into an empty lake included', async () => {
    const lake = tempLake();
    const first = await runAgainstDemo({}, { lake, hour: '2026-11-25T18:00:00Z' });
    const second = await runAgainstDemo({}, { lake, hour: '2026-11-25T19:00:00Z' });
    expect([first.status, second.status]).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    expect([...first.warnings, ...second.warnings]).toEqual([]);
  });

  it('fails the first hour as AWS did before Transform could list the curated bucket (403 on the missing table schema)', async () => {
    const stack = localStack();
    const listing = pipelineStatements(stack).find((s) => actions(s.value).includes('s3:ListBucket'))!;
    const run = await runAgainstDemo({}, { stack: withStatement(stack, listing, undefined), lake: tempLake() });
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('StoreRequestError');
    expect(run.cause).toMatch(/_schemas\/weather\.json failed: AccessDenied \(HTTP 403\).*not authorized to perform: s3:ListBucket/);
  });

  const statements = pipelineStatements(localStack());
  it('finds the statements of all three roles', () => {
    expect(new Set(statements.map((s) => roleName(s.roleArn)))).toEqual(new Set(['PipelineStateMachineRole', 'FetchRole', 'TransformRole']));
  });

  describe.each(statements.map((s) => [label(s), s] as const))('without %s', (_label, at) => {
    it('a named scenario is refused: AccessDenied for the calls, lost logs or traces for the runtime, no deploy for log delivery', async () => {
      const stack = withStatement(localStack(), at, undefined);
      if (actions(at.value).includes('logs:CreateLogDelivery')) {
        await expect(scenarioFor(at.value, stack)).rejects.toThrow(/may not deliver its logs .*CloudFormation would refuse/);
        return;
      }
      const run = await scenarioFor(at.value, stack);
      if (observability(at.value)) {
        expect(run.warnings.join('\n')).toMatch(new RegExp(`may not (write to its log group|send traces) \\(${actions(at.value).map((a) => a.replace('.', '\\.')).join('|')}`));
      } else {
        expect(run.status).toBe('FAILED');
        expect(refusalOf(run)).toMatch(new RegExp(`not authorized to perform: (${actions(at.value).join('|')}) `, 'i'));
      }
    });

  });

  const calls = statements.filter((s) => !observability(s.value));
  it.each(calls.map((s) => [label(s), s] as const))('with %s narrowed to another resource, the same scenario is refused', async (_label, at) => {
    const narrowed = { ...at.value, Resource: ([] as string[]).concat(at.value.Resource ?? []).map((r) => `${r.replace(/\*$/, '')}-narrowed`) };
    const run = await scenarioFor(at.value, withStatement(localStack(), at, narrowed));
    expect(run.status).toBe('FAILED');
    expect(refusalOf(run)).toMatch(new RegExp(`not authorized to perform: (${actions(at.value).join('|')}) `, 'i'));
  });
});
