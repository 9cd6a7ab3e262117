import { describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app.js';
import { MAX_DATABASE_NAME, MAX_WORKGROUP_NAME } from '../../infra/names.js';
import { MAX_ENVIRONMENT_BYTES } from '../../infra/constructs/pipeline-function.js';
import { ConfigError } from '../../src/core/errors.js';
import { configWith, projectConfig, synthTemplate } from '../helpers/synth.js';
import type { PipelineConfig } from '../../src/core/config.js';

const stackOf = (config: PipelineConfig, context: Record<string, string> = {}) =>
  buildApp({ config, nag: false, builtinCloudFormationValidation: false, context: { 'aws:cdk:bundling-stacks': [], ...context } }).stack;

describe("AWS's limits, checked at synth", () => {
  it("refuses a config whose functions' environment would pass Lambda's 4 KB, naming the cause and what to shorten", () => {
    const base = projectConfig();
    const columns = Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`a_declared_column_with_a_long_name_${i}`, 'double']));
    const wide = configWith({ source: { ...base.source, columns } });
    let error: unknown;
    try {
      synthTemplate(wide);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(new RegExp(`the Fetch function's environment would be \\d+ bytes, over Lambda's 4 KB \\(${MAX_ENVIRONMENT_BYTES} bytes\\).*PIPELINE_CONFIG alone is \\d+ bytes.*shorten source.params, source.headers or source.columns`));
  });

  it("keeps the default config's environment well inside it", () => {
    const template = synthTemplate();
    for (const fn of Object.values(template.findResources('AWS::Lambda::Function', { Properties: { Architectures: ['arm64'] } }))) {
      const vars = fn.Properties.Environment.Variables as Record<string, unknown>;
      const sized = Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, typeof v === 'string' ? v : 'x'.repeat(63)]));
      expect(Buffer.byteLength(JSON.stringify(sized))).toBeLessThan(MAX_ENVIRONMENT_BYTES / 2);
    }
  });

  it('keeps the Athena workgroup and Glue database names within their limits for the longest stack name and table', () => {
    const longStack = `A${'b'.repeat(127)}`;
    const longTable = `t${'x'.repeat(62)}`;
    const template = synthTemplate(configWith({ stackName: longStack, table: longTable }));
    const [workgroup] = Object.values(template.findResources('AWS::Athena::WorkGroup'));
    const [database] = Object.values(template.findResources('AWS::Glue::Database'));
    const workgroupName = workgroup!.Properties.Name as string;
    const databaseName = database!.Properties.DatabaseInput.Name as string;
    expect(workgroupName.length).toBeLessThanOrEqual(MAX_WORKGROUP_NAME);
    expect(workgroupName).toMatch(/^[a-zA-Z0-9._-]+$/);
    expect(databaseName.length).toBeLessThanOrEqual(MAX_DATABASE_NAME);
    expect(databaseName).toMatch(/^[a-z0-9_]+$/);
    // Two long names that share their beginning stay apart.
    const other = synthTemplate(configWith({ stackName: longStack, table: `${longTable.slice(0, -1)}y` }));
    expect(Object.values(other.findResources('AWS::Athena::WorkGroup'))[0]!.Properties.Name).not.toBe(workgroupName);
  });
});

describe('one config, one stack', () => {
  it("names the stack from the config's stackName, default ApiLake; -c stackName= overrides it", () => {
    expect(stackOf(projectConfig()).stackName).toBe('ApiLake');
    expect(stackOf(configWith({ stackName: 'ApiLakePollen' })).stackName).toBe('ApiLakePollen');
    expect(stackOf(configWith({ stackName: 'ApiLakePollen' }), { stackName: 'ApiLakeTest' }).stackName).toBe('ApiLakeTest');
  });

  it('refuses a stackName CloudFormation would refuse', () => {
    expect(() => configWith({ stackName: '1-bad_name' })).toThrow(/stackName: must be a CloudFormation stack name/);
  });
});
