import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { S3Client } from '@aws-sdk/client-s3';
import { AwsHttpClient, endpointOverride } from '../../adapters/aws/aws-http.js';
import { S3ObjectStore } from '../../adapters/aws/s3-store.js';
import type { AwsClients } from './clients.js';

/** The outputs of a deployed stack by key, or undefined when no such stack exists in the account and region. */
export async function stackOutputs(clients: Pick<AwsClients, 'cloudFormation'>, stackName: string): Promise<Record<string, string> | undefined> {
  try {
    const described = await clients.cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
    return Object.fromEntries((described.Stacks?.[0]?.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']));
  } catch (error) {
    if ((error as Error).name === 'ValidationError') return undefined; // CloudFormation's answer for a missing stack
    throw error;
  }
}

/**
 * A bucket of the stack as the pipeline's own S3 adapter reads it, signed with the user's credentials (the
 * SDK's chain: profile, SSO, environment). An endpoint set with AWS_ENDPOINT_URL_S3 is addressed path-style.
 */
export async function userBucket(bucket: string, region?: string): Promise<S3ObjectStore> {
  const sdk = new S3Client(region ? { region } : {});
  const resolved = region ?? (await sdk.config.region());
  return new S3ObjectStore(new AwsHttpClient({ service: 's3', region: resolved, credentials: () => sdk.config.credentials() }), bucket, endpointOverride('S3'));
}
