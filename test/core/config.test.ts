import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fetchTimeoutSeconds } from '../../infra/timeouts.js';
import { DEFAULTS, MAX_REQUEST_TIMEOUT_SECONDS, parseConfig, parseConfigText, secretNameOf } from '../../src/core/config.js';
import { ConfigError } from '../../src/core/errors.js';

const valid = {
  source: { name: 'weather', url: 'https://api.weatherapi.com/v1/current.json', auth: { in: 'query', name: 'key' } },
  table: 'weather',
  schedule: 'cron(0 * * * ? *)',
};

/** The config's problems, none for a valid one. */
function problemsOf(input: unknown): string[] {
  try {
    parseConfig(input);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

function problems(input: unknown): string[] {
  try {
    parseConfig(input);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('parseConfig', () => {
  it('refuses a source.url on a port fetch never connects to, as Node\'s fetch refuses it', async () => {
    const refused: number[] = [];
    const accepted: number[] = [];
    // Every port 1-1100 and each named port's neighbours: the config's list and fetch's agree on all of them.
    const candidates = new Set<number>(Array.from({ length: 1100 }, (_, i) => i + 1));
    for (const p of [8080, 1719, 1720, 1723, 2049, 3659, 4045, 4190, 5060, 5061, 6000, 6566, 6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080]) [p - 1, p, p + 1].forEach((q) => candidates.add(q));
    await Promise.all(
      [...candidates].map(async (port) => {
        const url = `http://127.0.0.1:${port}/v1`;
        const byFetch = await fetch(url, { signal: AbortSignal.timeout(2000) }).then(
          () => false,
          (error: Error & { cause?: Error }) => error.cause?.message === 'bad port',
        );
        const byConfig = problemsOf({ ...valid, source: { ...valid.source, url } }).some((p) => p.includes(`port ${port} is one fetch never connects to`));
        expect(byConfig, `port ${port}`).toBe(byFetch);
        (byConfig ? refused : accepted).push(port);
      }),
    );
    expect(refused).toContain(6000);
    expect(accepted).toContain(8080);
  });

  it('applies the documented defaults from the named constants', () => {
    const config = parseConfig(valid);
    expect(config.source.timeoutSeconds).toBe(DEFAULTS.requestTimeoutSeconds);
    expect(config.source.recordsPath).toBe('');
    expect(config.retry).toEqual({
      maxAttempts: DEFAULTS.retryMaxAttempts,
      intervalSeconds: DEFAULTS.retryIntervalSeconds,
      backoffRate: DEFAULTS.retryBackoffRate,
      maxDelaySeconds: DEFAULTS.retryMaxDelaySeconds,
    });
    expect(config.storage.rawInfrequentAccessAfterDays).toBe(30);
    expect(config.crawler.schedule).toBe(DEFAULTS.crawlerSchedule);
    expect(secretNameOf(config.source)).toBe('api-lake/weather/api-key');
  });

  it('keeps an explicit 0 retries instead of replacing it with the default', () => {
    expect(parseConfig({ ...valid, retry: { maxAttempts: 0 } }).retry.maxAttempts).toBe(0);
  });

  it('refuses plain http except on loopback hosts', () => {
    const withUrl = (url: string) => ({ ...valid, source: { ...valid.source, url } });
    expect(problems(withUrl('http://api.weatherapi.com/v1/current.json'))).toEqual([
      'source.url: must be an https URL (plain http is allowed only for loopback hosts: the API key must never travel unencrypted)',
    ]);
    for (const url of ['http://127.0.0.1:8080/x', 'http://localhost/x', 'http://[::1]:8/x', 'http://127.3.4.5/x']) {
      expect(parseConfig(withUrl(url)).source.url).toBe(url);
    }
    expect(problems(withUrl('not a url'))[0]).toMatch(/^source\.url: must be an absolute https URL/);
  });

  it('reports every problem at once, each with its path', () => {
    const found = problems({
      source: { name: 'Weather!', url: 'ftp://x', auth: { in: 'cookie' }, colour: 'blue' },
      schedule: 'every hour',
      retry: { maxAttempts: -1 },
    });
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^source\.name: must be lowercase/),
        expect.stringMatching(/^source\.url: must be an https URL/),
        expect.stringMatching(/^source\.auth\.in: /),
        'source: unknown field "colour" (remove or fix the spelling)',
        'table: is required',
        expect.stringMatching(/^schedule: must be an EventBridge schedule expression/),
        expect.stringMatching(/^retry\.maxAttempts: /),
      ]),
    );
    expect(found).toHaveLength(7);
  });

  it('reports a header auth without its name, and an unknown column type', () => {
    const found = problems({ ...valid, source: { ...valid.source, auth: { in: 'header' }, columns: { a: 'int' } } });
    expect(found).toEqual([expect.stringMatching(/^source\.auth\.name: is required/), expect.stringMatching(/^source\.columns\.a: /)]);
  });

  it('keeps the request timeout small enough for the Fetch Lambda timeout to stay under 900 s', () => {
    const withTimeout = (timeoutSeconds: number) => ({ ...valid, source: { ...valid.source, timeoutSeconds } });
    expect(parseConfig(withTimeout(MAX_REQUEST_TIMEOUT_SECONDS)).source.timeoutSeconds).toBe(400);
    expect(problems(withTimeout(401))).toEqual(['source.timeoutSeconds: must be at most 400']);
    expect(fetchTimeoutSeconds(parseConfig(withTimeout(MAX_REQUEST_TIMEOUT_SECONDS)))).toBeLessThanOrEqual(900);
  });

  it('refuses a declared column named like a partition key, saying which name to declare', () => {
    expect(problems({ ...valid, source: { ...valid.source, columns: { dt: 'timestamp' } } })).toEqual([
      'source.columns.dt: dt and hour are the partition keys: a field of that name is stored as source_dt / source_hour, so declare that name',
    ]);
  });

  it('names the file and the JSON error for text that is not JSON', () => {
    expect(() => parseConfigText('{"source": ', 'my.json')).toThrow('Invalid my.json:\n  - line 1, column 12: not valid JSON: unexpected end of JSON input');
  });

  it('gives the line and column of a JSON error, also where Node names no position, on one line', () => {
    const problem = (text: string) => {
      try {
        parseConfigText(text, 'my.json');
      } catch (error) {
        return (error as ConfigError).problems;
      }
    };
    expect(problem('{\n  "table": "weather"\n  "schedule": "x"\n}')).toEqual(["line 3, column 3: not valid JSON: expected ',' or '}' after property value"]);
    expect(problem('{\n  "retry": {"maxAttempts": tru}\n}')).toEqual(["line 2, column 31: not valid JSON: unexpected token '}'"]);
    expect(problem('{\n  "table": "w😀ather", "x": [1,, 2]\n}')).toEqual(["line 2, column 31: not valid JSON: unexpected token ','"]);
    expect(problem('{\n  "table": tru\n}')).toEqual(["line 2, column 15: not valid JSON: unexpected token '\\n'"]);
  });

  it('places every JSON error where JSON.parse does, when it says where (edits of random JSON)', () => {
    const edited = fc
      .tuple(fc.json({ maxDepth: 3 }), fc.nat(), fc.constantFrom('', ',', '}', ']', '{', '"', ':', 'x', '\\', '\n', '0', '-', '.', 'e', 't'), fc.boolean())
      .map(([json, at, char, replace]) => json.slice(0, at % (json.length + 1)) + char + json.slice((at % (json.length + 1)) + (replace ? 1 : 0)));
    let placed = 0;
    fc.assert(
      fc.property(edited, (text) => {
        let position: number | undefined;
        try {
          JSON.parse(text);
          return;
        } catch (error) {
          position = Number(/at position (\d+)/.exec((error as Error).message)?.[1] ?? NaN);
        }
        if (Number.isNaN(position)) return;
        const lines = text.slice(0, position).split('\n');
        expect(() => parseConfigText(text, 'my.json')).toThrow(`line ${lines.length}, column ${[...lines.at(-1)!].length + 1}: not valid JSON: `);
        placed++;
      }),
      { numRuns: 500 },
    );
    expect(placed).toBeGreaterThan(100);
  });

  it('words type errors in JSON terms, with the right article, and strict bounds as strict', () => {
    expect(problems({ ...valid, source: 'weather' })).toEqual(['source: must be an object, got "weather"']);
    expect(problems({ ...valid, retry: [] })).toEqual(['retry: must be an object, got []']);
    expect(problems({ ...valid, source: { ...valid.source, params: ['q'] } })).toEqual(['source.params: must be an object, got ["q"]']);
    expect(problems({ ...valid, retry: { maxAttempts: 1.5 } })).toEqual(['retry.maxAttempts: must be an integer, got 1.5']);
    expect(problems({ ...valid, table: 5 })).toEqual(['table: must be a string, got 5']);
    expect(problems({ pipelines: {} })).toEqual(['pipelines: must be an array, got {}']);
    expect(problems({ ...valid, source: { ...valid.source, rateLimit: { requestsPerSecond: 0 } } })).toEqual(['source.rateLimit.requestsPerSecond: must be more than 0']);
    expect(problems({ ...valid, table: { long: 'x'.repeat(100) } })).toEqual([`table: must be a string, got {"long":"${'x'.repeat(28)}...`]);
  });

  it('never writes "a" before a vowel in any problem of a config wrong everywhere', () => {
    const wrong = (value: unknown) => ({
      stackName: value,
      name: value,
      source: { name: value, url: value, params: value, headers: value, auth: value, recordsPath: value, columns: value, timeoutSeconds: value, pagination: value, fanOut: value, rateLimit: value },
      table: value,
      schedule: value,
      retry: value,
      lambda: value,
      storage: value,
      catalog: value,
      crawler: value,
      alerts: value,
    });
    const found = [1, 'x', [], {}, true, null, -1, 0.5].flatMap((value) => problems(wrong(value)));
    expect(found.length).toBeGreaterThan(50);
    expect(found.filter((p) => /\ba [aeio]/i.test(p.replace(/got .*$/, '')))).toEqual([]);
  });
});
