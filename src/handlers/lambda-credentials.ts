import { fromEnv } from '@aws-sdk/credential-provider-env';

/**
 * Bundled in place of the AWS SDK's default credential chain (`@aws-sdk/credential-provider-node`, see
 * infra/bundling.ts). In Lambda the function's credentials are always in its environment
 * (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), the first place the chain looks; its other
 * sources (profiles, SSO, web identity, containers) and the STS and SSO clients they need were a fifth
 * of each handler bundle, compiled at every cold start.
 */
export const defaultProvider = (init: Parameters<typeof fromEnv>[0] = {}) => fromEnv(init);
