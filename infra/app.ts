import { createRequire } from 'node:module';
import { App, Validations, type AppProps } from 'aws-cdk-lib';
import type { AwsSolutionsChecks } from 'cdk-nag';
import { asAppConfig, stackNameOf, type AppConfig, type PipelineConfig } from '../src/core/config.js';
import { PipelineStack } from './pipeline-stack.js';

export interface BuildAppOptions extends AppProps {
  /** One pipeline, or an app of several. */
  readonly config: PipelineConfig | AppConfig;
  /** Run cdk-nag AwsSolutions checks (always on for `cdk synth`/`deploy`). */
  readonly nag?: boolean;
}

/** The CDK app: one pipeline stack, checked by cdk-nag. Shared by bin/app.ts, the tests and the local twin. */
export function buildApp(options: BuildAppOptions): { app: App; stack: PipelineStack } {
  const { config, nag = true, ...appProps } = options;
  const app = new App(appProps);
  if (nag) Validations.of(app).addPlugins(new (loadCdkNag().AwsSolutionsChecks)(app));
  const all = asAppConfig(config);
  const stackName = stackNameOf(all, (app.node.tryGetContext('stackName') as string | undefined));
  const stack = new PipelineStack(app, stackName, {
    config: all,
    description: `api-lake: ${all.pipelines.map((p) => `${p.source.name} -> ${p.table}`).join(', ')}`,
  });
  return { app, stack };
}

/** cdk-nag is loaded only when its checks run: it takes about 0.2 s, a tenth of the local twin's synth. */
function loadCdkNag(): { AwsSolutionsChecks: typeof AwsSolutionsChecks } {
  return createRequire(import.meta.url)('cdk-nag') as { AwsSolutionsChecks: typeof AwsSolutionsChecks };
}
