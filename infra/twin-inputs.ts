import { fileURLToPath } from 'node:url';

const root = (path: string) => fileURLToPath(new URL(`../${path}`, import.meta.url));

/**
 * Everything the synthesized template is a function of, besides the config: the CDK app (this directory),
 * the code it imports (the core, the contract), the aws-cdk-lib version (package-lock.json) and cdk.json.
 * A module of its own, so the twin can fingerprint its cache without loading aws-cdk-lib.
 */
export const TEMPLATE_INPUTS: readonly string[] = [root('infra'), root('src/core'), root('src/contract'), root('package-lock.json'), root('cdk.json')];
