import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { AwsHttpClient, credentialsFromEnv, dnsSuffix, endpointOverride, errorOf, secretsManagerEndpoint, type AwsHttpOptions } from '../../src/adapters/aws/aws-http.js';
import { sigV4Mismatch } from '../helpers/aws-signature.js';

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken: 'token/with+slash=' };

interface Seen {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: Buffer;
  /** Why the signature does not match, re-signed by the SDK's signer; undefined when it does. */
  readonly mismatch: string | undefined;
}

/** A server on 127.0.0.1 that answers with `answer(n)` for the n-th request (from 0) and keeps what it saw. */
async function server(answer: (n: number, res: ServerResponse) => void, service = 's3') {
  const seen: Seen[] = [];
  const sockets = new Set<Socket>();
  const s: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      void sigV4Mismatch(req, body, { ...credentials, region: 'eu-west-1', service }).then((mismatch) => {
        seen.push({ method: req.method!, url: req.url!, headers: req.headers, body, mismatch });
        answer(seen.length - 1, res);
      });
    });
  });
  s.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  servers.push({ s, sockets });
  return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`, seen };
}
const servers: { s: Server; sockets: Set<Socket> }[] = [];
afterEach(async () => {
  for (const { s, sockets } of servers.splice(0)) {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => s.close(resolve));
  }
});

/** A client whose back-off sleeps are recorded, not slept; random() = 1 makes the jitter its upper bound. */
function client(options: Partial<AwsHttpOptions> = {}) {
  const sleeps: number[] = [];
  const http = new AwsHttpClient({
    service: 's3',
    region: 'eu-west-1',
    credentials: () => credentials,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 1,
    ...options,
  });
  return { http, sleeps };
}

const reply = (status: number, body = '', headers: Record<string, string> = {}) => (_: number, res: ServerResponse) => res.writeHead(status, headers).end(body);
const xmlError = (code: string, message = '') => `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`;

describe('AwsHttpClient signing', () => {
  it('signs GET and PUT requests so that the SDK signer, re-signing them, agrees; the body hash is signed for S3', async () => {
    const { url, seen } = await server(reply(200, 'ok'));
    const { http } = client();
    const got = await http.send({ method: 'GET', url: `${url}/bucket/raw/a%20b/%C3%A9.json?versionId=x%2By&list-type=2` });
    const body = new TextEncoder().encode('{"é": 1}');
    await http.send({ method: 'PUT', url: `${url}/bucket/k.json`, body, headers: { 'content-type': 'application/json', 'x-amz-meta-source': 'w' } });
    expect(new TextDecoder().decode(got.body)).toBe('ok');
    expect(seen.map((s) => s.mismatch)).toEqual([undefined, undefined]);
    expect(seen[1]!.headers['x-amz-content-sha256']).toBe(createHash('sha256').update(body).digest('hex'));
    expect(seen[1]!.body.equals(Buffer.from(body))).toBe(true);
    expect(seen[0]!.headers['x-amz-security-token']).toBe(credentials.sessionToken);
    expect(seen[1]!.headers.authorization).toContain('x-amz-meta-source'); // metadata is signed, so it cannot be altered on the way
  });

  it('signs a JSON protocol POST for Secrets Manager, and a wrong secret key is told apart', async () => {
    const { url, seen } = await server(reply(200, '{}'), 'secretsmanager');
    const json = { method: 'POST' as const, url: `${url}/`, body: '{"SecretId":"s"}', headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'secretsmanager.GetSecretValue' } };
    await client({ service: 'secretsmanager' }).http.send(json);
    await client({ service: 'secretsmanager', credentials: () => ({ ...credentials, secretAccessKey: 'wrong' }) }).http.send(json);
    expect(seen[0]!.mismatch).toBeUndefined();
    expect(seen[1]!.mismatch).toMatch(/does not match/);
  });

  it('fetches credentials for every attempt, so refreshed role credentials are used', async () => {
    const { url, seen } = await server((n, res) => res.writeHead(n === 0 ? 500 : 200).end());
    let calls = 0;
    await client({ credentials: () => ({ ...credentials, sessionToken: `t${++calls}` }) }).http.send({ method: 'GET', url: `${url}/b/k` });
    expect(seen.map((s) => s.headers['x-amz-security-token'])).toEqual(['t1', 't2']);
  });
});

describe('AwsHttpClient retries', () => {
  it.each([
    ['500', reply(500, xmlError('InternalError'))],
    ['503 SlowDown', reply(503, xmlError('SlowDown', 'Please reduce your request rate.'))],
    ['429', reply(429)],
    ['400 RequestTimeout (S3)', reply(400, xmlError('RequestTimeout'))],
    ['400 ThrottlingException (JSON)', reply(400, '{"__type":"com.amazonaws#ThrottlingException","message":"Rate exceeded"}')],
    ['400 with the code in x-amzn-errortype', reply(400, '{}', { 'x-amzn-errortype': 'TooManyRequestsException:http://internal' })],
  ])('retries %s three attempts in all, backing off with full jitter, and returns the last response', async (_, answer) => {
    const { url, seen } = await server(answer);
    const { http, sleeps } = client();
    const response = await http.send({ method: 'GET', url: `${url}/b/k` });
    expect(seen).toHaveLength(3);
    expect(sleeps).toEqual([200, 400]); // random() = 1: the cap of each back-off, 100 ms doubling
    expect(errorOf(response, 'GetObject').transient).toBe(true);
  });

  it('backs off by a random fraction of the cap, never more than 20 s', async () => {
    const { url } = await server(reply(503));
    const { http, sleeps } = client({ maxAttempts: 12, random: () => 0.5 });
    await http.send({ method: 'GET', url: `${url}/b/k` });
    expect(sleeps).toEqual([100, 200, 400, 800, 1600, 3200, 6400, 10_000, 10_000, 10_000, 10_000]);
  });

  it.each([
    ['403 AccessDenied', 403, xmlError('AccessDenied', 'User: arn:aws:sts::1:assumed-role/r is not authorized to perform: s3:GetObject on resource: &quot;arn:aws:s3:::b/k&quot;')],
    ['404 NoSuchKey', 404, xmlError('NoSuchKey')],
    ['400 ValidationException', 400, '{"__type":"ValidationException","message":"bad"}'],
    ['400 InvalidArgument', 400, xmlError('InvalidArgument')],
  ])('does not retry %s', async (_, status, body) => {
    const { url, seen } = await server(reply(status, body));
    const { http, sleeps } = client();
    const response = await http.send({ method: 'GET', url: `${url}/b/k` });
    expect([seen.length, sleeps.length, response.status]).toEqual([1, 0, status]);
  });

  it('retries a refused connection and throws its error when every attempt failed', async () => {
    const { url } = await server(reply(200));
    const closed = url; // the port is free again once the server is closed
    for (const { s, sockets } of servers.splice(0)) {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => s.close(resolve));
    }
    const { http, sleeps } = client();
    await expect(http.send({ method: 'GET', url: `${closed}/b/k` })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(sleeps).toHaveLength(2);
  });

  it('fails an attempt on a silent connection as a TimeoutError, and retries it', async () => {
    const { url, seen } = await server((n, res) => (n < 2 ? undefined : res.writeHead(200).end('late but fine'))); // the first two never answer
    const { http } = client({ idleTimeoutMs: 100 });
    const response = await http.send({ method: 'GET', url: `${url}/b/k` });
    expect(new TextDecoder().decode(response.body)).toBe('late but fine');
    expect(seen).toHaveLength(3);
    const { http: once } = client({ idleTimeoutMs: 100, maxAttempts: 1 });
    const silent = await server(() => undefined);
    await expect(once.send({ method: 'GET', url: `${silent.url}/b/k` })).rejects.toMatchObject({ name: 'TimeoutError' });
  });

  it('fails a body shorter than its Content-Length, and retries it', async () => {
    const { url, seen } = await server((n, res) => {
      if (n === 0) {
        res.writeHead(200, { 'content-length': '10' });
        res.write('12345');
        res.socket?.destroy();
      } else res.writeHead(200, { 'content-length': '10' }).end('1234567890');
    });
    const response = await client().http.send({ method: 'GET', url: `${url}/b/k` });
    expect([seen.length, new TextDecoder().decode(response.body)]).toEqual([2, '1234567890']);
  });

  it('abandons the request in flight when the time budget runs out, and makes no other', async () => {
    const { url, seen } = await server(() => undefined);
    const { http, sleeps } = client();
    const budget = new AbortController();
    const sent = http.send({ method: 'GET', url: `${url}/b/k` }, { signal: budget.signal });
    while (seen.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    budget.abort(new Error('budget'));
    await expect(sent).rejects.toMatchObject({ name: 'TimeoutError', message: expect.stringMatching(/time budget ran out/) });
    expect([seen.length, sleeps.length]).toEqual([1, 0]);
    await expect(http.send({ method: 'GET', url: `${url}/b/k` }, { signal: budget.signal })).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(seen).toHaveLength(1); // an aborted budget sends nothing
  });
});

describe('errorOf', () => {
  const response = (status: number, body: string, headers: Record<string, string> = {}) => ({ status, headers, body: new TextEncoder().encode(body) });

  it("names S3's XML error by its code, with the message's XML entities unescaped", () => {
    const error = errorOf(response(403, xmlError('AccessDenied', 'not authorized on resource: &quot;arn:aws:s3:::b/k&quot; &amp; &lt;more&gt;')), 'GetObject raw/k');
    expect(error.name).toBe('AccessDenied');
    expect(error.message).toBe('GetObject raw/k failed: AccessDenied (HTTP 403): not authorized on resource: "arn:aws:s3:::b/k" & <more>');
    expect([error.status, error.transient]).toEqual([403, false]);
  });

  it('names a JSON protocol error by __type without its namespace, or by the x-amzn-errortype header', () => {
    expect(errorOf(response(400, '{"__type":"com.amazonaws.secretsmanager#ResourceNotFoundException","Message":"no such secret"}'), 'GetSecretValue').message).toBe(
      'GetSecretValue failed: ResourceNotFoundException (HTTP 400): no such secret',
    );
    expect(errorOf(response(400, '{"message":"m"}', { 'x-amzn-errortype': 'AccessDeniedException:http://internal.amazon.com/' }), 'x').name).toBe('AccessDeniedException');
  });

  it('names a response without a readable error by its status', () => {
    expect(errorOf(response(404, ''), 'HeadObject').name).toBe('NotFound');
    expect(errorOf(response(502, '<html>Bad gateway</html>'), 'x')).toMatchObject({ name: 'Http502', transient: true });
    expect(errorOf(response(400, '{not json'), 'x')).toMatchObject({ name: 'Http400', transient: false });
  });
});

describe('configuration from the environment', () => {
  it('takes the service override before the general one, without a trailing slash', () => {
    expect(endpointOverride('S3', { AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:1/', AWS_ENDPOINT_URL: 'http://other' })).toBe('http://127.0.0.1:1');
    expect(endpointOverride('SECRETS_MANAGER', { AWS_ENDPOINT_URL: 'http://other//' })).toBe('http://other');
    expect(endpointOverride('S3', {})).toBeUndefined();
    expect(secretsManagerEndpoint('cn-north-1', {})).toBe('https://secretsmanager.cn-north-1.amazonaws.com.cn');
    expect(dnsSuffix('us-gov-west-1')).toBe('amazonaws.com');
  });

  it('reads the role credentials Lambda sets, and names what is missing', () => {
    expect(credentialsFromEnv({ AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b', AWS_SESSION_TOKEN: '' })).toEqual({ accessKeyId: 'a', secretAccessKey: 'b', sessionToken: undefined });
    expect(() => credentialsFromEnv({ AWS_ACCESS_KEY_ID: 'a' })).toThrow(expect.objectContaining({ name: 'CredentialsMissing', message: expect.stringMatching(/AWS_SECRET_ACCESS_KEY/) }));
  });
});
