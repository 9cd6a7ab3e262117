import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { BuildOptions } from 'esbuild';

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

/** The same bundling as one esbuild call, for `npm run bench` and the bundling test: `handler` is `fetch` or `transform`. */
export function handlerBuildOptions(handler: string, outfile: string): BuildOptions {
  return {
    entryPoints: [`${PROJECT_ROOT}src/handlers/${handler}.ts`],
    bundle: true,
    platform: 'node',
    format: 'esm',
    ...HANDLER_BUNDLING,
    mainFields: [...HANDLER_BUNDLING.mainFields],
    banner: { js: HANDLER_BUNDLING.banner },
    outfile,
    logLevel: 'silent',
  };
}

/** Environment variables like a pipeline function's, to load a bundled handler outside Lambda (no network is used). */
export function localHandlerEnvironment(): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    PIPELINE_CONFIG: readFileSync(`${PROJECT_ROOT}api-lake.config.json`, 'utf8'),
    RAW_BUCKET: 'raw',
    CURATED_BUCKET: 'curated',
    SECRET_NAME: 'api-lake/weather/api-key',
    AWS_REGION: 'us-east-1',
  };
}
