import { fileURLToPath } from 'node:url';

const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * How the Lambda handlers are bundled, for the stack (NodejsFunction) and for `npm run bench` alike:
 * ESM for Node.js 24, minified, the AWS SDK v3 inside (tree-shaken), which imports in about 130-160 ms
 * here against about 230 ms for the SDK's many files (docs/benchmarks.md).
 */
export const HANDLER_BUNDLING = {
  target: 'node24',
  minify: true,
  // Error class names are matched by Step Functions; they also set this.name, but keep names readable in traces.
  keepNames: true,
  mainFields: ['module', 'main'],
  banner: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
  /** Modules replaced at bundling: the SDK's default credential chain by the environment's credentials. */
  alias: { '@aws-sdk/credential-provider-node': `${PROJECT_ROOT}src/handlers/lambda-credentials.ts` },
} as const;
