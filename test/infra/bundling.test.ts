import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { handlerBuildOptions } from '../../infra/bundling.js';
import { LOCAL_REGION } from '../../src/cli/twin/local-stack.js';
import { functionOf } from '../../src/cli/twin/local-tasks.js';
import { localStack } from '../helpers/twin.js';
import { tempDir } from '../helpers/temp-dirs.js';

// Outside the project: the bundle must load without node_modules.
const OUT = tempDir('api-lake-bundle-');

describe('handler bundles, built as the stack builds them', () => {
  for (const handler of ['fetch', 'transform']) {
    it(`${handler}: no AWS SDK inside, every dependency bundled, and it loads`, async () => {
      const result = await build({ ...handlerBuildOptions(handler, join(OUT, handler, 'index.mjs')), write: false, metafile: true });
      const inputs = Object.keys(result.metafile.inputs);
      expect(inputs).toContain('src/adapters/aws/aws-http.ts');
      expect(inputs.some((path) => path.includes('node_modules/aws4/'))).toBe(true);
      expect(inputs.filter((path) => /node_modules\/(@aws-sdk|@smithy)\//.test(path))).toEqual([]);
      const [bundle] = result.outputFiles;
      expect(bundle!.contents.byteLength).toBeLessThan(2 * 1024 * 1024);
      // Fetch carries none of Transform's engines (package.json "sideEffects" lets esbuild drop unused modules whole).
      const inOutput = Object.entries(Object.values(result.metafile.outputs)[0]!.inputs).filter(([, v]) => v.bytesInOutput > 0).map(([path]) => path);
      const engines = inOutput.filter((path) => /src\/(parquet|json-columns)\/|node_modules\/snappyjs\//.test(path));
      if (handler === 'fetch') expect(engines).toEqual([]);
      else expect(engines.length).toBeGreaterThan(0);
      // Loads in a fresh Node.js with the environment a pipeline function gets (no network is used).
      mkdirSync(join(OUT, handler), { recursive: true });
      writeFileSync(bundle!.path, bundle!.contents);
      const loaded = execFileSync(process.execPath, ['--input-type=module', '-e', `const m = await import(${JSON.stringify(bundle!.path)}); console.log(typeof m.handler)`], {
        env: { PATH: process.env.PATH, ...functionOf(localStack(), handler === 'fetch' ? 'Fetch' : 'Transform').environment, AWS_REGION: LOCAL_REGION },
        encoding: 'utf8',
      });
      expect(loaded.trim()).toBe('function');
    });
  }
});
