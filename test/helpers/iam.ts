import type { Template } from 'aws-cdk-lib/assertions';

type Json = unknown;

/** Logical ids without CDK's 8-hex hash suffix, so the allow-list survives refactors of construct paths. */
const stable = (logicalId: string) => logicalId.replace(/[0-9A-F]{8}$/, '');

/** Renders a CloudFormation value as readable text: GetAtt -> <Id.Attr>, Ref -> {Id}, Join -> concatenation. */
export function render(value: Json): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(render).join(' | ');
  const v = value as Record<string, Json>;
  if ('Fn::GetAtt' in v) {
    const [id, attr] = v['Fn::GetAtt'] as [string, string];
    return `<${stable(id)}.${attr}>`;
  }
  if ('Ref' in v) return `{${stable(v.Ref as string)}}`;
  if ('Fn::Join' in v) {
    const [sep, parts] = v['Fn::Join'] as [string, Json[]];
    return parts.map(render).join(sep);
  }
  if ('Fn::Sub' in v) return String(v['Fn::Sub']);
  return JSON.stringify(value);
}

/**
 * Every permission of every IAM role in the template, one line per (role, effect, action, resource):
 * `FetchRole Allow s3:PutObject <RawZoneBucket.Arn>/weather/*`. Managed policies appear as `managed:<arn>`.
 */
export function permissionLines(template: Template): string[] {
  const lines: string[] = [];
  for (const [, policy] of Object.entries(template.findResources('AWS::IAM::Policy'))) {
    const props = policy.Properties as { PolicyDocument: { Statement: Record<string, Json>[] }; Roles: Json[] };
    const roles = props.Roles.map(render).map((r) => r.replace(/[{}]/g, ''));
    for (const statement of props.PolicyDocument.Statement) {
      const actions = ([] as Json[]).concat(statement.Action as Json);
      const resources = ([] as Json[]).concat(statement.Resource as Json);
      const condition = statement.Condition ? ` if ${JSON.stringify(statement.Condition)}` : '';
      for (const role of roles)
        for (const action of actions)
          for (const resource of resources) lines.push(`${role} ${statement.Effect} ${action as string} ${render(resource)}${condition}`);
    }
  }
  for (const [id, role] of Object.entries(template.findResources('AWS::IAM::Role'))) {
    const managed = ((role.Properties as { ManagedPolicyArns?: Json[] }).ManagedPolicyArns ?? []).map(render);
    for (const arn of managed) lines.push(`${stable(id)} managed ${arn}`);
  }
  return lines.sort();
}
