import { AthenaClient } from '@aws-sdk/client-athena';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { UsageError } from '../args.js';

/** The SDK clients the CLI's AWS commands use, with the user's credentials (profile, SSO, environment). */
export interface AwsClients {
  readonly cloudFormation: Pick<CloudFormationClient, 'send'>;
  readonly sfn: Pick<SFNClient, 'send'>;
  readonly s3: Pick<S3Client, 'send'>;
  readonly athena: Pick<AthenaClient, 'send'>;
}

/**
 * Clients for `region` (or the SDK's own resolution: AWS_REGION, the profile). An S3 endpoint set with
 * AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL (an S3-compatible server) is addressed path-style, as such servers expect.
 */
export function awsClients(region?: string): AwsClients {
  const options = region ? { region } : {};
  return {
    cloudFormation: new CloudFormationClient(options),
    sfn: new SFNClient(options),
    s3: new S3Client({ ...options, forcePathStyle: Boolean(process.env.AWS_ENDPOINT_URL_S3 || process.env.AWS_ENDPOINT_URL) }),
    athena: new AthenaClient(options),
  };
}

/** Node's codes for a connection that got no answer from AWS. */
const NETWORK_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH']);

/** The names AWS gives a request its policies refuse. */
const DENIED = new Set(['AccessDenied', 'AccessDeniedException', 'Forbidden', 'UnauthorizedOperation']);

/** Turns the SDK's "no credentials", "no region", "no connection" and "access denied" failures into a message that says what to do (exit 2). */
export async function withAwsSetup<T>(run: () => Promise<T>, usage: string): Promise<T> {
  try {
    return await run();
  } catch (error) {
    const { name, message } = error as Error;
    if (name === 'CredentialsProviderError') {
      throw new UsageError('no AWS credentials found: run `aws configure` or `aws sso login`, or set AWS_PROFILE, then try again', usage);
    }
    if (/region is missing/i.test(message)) throw new UsageError('no AWS region: pass --region or set AWS_REGION', usage);
    const code = (error as { code?: string }).code;
    if (code && NETWORK_CODES.has(code)) {
      throw new UsageError(`could not reach AWS (${message}): check the network connection, the region (--region or AWS_REGION) and any AWS_ENDPOINT_URL* setting, then try again`, undefined, { cause: error });
    }
    // AWS answered, and said no: the user's credentials lack a permission (the README lists each command's).
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status === 403 || DENIED.has(name) || (name === 'StoreRequestError' && /\bAccessDenied\b/.test(message))) {
      const said = message && message !== 'UnknownError' ? `: ${message}` : '';
      throw new UsageError(`AWS refused a request (${name}${said}): your credentials lack a permission this command needs (the README names them with the command)`, undefined, { cause: error });
    }
    throw error;
  }
}

/**
 * Resolves an SDK client's region and credentials without calling the service, so that a command can say what
 * is missing before it asks the user for anything (set-key before its prompt). A client without an SDK config
 * (a test's stand-in) passes.
 */
export async function assertAwsSetup(client: object, usage: string): Promise<void> {
  const config = (client as { config?: { region?: () => Promise<string>; credentials?: () => Promise<unknown> } }).config;
  await withAwsSetup(async () => {
    await config?.region?.();
    await config?.credentials?.();
  }, usage);
}
