import { startDemoApi, DEMO_API_KEY } from '../../demo/weather-api.js';
import { numberOption, parse, UsageError } from '../args.js';

export const DEMO_API_USAGE = `Usage: api-lake demo-api [--port N] [--key KEY] [faults]
  A local WeatherAPI.com look-alike on 127.0.0.1. Runs until Ctrl-C.
    GET /v1/current.json?key=KEY&q=LAT,LON                         now
    GET /v1/history.json?key=KEY&q=LAT,LON&dt=YYYY-MM-DD&hour=H    a past hour
    GET /v1/bulk.json?key=KEY&n=N                                  {"bulk": [N records]}
    GET /v1/events/{cursor,offset,page,link,next}?key=KEY&since=ISO&until=ISO   a paged event feed
  --port N              port (default 8787; 0 picks a free one)
  --key KEY             the accepted key (default ${DEMO_API_KEY})
  Faults:
  --fail-first N        answer the first N calls with 503
  --failure-rate R      answer a fraction R (0..1) of calls with 503 (seeded, reproducible)
  --latency-ms N        wait N ms before each answer
  --status CODE         answer every call with this HTTP status
  --retry-after VALUE   send Retry-After: VALUE with 429/503 answers
  --malformed           answer 200 with a truncated JSON body (every endpoint)
  Exit status: 0 stopped with Ctrl-C; 2 bad arguments, or a port in use or not allowed.`;

export async function demoApiCommand(argv: string[], out = process.stdout): Promise<number> {
  const { values } = parse(
    argv,
    {
      port: { type: 'string', default: '8787' },
      key: { type: 'string' },
      'fail-first': { type: 'string' },
      'failure-rate': { type: 'string' },
      'latency-ms': { type: 'string' },
      status: { type: 'string' },
      'retry-after': { type: 'string' },
      malformed: { type: 'boolean', default: false },
    },
    DEMO_API_USAGE,
  );
  const port = numberOption(values.port, 'port', DEMO_API_USAGE, { max: 65535 });
  const api = await startDemoApi(
    {
      key: values.key,
      failFirst: numberOption(values['fail-first'], 'fail-first', DEMO_API_USAGE),
      failureRate: numberOption(values['failure-rate'], 'failure-rate', DEMO_API_USAGE, { max: 1 }),
      latencyMs: numberOption(values['latency-ms'], 'latency-ms', DEMO_API_USAGE),
      status: numberOption(values.status, 'status', DEMO_API_USAGE, { min: 100, max: 599 }),
      retryAfter: values['retry-after'],
      malformed: values.malformed,
    },
    port,
  ).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'EADDRINUSE') throw new UsageError(`port ${port} on 127.0.0.1 is in use (another demo-api?): stop what holds it, or choose another with --port N (0 picks a free one)`);
    if (error.code === 'EACCES') throw new UsageError(`port ${port} needs privileges this user lacks: choose one above 1023 with --port N (0 picks a free one)`);
    throw error;
  });
  out.write(`demo API listening on ${api.url}\n  try: curl '${api.url}/v1/current.json?key=${values.key ?? DEMO_API_KEY}&q=-37.5,145.7'\n`);
  out.write(`  run the pipeline against it: API_LAKE_API_KEY=${values.key ?? DEMO_API_KEY} npx api-lake run --api-url ${api.url}/v1/current.json\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await api.close();
  return 0;
}
