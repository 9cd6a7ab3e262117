/**
 * One measurement in a fresh process, so peak memory (maxRSS) belongs to one engine and one size.
 * The input is a file written by bench/run.ts, read here as the transform gets it from S3 (bytes);
 * DuckDB reads the file itself. Generating it here would put the generator's memory in the peak.
 * Usage: tsx bench/transform-worker.ts <ours|duckdb|duckdb-holding-input|parse> <shape> <input.json> <runs>
 * Prints one JSON line: {engine, inputBytes, outputBytes, ms: number[], maxRssMb}.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../src/core/config.js';
import { scheduledHour } from '../src/core/layout.js';
import { encodeHour } from '../src/core/steps/transform.js';
import { SHAPES } from './shapes.js';

const [engine, shapeName, input, runsText] = process.argv.slice(2);
const shape = SHAPES.find((s) => s.name === shapeName);
if (!input || !shape) throw new Error('usage: tsx bench/transform-worker.ts <ours|duckdb|duckdb-holding-input|parse> <shape> <input.json> <runs>');
const runs = Number(runsText ?? 3);
const inputBytes = statSync(input).size;
const source = parseConfig({
  source: { name: 'bench', url: 'https://bench.example/x', auth: { in: 'none' }, columns: shape.columns },
  table: 'bench',
  schedule: 'rate(1 hour)',
}).source;
const hour = scheduledHour('2026-11-25T18:00:00Z');
const dir = mkdtempSync(join(tmpdir(), 'api-lake-bench-'));
const ms: number[] = [];
let outputBytes = 0;

if (engine === 'duckdb' || engine === 'duckdb-holding-input') {
  // The second variant first reads the input into memory, as a Lambda holds the S3 object it received;
  // DuckDB still reads the file itself (it cannot read a JavaScript buffer).
  const held = engine === 'duckdb-holding-input' ? readFileSync(input) : undefined;
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const connection = await instance.connect();
  for (let i = 0; i < runs; i++) {
    const out = join(dir, `out-${i}.parquet`);
    const t = performance.now();
    await connection.run(`COPY (SELECT * FROM read_json('${input}', format = 'array')) TO '${out}' (FORMAT parquet, COMPRESSION snappy)`);
    ms.push(performance.now() - t);
    outputBytes = statSync(out).size;
  }
  connection.closeSync();
  instance.closeSync();
  if (held && held.byteLength !== inputBytes) throw new Error('input changed while measuring');
} else {
  const file = readFileSync(input);
  const body = new Uint8Array(file.buffer, file.byteOffset, file.byteLength); // a view: no second copy
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    if (engine === 'parse') {
      JSON.parse(new TextDecoder().decode(body));
    } else {
      outputBytes = encodeHour([{ key: 'bench/raw.json', body }], { source, table: 'bench', hour, ingestedAt: Date.now() })!.body.byteLength;
    }
    ms.push(performance.now() - t);
  }
}
rmSync(dir, { recursive: true, force: true });
process.stdout.write(
  JSON.stringify({ engine, inputBytes, outputBytes, ms, maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024) }) + '\n',
);
