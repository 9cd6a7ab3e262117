import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { answerEvents } from './events-api.js';
import type { AddressInfo } from 'node:net';

/** The key the demo API accepts unless told otherwise. Not a secret: it only opens a local toy server. */
export const DEMO_API_KEY = 'demo-key';

/** Faults the demo API can inject, for tests and demos of the failure paths. */
export interface DemoFaults {
  /** Answer the first N calls with 503 (or `failStatus`). */
  readonly failFirst?: number;
  /** The status of the first `failFirst` answers (default 503). */
  readonly failStatus?: number;
  /** Answer this fraction of calls (0..1) with 503, decided by a seeded sequence (reproducible). */
  readonly failureRate?: number;
  /** Wait this long before answering. */
  readonly latencyMs?: number;
  /** Answer every call with this HTTP status (a WeatherAPI-style error body for 4xx/5xx). */
  readonly status?: number;
  /** Send this Retry-After header with 429/503 answers. */
  readonly retryAfter?: string;
  /** Send a truncated JSON body with a 200. */
  readonly malformed?: boolean;
  /** Answer 200 with exactly this body (HTML, an empty body, a JSON scalar, ...). */
  readonly body?: string;
}

export interface DemoApiOptions extends DemoFaults {
  readonly key?: string;
  /** The clock `current.json` answers for (default: the real one): "now", as the real API's current conditions. */
  readonly now?: () => number;
  readonly seed?: number;
}

export interface DemoApi {
  readonly url: string;
  readonly server: Server;
  /** Calls answered so far, by path. */
  readonly calls: () => number;
  close(): Promise<void>;
}

const ERRORS = {
  missingKey: { status: 401, code: 1002, message: 'API key not provided.' },
  invalidKey: { status: 401, code: 2006, message: 'API key provided is invalid' },
  missingQ: { status: 400, code: 1003, message: "Parameter 'q' not provided." },
  internal: { status: 500, code: 9999, message: 'Internal application error.' },
} as const;

/**
 * A local HTTP server that behaves like WeatherAPI.com: the key is required as query parameter `key`, errors
 * use its JSON error shape, and responses are deterministic per location and hour. `current.json` answers for
 * now (the clock); `history.json?dt=YYYY-MM-DD&hour=H` for a past hour, as the real history API does;
 * `bulk.json?n=N` answers `{"bulk": [N records]}` for scale tests; `/v1/events/<pagination>` is a paged event
 * feed (events-api.ts). `q=Atlantis` is an unknown location (400) and `q=Down-Town` always 503, for fan-out tests.
 */
export async function startDemoApi(options: DemoApiOptions = {}, port = 0, host = '127.0.0.1'): Promise<DemoApi> {
  const key = options.key ?? DEMO_API_KEY;
  const now = options.now ?? Date.now;
  let calls = 0;
  let random = seeded(options.seed ?? 42);
  const server = createServer((req, res) => {
    calls++;
    const call = calls;
    const respond = () => handle(req, res, call);
    if (options.latencyMs) setTimeout(respond, options.latencyMs);
    else respond();
  });

  function handle(req: IncomingMessage, res: ServerResponse, call: number): void {
    const url = new URL(req.url ?? '/', 'http://demo');
    const send = (status: number, body: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(body);
    };
    const error = (e: { status: number; code: number; message: string }, headers: Record<string, string> = {}) =>
      send(e.status, JSON.stringify({ error: { code: e.code, message: e.message } }), headers);
    /** An answer whose 200 body is cut in half under --malformed (every endpoint alike). */
    const answer = (status: number, body: string, headers: Record<string, string> = {}) =>
      send(status, status === 200 && options.malformed ? body.slice(0, Math.floor(body.length / 2)) : body, headers);
    const ok = (body: string) => answer(200, body);
    const unavailable = () =>
      send(options.status && options.status !== 200 ? options.status : 503, JSON.stringify({ error: { code: 9999, message: 'Service temporarily unavailable.' } }), options.retryAfter ? { 'retry-after': options.retryAfter } : {});

    if (options.failFirst && call <= options.failFirst) {
      const status = options.failStatus ?? 503;
      return send(status, JSON.stringify({ error: { code: 9999, message: 'Service temporarily unavailable.' } }), options.retryAfter ? { 'retry-after': options.retryAfter } : {});
    }
    if (options.failureRate && random() < options.failureRate) return unavailable();
    if (options.status && options.status !== 200) {
      if (options.status === 401 || options.status === 403) return error({ ...ERRORS.invalidKey, status: options.status });
      if (options.status === 429 || options.status >= 500) return unavailable();
      return error({ status: options.status, code: 1006, message: 'No location found matching parameter \'q\'' });
    }
    if (!url.searchParams.get('key')) return error(ERRORS.missingKey);
    if (url.searchParams.get('key') !== key) return error(ERRORS.invalidKey);
    const q = url.searchParams.get('q');
    if (options.body !== undefined) return send(200, options.body, { 'content-type': options.body.startsWith('<') ? 'text/html' : 'application/json' });
    if (answerEvents(url, req.headers.host ?? 'demo', now(), answer)) return;
    // Fan-out values that fail: a location WeatherAPI.com does not know, and one whose server is down.
    if (q === 'Atlantis') return error({ status: 400, code: 1006, message: "No location found matching parameter 'q'" });
    if (q === 'Down-Town') return unavailable();
    if (url.pathname === '/v1/current.json') {
      if (!q) return error(ERRORS.missingQ);
      return ok(JSON.stringify(currentWeather(q, now()), null, 1));
    }
    if (url.pathname === '/v1/history.json') {
      // WeatherAPI.com's history: `dt` (a date) and `hour` (0-23) ask for one hour of the past.
      if (!q) return error(ERRORS.missingQ);
      const dt = url.searchParams.get('dt') ?? '';
      const hour = Number(url.searchParams.get('hour') ?? 'NaN');
      const at = Date.parse(`${dt}T00:00:00Z`) + hour * 3_600_000;
      if (!/^\d{4}-\d{2}-\d{2}$/.test(dt) || !Number.isInteger(hour) || hour < 0 || hour > 23 || Number.isNaN(at)) {
        return error({ status: 400, code: 1005, message: "API request url is invalid: give dt=YYYY-MM-DD and hour=0..23." });
      }
      if (at > now()) return error({ status: 400, code: 1008, message: 'History is not available for a future date.' });
      return ok(JSON.stringify(historyHour(q, at)));
    }
    if (url.pathname === '/v1/bulk.json') {
      const n = Math.min(Number(url.searchParams.get('n') ?? 100), 1_000_000);
      const hour = now();
      const bulk = Array.from({ length: n }, (_, i) => ({ query: { custom_id: `loc-${i}`, q: `${-37 - i / 1000},${145 + i / 1000}`, ...currentWeather(`loc-${i}`, hour) } }));
      return ok(JSON.stringify({ bulk }));
    }
    return error({ status: 400, code: 1005, message: 'API request url is invalid.' });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${host}:${address.port}`,
    server,
    calls: () => calls,
    close: () =>
      new Promise<void>((resolve) => {
        random = seeded(options.seed ?? 42);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A WeatherAPI-shaped current-weather response, deterministic for (location, hour). */
export function currentWeather(q: string, epochMs: number) {
  const hourStart = Math.floor(epochMs / 3_600_000) * 3600;
  const r = seeded(hash(`${q}@${hourStart}`));
  const round = (v: number, digits = 1) => Number(v.toFixed(digits));
  const tempC = round(8 + r() * 20);
  const windKph = round(r() * 40);
  const pressure = Math.round(1000 + r() * 30); // sometimes 1015, sometimes 1015.0 upstream: both are numbers
  const conditions = [
    ['Sunny', 1000],
    ['Partly cloudy', 1003],
    ['Overcast', 1009],
    ['Light rain', 1183],
  ] as const;
  const [text, code] = conditions[Math.floor(r() * conditions.length)]!;
  const local = new Date(hourStart * 1000 + 11 * 3_600_000).toISOString(); // Melbourne summer time, like the original source
  return {
    location: {
      name: 'Healesville',
      region: 'Victoria',
      country: 'Australia',
      lat: -37.5,
      lon: 145.74,
      tz_id: 'Australia/Melbourne',
      localtime_epoch: hourStart,
      localtime: `${local.slice(0, 10)} ${Number(local.slice(11, 13))}:${local.slice(14, 16)}`,
    },
    current: {
      last_updated_epoch: hourStart,
      last_updated: `${local.slice(0, 10)} ${local.slice(11, 16)}`,
      temp_c: tempC,
      temp_f: round(tempC * 1.8 + 32),
      is_day: Number(local.slice(11, 13)) >= 6 && Number(local.slice(11, 13)) < 20 ? 1 : 0,
      condition: { text, icon: `//cdn.weatherapi.com/weather/64x64/day/${code - 887}.png`, code },
      wind_mph: round(windKph / 1.609),
      wind_kph: windKph,
      wind_degree: Math.floor(r() * 360),
      wind_dir: ['N', 'NE', 'E', 'SE', 'S', 'SW', 'W', 'NW'][Math.floor(r() * 8)],
      pressure_mb: pressure,
      pressure_in: round(pressure * 0.02953, 2),
      precip_mm: text === 'Light rain' ? round(r() * 3) : 0,
      humidity: Math.floor(40 + r() * 55),
      cloud: Math.floor(r() * 100),
      feelslike_c: round(tempC - r() * 2),
      uv: round(r() * 9),
      gust_kph: round(windKph * (1.2 + r() * 0.5)),
    },
  };
}

/** A WeatherAPI-shaped history response for one hour: the records are at `forecast.forecastday.0.hour`. */
export function historyHour(q: string, hourStartMs: number) {
  const { location, current } = currentWeather(q, hourStartMs);
  const iso = new Date(hourStartMs).toISOString();
  return {
    location,
    forecast: {
      forecastday: [
        {
          date: iso.slice(0, 10),
          date_epoch: Math.floor(hourStartMs / 86_400_000) * 86_400,
          hour: [
            {
              time_epoch: hourStartMs / 1000,
              time: `${iso.slice(0, 10)} ${iso.slice(11, 16)}`,
              temp_c: current.temp_c,
              is_day: current.is_day,
              condition: current.condition,
              wind_kph: current.wind_kph,
              pressure_mb: current.pressure_mb,
              precip_mm: current.precip_mm,
              humidity: current.humidity,
              cloud: current.cloud,
            },
          ],
        },
      ],
    },
  };
}

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** mulberry32: a tiny seeded generator, so "random" faults and values repeat run after run. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
