/**
 * `npm run bench`: performance as ratios against peers measured in the same run, on this machine, for every
 * shape of data in bench/shapes.ts at 1k records and at about 135 MB. Writes docs/benchmarks.md (a narrower
 * selection, BENCH_SHAPES or BENCH_SIZES, writes docs/benchmarks-partial.md). Nothing here is asserted:
 * numbers are reported, not tested.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, relative } from 'node:path';
import { build } from 'esbuild';
import { handlerBuildOptions } from '../infra/bundling.js';
import { DEFAULTS } from '../src/core/config.js';
import { measureColdStarts, type ColdStart } from './cold-start.js';
import { measureSize, median, peakRssMb, type SizeResult } from './measure.js';
import { benchSelection, recordsOf, type Size } from './selection.js';
import type { Shape } from './shapes.js';

const ROOT = new URL('..', import.meta.url).pathname;
const selection = benchSelection(process.env, ROOT);
const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
/** Whether a figure meets its target, as the tables mark it. */
const verdict = (met: boolean) => (met ? 'met' : '**missed**');
const mark = (text: string, met: boolean) => `${text} ${verdict(met)}`;
const range = (xs: readonly number[]) => `${fmt(Math.min(...xs), 2)}–${fmt(Math.max(...xs), 2)}`;

const lines: string[] = [];
const say = (line = '') => {
  lines.push(line);
  process.stdout.write(line + '\n');
};

const nodeEnv = { PATH: process.env.PATH };
/** `node -e 0`, the floor of any process start here. */
const nodeStartMs = median(
  Array.from({ length: 9 }, () => {
    const t = performance.now();
    if (spawnSync(process.execPath, ['-e', '0'], { env: nodeEnv }).status !== 0) throw new Error('node -e 0 failed');
    return performance.now() - t;
  }),
);
const nodeRssMb = Number(execFileSync(process.execPath, ['--import', 'tsx', '-e', 'console.log(Math.round(process.resourceUsage().maxRSS / 1024))'], { cwd: ROOT, encoding: 'utf8' }).trim());

// The inputs of a run, generated once each and removed at the end, also when the run fails or is interrupted.
const inputs = mkdtempSync(join(tmpdir(), 'api-lake-bench-input-'));
const removeInputs = () => rmSync(inputs, { recursive: true, force: true });
process.once('SIGINT', () => {
  removeInputs();
  process.exit(130);
});
try {
  await main();
} finally {
  removeInputs();
}

async function main() {
  const started = performance.now();
  say('# Benchmarks');
  say();
  say(
    `Measured by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}: ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, ${fmt(totalmem() / 2 ** 30)} GiB, Node ${process.version}; ` +
      `load average ${loadavg().map((l) => fmt(l, 1)).join(' / ')} at the start (1 / 5 / 15 min).`,
  );
  say('Every number is a ratio against a peer measured in the same run; absolute times vary by machine.');
  if (!selection.full) say(`Partial run (BENCH_SHAPES=${process.env.BENCH_SHAPES ?? ''} BENCH_SIZES=${process.env.BENCH_SIZES ?? ''}): not the figures of docs/benchmarks.md.`);
  say();
  const results = transformSection();
  const cold = await bundleSection();
  coldAndMemorySection(results, cold);
  twinSection();
  say(`The whole run took ${fmt((performance.now() - started) / 60_000, 1)} minutes.`);
  say();
  writeReport();
}

/** Peak RSS (MB) of one conversion of the largest input. */
interface Rss {
  readonly ours: number;
  readonly duckdb: number;
  readonly held: number;
}
type Results = Map<Shape, Map<Size, SizeResult & { rss?: Rss }>>;

function transformSection(): Results {
  say('## 1. Transform throughput: JSON text to Snappy Parquet, per shape of data');
  say();
  say('The shapes (`bench/shapes.ts`, generated, deterministic; each with the `source.columns` a config would carry):');
  say();
  for (const shape of selection.shapes) say(`- \`${shape.name}\`: ${shape.description}; declared ${Object.entries(shape.columns).map(([k, v]) => `${k} ${v}`).join(', ')}.`);
  say();
  say('Ours: `encodeHour` (parse, extract, flatten, type, lineage, Parquet). Peer: DuckDB in the same kind of process, `SET threads=1`,');
  say(
    '`COPY (SELECT * FROM read_json(...)) TO ... (FORMAT parquet, COMPRESSION snappy)`. Floor: `JSON.parse` of the same text. Each reads the input from a file (ours and JSON.parse as bytes, as the transform gets them from S3; DuckDB by itself). ' +
      'Three rounds in which the engines take turns, each engine a fresh process per round converting the input repeatedly (about 60 MB worth: 3 times at the large size, up to 300 at 1k), the first quarter (at least one) dropped as warm-up. ' +
      'Times are medians of the warm runs of all rounds. A ratio is taken within each round (of the engines\' medians there), and the table gives the median of the three, the lowest and highest in brackets: their spread is this machine\'s noise.',
  );
  say();
  say('| shape | records | input MB | ours / DuckDB / JSON.parse ms | ours MB/s | throughput vs DuckDB (rounds) | target ≥1.0 at 1k, ≥0.8 large | ours / JSON.parse (rounds) | target ≤2.0 | output KB ours / DuckDB | target ±10% |');
  say('|---|---|---|---|---|---|---|---|---|---|---|');
  const results: Results = new Map();
  for (const shape of selection.shapes) {
    const bySize = new Map<Size, SizeResult & { rss?: Rss }>();
    results.set(shape, bySize);
    const largest = selection.sizes[selection.sizes.length - 1]!;
    for (const size of selection.sizes) {
      const records = recordsOf(shape, size);
      const input = join(inputs, `${shape.name}-${records}.json`);
      writeFileSync(input, shape.generate(records));
      const result = measureSize(ROOT, shape, input, statSync(input).size);
      const rss = size === largest ? { ours: peakRssMb(ROOT, 'ours', shape, input), duckdb: peakRssMb(ROOT, 'duckdb', shape, input), held: peakRssMb(ROOT, 'duckdb-holding-input', shape, input) } : undefined;
      rmSync(input);
      bySize.set(size, { ...result, rss });
      const { ours, duckdb, parse } = result;
      // Ratios within each round, whose engines ran minutes apart at most; the middle round's is the figure.
      const vsDuckdbRounds = duckdb.roundMs.map((d, i) => d / ours.roundMs[i]!);
      const vsParseRounds = ours.roundMs.map((o, i) => o / parse.roundMs[i]!);
      const [vsDuckdb, vsParse] = [median(vsDuckdbRounds), median(vsParseRounds)];
      const sizeRatio = ours.outputBytes / duckdb.outputBytes;
      say(
        `| ${shape.name} | ${fmt(records)} | ${fmt(result.inputBytes / 1e6, result.inputBytes < 1e6 ? 2 : 1)} | ${fmt(ours.ms, 1)} / ${fmt(duckdb.ms, 1)} / ${fmt(parse.ms, 1)} | ${fmt(result.inputBytes / 1e6 / (ours.ms / 1000), 1)} ` +
          `| ${fmt(vsDuckdb, 2)} (${range(vsDuckdbRounds)}) | ${verdict(vsDuckdb >= (records <= 1000 ? 1.0 : 0.8))} ` +
          `| ${fmt(vsParse, 2)} (${range(vsParseRounds)}) | ${verdict(vsParse <= 2.0)} ` +
          `| ${fmt(ours.outputBytes / 1024)} / ${fmt(duckdb.outputBytes / 1024)} (${fmt(sizeRatio, 2)}) | ${verdict(Math.abs(sizeRatio - 1) <= 0.1)} |`,
      );
    }
  }
  say();
  return results;
}

async function bundleSection(): Promise<Record<string, ColdStart>> {
  say('## 2. Cold-start proxies: handler bundles');
  say();
  say(
    'Bundled as the stack bundles them (`infra/bundling.ts`: esbuild, ESM, minified, node24, no AWS SDK). A fresh `node` imports the bundle and invokes the handler once, ' +
      'against S3 (s3rver behind a gateway enforcing the IAM of the stack), a Secrets Manager stand-in and the demo API on 127.0.0.1 (transform: the one-record fixture; per shape, section 3); medians of 9. ' +
      'Import time is measured inside the process, so Node start-up (the `node -e 0` peer) is not in it; the first invocation carries whatever the handler defers to it.',
  );
  say();
  say('| handler | bundle KB (target ≤ 2,048) | import ms (target ≤ 150) | first invocation ms | `node -e 0` ms (peer) |');
  say('|---|---|---|---|---|');
  const dir = join(ROOT, 'node_modules/.cache/api-lake-bench');
  const bundles = { fetch: join(dir, 'fetch', 'index.mjs'), transform: join(dir, 'transform', 'index.mjs') };
  for (const [handler, outfile] of Object.entries(bundles)) await build(handlerBuildOptions(handler, outfile));
  const hours = selection.shapes.map((shape) => ({ name: shape.name, columns: shape.columns, body: new TextEncoder().encode(shape.generate(1000)) }));
  const cold = await measureColdStarts(bundles, hours);
  for (const [handler, outfile] of Object.entries(bundles)) {
    const kb = statSync(outfile).size / 1024;
    say(`| ${handler} | ${mark(fmt(kb), kb <= 2048)} | ${mark(fmt(cold[handler]!.importMs), cold[handler]!.importMs <= 150)} | ${fmt(cold[handler]!.firstInvocationMs)} | ${fmt(nodeStartMs)} |`);
  }
  say();
  return cold;
}

function coldAndMemorySection(results: Results, cold: Record<string, ColdStart>) {
  say('## 3. Cold conversions and memory, per shape');
  say();
  say(
    'First conversion: the first run of a fresh worker process on 1k records (median over the three rounds of section 1), before the JIT has warmed up: what a Lambda converting one hour meets. ' +
      'Cold Lambda path: the transform bundle imported by a fresh `node` and invoked once on an hour holding the same 1k records (S3, IAM and Glue stand-ins as in section 2; medians of 9). ' +
      `Peak RSS: one process converting the largest input once; ours holds the input bytes as the Lambda holds the S3 object; \`node\` with tsx alone takes ${fmt(nodeRssMb)} MB. The stack gives the transform function ${fmt(DEFAULTS.transformMemoryMb)} MB.`,
  );
  say();
  say('| shape | first conversion of 1k, ms: ours / DuckDB | ratio (target ≤2) | cold Lambda transform ms: import + first invocation | peak RSS MB: ours / DuckDB reading the file / DuckDB holding the input (records) | ours / DuckDB reading the file (target ≤1) |');
  say('|---|---|---|---|---|---|');
  for (const [shape, bySize] of results) {
    const small = bySize.get(1000);
    const coldRatio = small ? small.ours.firstMs / small.duckdb.firstMs : undefined;
    const lambda = cold[`transform ${shape.name}`];
    const [size, large] = [...bySize].find(([, r]) => r.rss)!;
    const rss = large.rss!;
    say(
      `| ${shape.name} | ${small ? `${fmt(small.ours.firstMs)} / ${fmt(small.duckdb.firstMs)}` : '—'} | ${coldRatio === undefined ? '—' : mark(fmt(coldRatio, 2), coldRatio <= 2)} ` +
        `| ${lambda ? `${fmt(lambda.importMs)} + ${fmt(lambda.firstInvocationMs)}` : '—'} | ${fmt(rss.ours)} / ${fmt(rss.duckdb)} / ${fmt(rss.held)} (${fmt(recordsOf(shape, size))}) | ${mark(fmt(rss.ours / rss.duckdb, 2), rss.ours <= rss.duckdb)} |`,
    );
  }
  say();
}

function twinSection() {
  say('## 4. The local twin');
  say();
  const twinLake = mkdtempSync(join(tmpdir(), 'api-lake-bench-lake-'));
  const timeTwin = (env: NodeJS.ProcessEnv) => {
    const t = performance.now();
    const result = spawnSync(process.execPath, [join(ROOT, 'bin/api-lake.js'), 'run', '--demo', '--fast', '--lake', twinLake], { cwd: ROOT, encoding: 'utf8', env });
    if (result.status !== 0) throw new Error(result.stdout + result.stderr);
    return performance.now() - t;
  };
  try {
    const firstSynth = median([1, 2, 3].map(() => timeTwin({ ...process.env, API_LAKE_NO_CACHE: '1' })));
    const twin = [timeTwin(process.env), timeTwin(process.env), timeTwin(process.env)];
    say(
      `\`api-lake run --demo --fast\` for one hour, wall time including Node start-up and obtaining the definition: median ${fmt(median(twin))} ms of 3 with the definition from its fingerprinted cache (target ≤ 3,000 ms), median ${fmt(firstSynth)} ms of 3 when it must synthesize first (after a change to infra/, src/core/, the config or the CDK version); \`node -e 0\` takes ${fmt(nodeStartMs)} ms here.`,
    );
  } finally {
    rmSync(twinLake, { recursive: true, force: true });
  }
  say();
}

/** The report, followed by the notes of docs/benchmarks.md (its first unnumbered `##` section on), which no run writes. */
function writeReport() {
  const notes = (() => {
    try {
      const old = readFileSync(join(ROOT, 'docs/benchmarks.md'), 'utf8');
      const at = old.search(/\n## (?!\d)/);
      return at >= 0 ? old.slice(at) : '';
    } catch {
      return '';
    }
  })();
  writeFileSync(selection.reportPath, lines.join('\n') + '\n' + (selection.full ? notes : ''));
  process.stdout.write(`\nwritten to ${relative(ROOT, selection.reportPath)}\n`);
}
