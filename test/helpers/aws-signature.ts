import type { IncomingMessage } from 'node:http';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';

/**
 * Checks a request's SigV4 Authorization header by signing the same request again with the AWS SDK's own
 * signer (@smithy/signature-v4), an implementation independent of the one under test. Returns why it does
 * not match, or undefined when it does.
 */
export async function sigV4Mismatch(
  req: IncomingMessage,
  body: Buffer,
  expected: { accessKeyId: string; secretAccessKey: string; region: string; service: string },
): Promise<string | undefined> {
  const authorization = req.headers.authorization ?? '';
  const match = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(authorization);
  if (!match) return `malformed Authorization header: ${authorization}`;
  const [, accessKeyId, , region, service, signedHeaders, signature] = match;
  if (accessKeyId !== expected.accessKeyId || region !== expected.region || service !== expected.service) {
    return `credential scope ${accessKeyId}/${region}/${service}, expected ${expected.accessKeyId}/${expected.region}/${expected.service}`;
  }
  const amzDate = String(req.headers['x-amz-date'] ?? '');
  const signingDate = new Date(`${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`);
  if (Number.isNaN(signingDate.getTime())) return `bad x-amz-date ${amzDate}`;
  const headers: Record<string, string> = {};
  for (const name of signedHeaders!.split(';')) headers[name] = String(req.headers[name] ?? '');
  const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
  const signer = new SignatureV4({
    credentials: { accessKeyId: expected.accessKeyId, secretAccessKey: expected.secretAccessKey, sessionToken: headers['x-amz-security-token'] },
    region: expected.region,
    service: expected.service,
    sha256: Sha256,
    uriEscapePath: expected.service !== 's3',
    applyChecksum: false, // sign exactly the headers the request signed
  });
  const resigned = await signer.sign(
    {
      method: req.method ?? 'GET',
      protocol: 'http:',
      hostname: url.hostname,
      port: url.port ? Number(url.port) : undefined,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers,
      body,
    },
    { signingDate },
  );
  const expectedSignature = /Signature=([0-9a-f]{64})/.exec(String(resigned.headers.authorization))?.[1];
  return expectedSignature === signature ? undefined : `signature ${signature} does not match ${expectedSignature}`;
}
