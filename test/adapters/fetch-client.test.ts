import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchHttpClient } from '../../src/adapters/http/fetch-client.js';

let server: Server;
let url = '';
beforeAll(async () => {
  server = createServer((req, res) => {
    const delay = Number(new URL(req.url!, 'http://x').searchParams.get('delay') ?? 0);
    setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'), delay);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(() => {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(resolve));
});

const request = (delay: number, timeoutMs: number, signal?: AbortSignal) => fetchHttpClient({ url: `${url}?delay=${delay}`, headers: {}, timeoutMs, maxBytes: 1000, signal });

describe('fetchHttpClient', () => {
  it('ends a request at its timeout, also when the step budget signal is given, and after a collection', async () => {
    const budget = new AbortController();
    const started = performance.now();
    const pending = request(2000, 150, budget.signal);
    (globalThis as { gc?: () => void }).gc?.(); // with --expose-gc: a timer held only weakly would be gone now
    await expect(pending).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(performance.now() - started).toBeLessThan(1500);
  });

  it('ends a request when the step budget runs out first, as a timeout', async () => {
    const budget = new AbortController();
    setTimeout(() => budget.abort(new DOMException('budget', 'TimeoutError')), 50);
    await expect(request(2000, 5000, budget.signal)).rejects.toMatchObject({ name: 'TimeoutError' });
    const spent = AbortSignal.abort(new DOMException('spent', 'TimeoutError'));
    await expect(request(0, 5000, spent)).rejects.toMatchObject({ name: 'TimeoutError' });
  });

  it('answers in time with the body, and leaves no timer behind to fire later', async () => {
    const response = await request(10, 1000, new AbortController().signal);
    expect([response.status, new TextDecoder().decode(response.body)]).toEqual([200, '{"ok":true}']);
  });
});
