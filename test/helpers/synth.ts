import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../infra/app.js';
import { parseConfig, type AppConfig, type PipelineConfig } from '../../src/core/config.js';
import { loadConfigFile } from '../../src/adapters/config-file.js';

/** The repository's own config, validated as the app would. */
export function projectConfig(): PipelineConfig {
  return loadConfigFile('api-lake.config.json').pipelines[0]!;
}

/** A config with overrides, validated. */
export function configWith(overrides: Record<string, unknown>): PipelineConfig {
  const base = JSON.parse(JSON.stringify(projectConfig())) as Record<string, unknown>;
  return parseConfig({ ...base, ...overrides });
}

/**
 * Synthesizes the stack without bundling (the esbuild step is covered by `npm run synth`) and, by
 * default, without cdk-nag and CloudFormation validation, which halves synth time.
 */
export function synthTemplate(config: PipelineConfig | AppConfig = projectConfig(), options: { nag?: boolean; validate?: boolean } = {}): Template {
  const { stack } = buildApp({
    config,
    nag: options.nag ?? false,
    builtinCloudFormationValidation: options.validate ?? false,
    context: { 'aws:cdk:bundling-stacks': [] },
  });
  return Template.fromStack(stack);
}
