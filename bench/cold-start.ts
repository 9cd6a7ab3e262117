/**
 * A cold start of each bundled handler, as close to Lambda's as one machine gets: a fresh `node` imports the
 * bundle and invokes the handler once, against S3 (s3rver behind a gateway enforcing the stack's IAM), a Secrets
 * Manager stand-in and the demo API, all on 127.0.0.1. Import time alone would flatter a handler that defers work to its first call.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { ColumnType } from '../src/core/config.js';
import { rawObjectKey, scheduledHour, tableSchemaKey } from '../src/core/layout.js';
import { startLocalAws, type LocalAws } from '../test/helpers/local-aws.js';

export interface ColdStart {
  readonly importMs: number;
  readonly firstInvocationMs: number;
}

/** An hour for the transform's cold path: a raw page and the column declarations its config carries. */
export interface ColdHour {
  readonly name: string;
  readonly body: Uint8Array;
  readonly columns: Readonly<Record<string, ColumnType>>;
}

// The default source answers for "now" only, so Fetch runs for the current hour.
const NOW = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000).toISOString();
const HOUR = '2026-11-25T18:00:00.000Z';

interface Case {
  readonly handler: 'fetch' | 'transform';
  readonly event: unknown;
  readonly env: NodeJS.ProcessEnv;
}

/**
 * Median import and first-invocation times over `runs` fresh processes per handler bundle: `fetch`, `transform`
 * (the one-record fixture) and `transform <name>` for each of `hours` (each in an hour of its own; the table's
 * remembered schema is removed first, as the shapes' types differ, so the first of its runs also updates the catalog).
 */
export async function measureColdStarts(bundles: Record<'fetch' | 'transform', string>, hours: readonly ColdHour[] = [], runs = 9): Promise<Record<string, ColdStart>> {
  const aws = await startLocalAws();
  try {
    const fixture = readFileSync(new URL('../test/fixtures/weatherapi-current.json', import.meta.url));
    const cases: Record<string, Case> = {
      fetch: { handler: 'fetch', event: { time: NOW.replace('.000Z', 'Z') }, env: aws.env('Fetch') },
      transform: { handler: 'transform', event: { hour: HOUR, rawKeys: [await putRaw(aws, HOUR, fixture)] }, env: aws.env('Transform') },
    };
    for (const [i, hour] of hours.entries()) {
      const iso = `2026-11-25T${String(10 + i).padStart(2, '0')}:00:00.000Z`;
      cases[`transform ${hour.name}`] = { handler: 'transform', event: { hour: iso, rawKeys: [await putRaw(aws, iso, hour.body)] }, env: withColumns(aws.env('Transform'), hour.columns) };
    }
    const result: Record<string, ColdStart> = {};
    for (const [label, { handler, event, env }] of Object.entries(cases)) {
      if (label.startsWith('transform ')) await aws.s3.client.send(new DeleteObjectCommand({ Bucket: aws.buckets.curated, Key: tableSchemaKey(tableOf(env)) }));
      const samples: number[][] = [];
      for (let i = 0; i < runs; i++) samples.push(await coldStart(bundles[handler], event, env, label));
      const median = (k: number) => samples.map((s) => s[k]!).sort((a, b) => a - b)[Math.floor(samples.length / 2)]!;
      result[label] = { importMs: median(0), firstInvocationMs: median(1) };
    }
    return result;
  } finally {
    await aws.stop();
  }
}

/** Import and first-invocation ms of one fresh process. */
async function coldStart(bundle: string, event: unknown, env: NodeJS.ProcessEnv, label: string): Promise<number[]> {
  const script =
    `const t0 = performance.now(); const m = await import(${JSON.stringify(bundle)}); const t1 = performance.now();` +
    `await m.handler(${JSON.stringify(event)}); const t2 = performance.now(); process.stdout.write('\\nCOLD ' + (t1 - t0) + ' ' + (t2 - t1));`;
  // Asynchronous: the servers answer from this process's event loop while the child runs.
  const out = await new Promise<string>((resolve, reject) =>
    execFile(process.execPath, ['--input-type=module', '-e', script], { env, maxBuffer: 16 << 20 }, (error, stdout, stderr) => (error ? reject(new Error(`${label}: ${stderr}`)) : resolve(stdout))),
  );
  const line = out.split('\n').find((l) => l.startsWith('COLD '));
  if (!line) throw new Error(`${label}: no timing in ${out}`);
  return line.slice(5).split(' ').map(Number);
}

/** Stores `body` as the hour's one raw page of the stack's source; returns its key. */
async function putRaw(aws: LocalAws, hour: string, body: Uint8Array): Promise<string> {
  const key = rawObjectKey(sourceOf(aws.env('Transform')), scheduledHour(hour));
  await aws.s3.client.send(new PutObjectCommand({ Bucket: aws.buckets.raw, Key: key, Body: body }));
  return key;
}

const configOf = (env: NodeJS.ProcessEnv) => JSON.parse(env.PIPELINE_CONFIG!) as { table: string; source: { name: string; columns?: Record<string, string> } };
const sourceOf = (env: NodeJS.ProcessEnv) => configOf(env).source.name;
const tableOf = (env: NodeJS.ProcessEnv) => configOf(env).table;

/** The Transform function's environment with `columns` declared in place of the stack config's. */
function withColumns(env: NodeJS.ProcessEnv, columns: Readonly<Record<string, ColumnType>>): NodeJS.ProcessEnv {
  const config = configOf(env);
  config.source.columns = { ...columns };
  return { ...env, PIPELINE_CONFIG: JSON.stringify(config) };
}
