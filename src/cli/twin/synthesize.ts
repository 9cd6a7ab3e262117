import { buildApp } from '../../../infra/app.js';
import type { PipelineConfig } from '../../core/config.js';
import { localStackOf, type CfnTemplate, type LocalStack } from './local-stack.js';

/**
 * The stack exactly as the CDK app synthesizes it for this config (bundling skipped, so no esbuild runs),
 * with CloudFormation references resolved to local names and ARNs: the state machine definition, the
 * functions it invokes and every IAM policy. Nothing is hand-written here, so what runs locally, and what
 * it may do, cannot drift from what deploys.
 */
export function synthesizeLocalStack(config: PipelineConfig): LocalStack {
  // No bundling, no cdk-nag and no CloudFormation validation: the twin does not depend on them, and they take seconds.
  const { app, stack } = buildApp({ config, nag: false, builtinCloudFormationValidation: false, context: { 'aws:cdk:bundling-stacks': [] } });
  const template = app.synth({ validateOnSynthesis: false }).getStackByName(stack.stackName).template as CfnTemplate;
  return localStackOf(template, stack.stackName);
}
