// The stack's outputs and construct ids, as the CDK app (infra/) names them and the CLI (src/cli/) reads them.

/**
 * The construct-id and output prefix of a pipeline: none for the only pipeline of an app (its resources keep the
 * ids they have always had), its name in PascalCase for each of several (`events_api` -> `EventsApi`).
 */
export function pipelinePrefix(pipelineCount: number, name: string): string {
  return pipelineCount === 1 ? '' : name.replace(/(^|_)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());
}

/** Outputs every stack has once, whatever its pipelines. */
export const SHARED_OUTPUTS = ['RawBucketName', 'CuratedBucketName', 'AlertTopicArn', 'GlueDatabaseName', 'AthenaWorkGroup'] as const;
/** Outputs each pipeline has, after its prefix (`EventsStateMachineArn`). */
export const PIPELINE_OUTPUTS = ['StateMachineArn', 'SecretName', 'GlueTableName', 'CrawlerName'] as const;
