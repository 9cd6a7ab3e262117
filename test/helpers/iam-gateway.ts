import { createServer, request as forward, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { deniedMessage, type LocalAccess, type RoleSession } from '../../src/cli/twin/iam/access.js';

/** S3's limits on a PUT, as S3 refuses them (400). */
export const S3_MAX_KEY_BYTES = 1024;
export const S3_MAX_METADATA_BYTES = 2000;

export interface IamGateway {
  readonly endpoint: string;
  close(): Promise<void>;
}

/**
 * A gateway on 127.0.0.1 in front of an S3-compatible server (s3rver, path-style), so S3 calls in the
 * integration tests are refused as AWS refuses them: each request is decided against the synthesized
 * stack's IAM for the role its session token names (the token is signed, so it cannot be swapped), a read
 * of a missing key is 403 unless the caller may list the bucket, and keys and metadata over S3's limits
 * are refused. What passes is forwarded unchanged, signature and all.
 */
export async function startIamGateway(target: string, access: LocalAccess, callers: Readonly<Record<string, RoleSession>>): Promise<IamGateway> {
  const upstream = new URL(target);
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://gateway');
    const [, bucket = '', ...rest] = url.pathname.split('/');
    const key = decodeURIComponent(rest.join('/'));
    const reply = (status: number, code: string, message: string) => {
      req.resume();
      res.writeHead(status, { 'content-type': 'application/xml' }).end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${escape(message)}</Message></Error>`);
    };
    const caller = callers[String(req.headers['x-amz-security-token'] ?? '')];
    if (!caller) return reply(403, 'InvalidToken', 'The provided token is malformed or otherwise invalid.');
    const { action, resource, context } = s3Action(req.method ?? 'GET', bucket, key, url.searchParams);
    const decision = access.decide(caller, action, resource, context);
    if (!decision.allowed) return reply(403, 'AccessDenied', deniedMessage(caller, action, resource, decision));
    if (action === 's3:PutObject') {
      if (Buffer.byteLength(key) > S3_MAX_KEY_BYTES) return reply(400, 'KeyTooLongError', 'Your key is too long');
      const metadata = Object.entries(req.headers).filter(([name]) => name.startsWith('x-amz-meta-'));
      const size = metadata.reduce((sum, [name, value]) => sum + Buffer.byteLength(name.slice('x-amz-meta-'.length)) + Buffer.byteLength(String(value)), 0);
      if (size > S3_MAX_METADATA_BYTES) return reply(400, 'MetadataTooLarge', `Your metadata headers exceed the maximum allowed metadata size (${size} bytes).`);
    }
    const out = forward({ hostname: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      const missing = answer.statusCode === 404 && action === 's3:GetObject';
      if (missing && !access.decide(caller, 's3:ListBucket', `arn:aws:s3:::${bucket}`).allowed) {
        answer.resume();
        return reply(403, 'AccessDenied', deniedMessage(caller, 's3:ListBucket', `arn:aws:s3:::${bucket}`, { allowed: false, reason: 'no allow' }));
      }
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    out.on('error', (error) => reply(502, 'BadGateway', error.message));
    req.pipe(out);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The IAM action, resource and context of a path-style S3 request. */
function s3Action(method: string, bucket: string, key: string, query: URLSearchParams): { action: string; resource: string; context: Record<string, string> } {
  if (key === '') {
    const prefix = query.get('prefix');
    return { action: 's3:ListBucket', resource: `arn:aws:s3:::${bucket}`, context: prefix === null ? {} : { 's3:prefix': prefix } };
  }
  const action = method === 'PUT' ? 's3:PutObject' : method === 'DELETE' ? 's3:DeleteObject' : 's3:GetObject';
  return { action, resource: `arn:aws:s3:::${bucket}/${key}`, context: {} };
}

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
