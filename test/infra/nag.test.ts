import { describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app.js';
import { projectConfig } from '../helpers/synth.js';

describe('cdk-nag AwsSolutions', () => {
  it('synthesizes with zero unacknowledged findings and CloudFormation validation on', () => {
    // Prepare
    const { app } = buildApp({ config: projectConfig(), nag: true, context: { 'aws:cdk:bundling-stacks': [] } });
    // Act
    const assembly = app.synth();
    // Assess: a finding that is not acknowledged makes synth throw; the report lists none.
    expect(assembly.stacks).toHaveLength(1);
  });

  it('fails synth when a finding is not acknowledged', async () => {
    // Prepare: a bucket that violates AwsSolutions-S1 and -S10 with no acknowledgement
    const { app, stack } = buildApp({ config: projectConfig(), nag: true, context: { 'aws:cdk:bundling-stacks': [] } });
    const s3 = await import('aws-cdk-lib/aws-s3');
    new s3.Bucket(stack, 'Unreviewed');
    // Act / Assess
    expect(() => app.synth()).toThrow(/AwsSolutions|[Vv]alidation/);
  });
});
