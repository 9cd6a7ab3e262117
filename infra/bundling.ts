import { fileURLToPath } from 'node:url';
import type { BuildOptions } from 'esbuild';

const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * How the Lambda handlers are bundled, for the stack (NodejsFunction) and for `npm run bench` alike:
 * ESM for Node.js 24, minified, every dependency inside. The handlers use no AWS SDK (src/adapters/aws/aws-http.ts),
 * so nothing is left for the runtime to provide (docs/benchmarks.md).
 */
export const HANDLER_BUNDLING = {
  target: 'node24',
  minify: true,
  // Error class names are matched by Step Functions; they also set this.name, but keep names readable in traces.
  keepNames: true,
  mainFields: ['module', 'main'],
  // aws4 (CommonJS) requires Node built-ins; an ESM bundle has no `require` of its own.
  banner: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
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
