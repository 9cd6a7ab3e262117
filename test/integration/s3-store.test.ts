import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AwsHttpClient, type AwsHttpOptions } from '../../src/adapters/aws/aws-http.js';
import { S3ObjectStore } from '../../src/adapters/aws/s3-store.js';
import { ObjectNotFoundError, StoreRequestError, StoreUnavailableError } from '../../src/core/errors.js';
import { startS3Server } from '../helpers/s3-server.js';
import { failureOf } from '../helpers/errors.js';

let s3: Awaited<ReturnType<typeof startS3Server>>;
beforeAll(async () => {
  s3 = await startS3Server(['raw-zone']);
});
afterAll(async () => s3?.stop());

/** A store on the s3rver, signing as its account; s3rver checks every SigV4 signature. */
function s3rverStore(options: Partial<AwsHttpOptions> = {}, endpoint = s3.endpoint) {
  const http = new AwsHttpClient({ service: 's3', region: 'us-east-1', credentials: () => ({ accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }), ...options });
  return new S3ObjectStore(http, 'raw-zone', endpoint);
}

describe('S3ObjectStore against an S3-compatible server on 127.0.0.1', () => {
  it('stores bytes exactly as given, with content type and metadata', async () => {
    // Prepare: a body whose re-encoding would change it (spacing, 1.0)
    const store = s3rverStore();
    const body = new TextEncoder().encode('{ "pressure_mb": 1015.0,\n  "name": "Healesville" }');
    const key = 'weather/dt=2026-11-25/hour=18/weather_20261125T18Z.json';
    // Act
    await store.put(key, body, { contentType: 'application/json', metadata: { source: 'weather', 'scheduled-hour': '2026-11-25T18:00:00.000Z' } });
    const stored = await store.get(key);
    // Assess: read back by our store and by the AWS SDK
    expect(Buffer.from(stored.body).equals(Buffer.from(body))).toBe(true);
    expect(stored.contentType).toBe('application/json');
    expect(stored.metadata).toEqual({ source: 'weather', 'scheduled-hour': '2026-11-25T18:00:00.000Z' });
    const viaSdk = await s3.client.send(new GetObjectCommand({ Bucket: 'raw-zone', Key: key }));
    expect(Buffer.from(await viaSdk.Body!.transformToByteArray()).equals(Buffer.from(body))).toBe(true);
    expect(viaSdk.Metadata).toEqual({ source: 'weather', 'scheduled-hour': '2026-11-25T18:00:00.000Z' });
  });

  it('signs keys with characters that must be percent-encoded', async () => {
    const store = s3rverStore();
    for (const key of ['a b/c+d=e&f?g#h', "it's (1)!*/é ü/x~y.json", 'weather/dt=2026-11-25/hour=00/w.json']) {
      await store.put(key, new TextEncoder().encode(key), { contentType: 'text/plain' });
      expect(new TextDecoder().decode((await store.get(key)).body)).toBe(key);
      const viaSdk = await s3.client.send(new GetObjectCommand({ Bucket: 'raw-zone', Key: key }));
      expect(await viaSdk.Body!.transformToString()).toBe(key);
    }
  });

  it('round-trips a multi-MB object byte for byte and overwrites on a rerun', async () => {
    const store = s3rverStore();
    const first = randomBytes(6 * 1024 * 1024);
    const second = randomBytes(3 * 1024 * 1024);
    await store.put('big/object.bin', first, { contentType: 'application/octet-stream' });
    expect(Buffer.from((await store.get('big/object.bin')).body).equals(first)).toBe(true);
    await store.put('big/object.bin', second, { contentType: 'application/octet-stream' });
    expect(Buffer.from((await store.get('big/object.bin')).body).equals(second)).toBe(true);
  });

  it('lists the keys under a prefix, in key order, as S3 returns them', async () => {
    const store = s3rverStore();
    for (const key of ['list/b.json', 'list/a b+c.json', 'list/sub/x.json', 'other/y.json']) await store.put(key, new Uint8Array([1]), { contentType: 'application/json' });
    expect(await store.list('list/')).toEqual(['list/a b+c.json', 'list/b.json', 'list/sub/x.json']);
    expect(await store.list('nothing/')).toEqual([]);
  });

  it('reports a missing object as a terminal error naming it', async () => {
    const store = s3rverStore();
    await expect(store.get('nope.json')).rejects.toThrow(ObjectNotFoundError);
    await expect(store.get('nope.json')).rejects.toThrow(/s3:\/\/raw-zone\/nope.json does not exist/);
  });

  it('is refused with the wrong secret key: a terminal error named by S3 error code', async () => {
    const store = s3rverStore({ credentials: () => ({ accessKeyId: 'S3RVER', secretAccessKey: 'wrong' }) });
    const error = await failureOf(store.put('a.json', new Uint8Array([1]), { contentType: 'application/json' }));
    expect(error).toBeInstanceOf(StoreRequestError);
    expect((error.cause as Error).name).toBe('SignatureDoesNotMatch');
    expect(error.message).toMatch(/^writing s3:\/\/raw-zone\/a.json failed: SignatureDoesNotMatch \(HTTP 403\)/);
  });

  it('classifies an unreachable store as transient (StoreUnavailableError)', async () => {
    // Prepare: a store pointed at a closed port on 127.0.0.1
    const store = s3rverStore({ maxAttempts: 1 }, 'http://127.0.0.1:9');
    // Act
    const error = await failureOf(store.put('a.json', new Uint8Array([1]), { contentType: 'application/json' }));
    // Assess
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect(error.name).toBe('StoreUnavailableError');
    expect(error.message).toMatch(/^writing s3:\/\/raw-zone\/a.json failed: Error: .*ECONNREFUSED/);
  });
});

describe('S3ObjectStore retries and timeouts, against a misbehaving server on 127.0.0.1', () => {
  const servers: Server[] = [];
  afterEach(() => {
    for (const server of servers.splice(0)) {
      server.closeAllConnections();
      server.close();
    }
  });

  async function serve(handle: (req: IncomingMessage, res: ServerResponse, request: number) => void): Promise<{ endpoint: string; requests: () => number }> {
    let requests = 0;
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => handle(req, res, ++requests));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests: () => requests };
  }

  const noWait = { sleep: async () => {} };

  it('retries throttling, 5xx and a timed-out request (400 RequestTimeout), then succeeds', async () => {
    const server = await serve((_req, res, n) => {
      if (n === 1) res.writeHead(503).end('<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>');
      else if (n === 2) res.writeHead(500).end('<Error><Code>InternalError</Code></Error>');
      else if (n === 3) res.writeHead(400).end('<Error><Code>RequestTimeout</Code><Message>Your socket connection to the server was not read from or written to within the timeout period.</Message></Error>');
      else res.writeHead(200, { 'content-type': 'application/json', 'x-amz-meta-source': 'weather' }).end('{"ok":true}');
    });
    const stored = await s3rverStore({ ...noWait, maxAttempts: 4 }, server.endpoint).get('k.json');
    expect(new TextDecoder().decode(stored.body)).toBe('{"ok":true}');
    expect(stored.metadata).toEqual({ source: 'weather' });
    expect(server.requests()).toBe(4);
  });

  it('gives up after three attempts with a transient error that keeps the S3 error code', async () => {
    const server = await serve((_req, res) => res.writeHead(503).end('<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>'));
    const error = await failureOf(s3rverStore(noWait, server.endpoint).put('k.json', new Uint8Array([1]), { contentType: 'application/json' }));
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect(error.message).toBe('writing s3://raw-zone/k.json failed: SlowDown (HTTP 503): Please reduce your request rate.');
    expect(server.requests()).toBe(3);
  });

  it('follows continuation tokens until the listing is complete', async () => {
    const server = await serve((req, res) => {
      const token = new URL(req.url!, 'http://x').searchParams.get('continuation-token');
      const page = (keys: string[], next?: string) =>
        `<ListBucketResult>${keys.map((k) => `<Contents><Key>${k}</Key></Contents>`).join('')}<IsTruncated>${next ? 'true' : 'false'}</IsTruncated>${next ? `<NextContinuationToken>${next}</NextContinuationToken>` : ''}</ListBucketResult>`;
      res.writeHead(200).end(token === null ? page(['p/1', 'p/2'], 'a&amp;b') : token === 'a&b' ? page(['p/3 &amp; 4']) : 'bad token');
    });
    expect(await s3rverStore(noWait, server.endpoint).list('p/')).toEqual(['p/1', 'p/2', 'p/3 & 4']);
    expect(server.requests()).toBe(2);
  });

  it('does not retry a terminal error', async () => {
    const server = await serve((_req, res) => res.writeHead(403).end('<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>'));
    const error = await failureOf(s3rverStore(noWait, server.endpoint).get('k.json'));
    expect(error.name).toBe('StoreRequestError');
    expect(error.message).toBe('reading s3://raw-zone/k.json failed: AccessDenied (HTTP 403): Access Denied');
    expect((error.cause as Error).name).toBe('AccessDenied');
    expect(server.requests()).toBe(1);
  });

  it('times out a silent connection, as transient, and a body cut short is never returned', async () => {
    const silent = await serve(() => {});
    const timedOut = await failureOf(s3rverStore({ ...noWait, idleTimeoutMs: 50, maxAttempts: 2 }, silent.endpoint).get('k.json'));
    expect(timedOut).toBeInstanceOf(StoreUnavailableError);
    expect(timedOut.message).toContain('TimeoutError: no data for 50 ms');
    expect(silent.requests()).toBe(2);

    const cut = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': '10' });
      res.write('12345');
      setTimeout(() => res.destroy(), 10);
    });
    const truncated = await failureOf(s3rverStore({ ...noWait, maxAttempts: 1 }, cut.endpoint).get('k.json'));
    expect(truncated).toBeInstanceOf(StoreUnavailableError);
  });
});
