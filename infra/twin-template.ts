import type { CfnTemplate } from '../src/contract/template.js';
import type { AppConfig, PipelineConfig } from '../src/core/config.js';
import { buildApp } from './app.js';

/**
 * The synthesized template of the stack for a config, for the local twin, which runs it: bundling skipped
 * (no esbuild runs), no cdk-nag and no CloudFormation validation (the twin depends on none of them, and they
 * take seconds). Given to the CLI by its entry point (bin/api-lake.js), so src/ never imports infra/.
 */
export function synthesizeTemplate(config: PipelineConfig | AppConfig): { template: CfnTemplate; stackName: string } {
  const { app, stack } = buildApp({ config, nag: false, builtinCloudFormationValidation: false, context: { 'aws:cdk:bundling-stacks': [] } });
  return { template: app.synth({ validateOnSynthesis: false }).getStackByName(stack.stackName).template as CfnTemplate, stackName: stack.stackName };
}
