import { Stack } from 'aws-cdk-lib';
import { buildApp } from '../../../infra/app.js';
import type { PipelineConfig } from '../../core/config.js';
import { LOCAL_ACCOUNT, LOCAL_REGION, type AmazonStatesDefinition } from './definition.js';


/**
 * The state machine definition exactly as the CDK app synthesizes it for this config (bundling skipped,
 * so no esbuild runs), with CloudFormation references resolved to local placeholder ARNs. Nothing is
 * hand-written here, so what runs locally cannot drift from what deploys.
 */
export function synthesizeDefinition(config: PipelineConfig): AmazonStatesDefinition {
  // No bundling, no cdk-nag and no CloudFormation validation: the definition does not depend on them, and they take seconds.
  const { app, stack } = buildApp({ config, nag: false, builtinCloudFormationValidation: false, context: { 'aws:cdk:bundling-stacks': [] } });
  const template = app.synth({ validateOnSynthesis: false }).getStackByName(stack.stackName).template as {
    Resources: Record<string, { Type: string; Properties: { DefinitionString: unknown } }>;
  };
  const machines = Object.values(template.Resources).filter((r) => r.Type === 'AWS::StepFunctions::StateMachine');
  if (machines.length !== 1) throw new Error(`expected one state machine in stack ${stack.stackName}, found ${machines.length}`);
  return JSON.parse(resolveReferences(machines[0]!.Properties.DefinitionString, template.Resources, stack)) as AmazonStatesDefinition;
}

function resolveReferences(value: unknown, resources: Record<string, { Type: string }>, stack: Stack): string {
  if (typeof value === 'string') return value;
  const v = value as Record<string, unknown>;
  if ('Fn::Join' in v) {
    const [separator, parts] = v['Fn::Join'] as [string, unknown[]];
    return parts.map((p) => resolveReferences(p, resources, stack)).join(separator);
  }
  if ('Ref' in v) {
    const id = v.Ref as string;
    if (id === 'AWS::Partition') return 'aws';
    if (id === 'AWS::Region') return LOCAL_REGION;
    if (id === 'AWS::AccountId') return LOCAL_ACCOUNT;
    if (resources[id]?.Type === 'AWS::SNS::Topic') return `arn:aws:sns:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${id}`;
  }
  if ('Fn::GetAtt' in v) {
    const [id, attribute] = v['Fn::GetAtt'] as [string, string];
    if (resources[id]?.Type === 'AWS::Lambda::Function' && attribute === 'Arn') return `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${id}`;
  }
  throw new Error(`the local twin cannot resolve ${JSON.stringify(value)} in stack ${stack.stackName}'s state machine definition`);
}
