import { ResponseTooLargeError } from '../../core/errors.js';
import type { HttpClient } from '../../core/ports.js';

/**
 * The default HTTP port on the platform `fetch`: request timeout, no redirects, and a body limit
 * enforced while reading (a response over the limit is refused before it fills memory).
 */
export const fetchHttpClient: HttpClient = async (request) => {
  // One controller with a timer of our own: a signal made by AbortSignal.any() from AbortSignal.timeout() can be
  // garbage-collected with its timer before it fires (Node 20), and the request then has no timeout at all.
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DOMException(`no answer within ${request.timeoutMs} ms`, 'TimeoutError')), request.timeoutMs);
  const onBudgetEnd = () => controller.abort(request.signal?.reason);
  if (request.signal?.aborted) onBudgetEnd();
  request.signal?.addEventListener('abort', onBudgetEnd, { once: true });
  try {
    return await send(request, controller.signal);
  } finally {
    clearTimeout(timer);
    request.signal?.removeEventListener('abort', onBudgetEnd);
  }
};

async function send(request: Parameters<HttpClient>[0], signal: AbortSignal): ReturnType<HttpClient> {
  const response = await fetch(request.url, { headers: request.headers, redirect: 'manual', signal });
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > request.maxBytes) {
    await response.body?.cancel();
    throw new ResponseTooLargeError(`the response declares ${declared} bytes, over source.maxResponseBytes (${request.maxBytes})`);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (response.body) {
    for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
      size += chunk.byteLength;
      if (size > request.maxBytes) {
        throw new ResponseTooLargeError(`the response is larger than source.maxResponseBytes (${request.maxBytes} bytes)`);
      }
      chunks.push(chunk);
    }
  }
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { status: response.status, header: (name) => response.headers.get(name), body };
}
