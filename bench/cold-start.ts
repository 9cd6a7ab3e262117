/**
 * A cold start of each bundled handler, as close to Lambda's as one machine gets: a fresh `node` imports the
 * bundle and invokes the handler once, against S3 (s3rver behind a gateway enforcing the stack's IAM), a Secrets
 * Manager stand-in and the demo API, all on 127.0.0.1. Import time alone would flatter a handler that defers work to its first call.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { startLocalAws } from '../test/helpers/local-aws.js';

export interface ColdStart {
  readonly importMs: number;
  readonly firstInvocationMs: number;
}

// The default source answers for "now" only, so Fetch runs for the current hour.
const NOW = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000).toISOString();
const RAW_KEY = 'weather/dt=2026-11-25/hour=18/weather_20261125T18Z.json';

/** Median import and first-invocation times over `runs` fresh processes per handler bundle. */
export async function measureColdStarts(bundles: Record<'fetch' | 'transform', string>, runs = 9): Promise<Record<string, ColdStart>> {
  const aws = await startLocalAws();
  try {
    const fixture = readFileSync(new URL('../test/fixtures/weatherapi-current.json', import.meta.url));
    await aws.s3.client.send(new PutObjectCommand({ Bucket: aws.buckets.raw, Key: RAW_KEY, Body: fixture }));
    const events = { fetch: { time: NOW.replace('.000Z', 'Z') }, transform: { hour: '2026-11-25T18:00:00.000Z', rawKeys: [RAW_KEY] } };
    const result: Record<string, ColdStart> = {};
    for (const handler of ['fetch', 'transform'] as const) {
      const samples: number[][] = [];
      for (let i = 0; i < runs; i++) {
        // Asynchronous: the servers answer from this process's event loop while the child runs.
        const script =
          `const t0 = performance.now(); const m = await import(${JSON.stringify(bundles[handler])}); const t1 = performance.now();` +
          `await m.handler(${JSON.stringify(events[handler])}); const t2 = performance.now(); process.stdout.write('\\nCOLD ' + (t1 - t0) + ' ' + (t2 - t1));`;
        const out = await new Promise<string>((resolve, reject) =>
          execFile(process.execPath, ['--input-type=module', '-e', script], { env: aws.env(handler === 'fetch' ? 'Fetch' : 'Transform') }, (error, stdout, stderr) => (error ? reject(new Error(`${handler}: ${stderr}`)) : resolve(stdout))),
        );
        const line = out.split('\n').find((l) => l.startsWith('COLD '));
        if (!line) throw new Error(`${handler}: no timing in ${out}`);
        samples.push(line.slice(5).split(' ').map(Number));
      }
      const median = (k: number) => samples.map((s) => s[k]!).sort((a, b) => a - b)[Math.floor(samples.length / 2)]!;
      result[handler] = { importMs: median(0), firstInvocationMs: median(1) };
    }
    return result;
  } finally {
    await aws.stop();
  }
}
