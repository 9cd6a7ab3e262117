import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { deniedMessage, type LocalAccess, type RoleSession } from '../../src/cli/twin/iam/access.js';
import { sigV4Mismatch } from './aws-signature.js';

export interface SecretsManagerStandIn {
  readonly endpoint: string;
  /**
   * The secret's value (undefined: no such secret). `failNext` answers that many requests with 503,
   * `throttleNext` that many with 400 ThrottlingException, as Secrets Manager throttles.
   */
  readonly state: { value: string | undefined; requests: number; failNext: number; throttleNext: number };
  close(): Promise<void>;
}

/**
 * A Secrets Manager on 127.0.0.1 speaking its JSON protocol (GetSecretValue only): it rejects a request
 * whose SigV4 signature the SDK's own signer does not reproduce, or that lacks the session token, and holds
 * one secret whose value can change (rotation) or be missing.
 *
 * With `iam`, each request is decided against the synthesized stack's IAM for the role its session token
 * names, as Secrets Manager decides it: on the secret's ARN (`<name>-<6 characters>`), or, when the secret
 * does not exist, on the ARN its name gives (no suffix), so a role scoped to the secret gets
 * AccessDeniedException, not ResourceNotFoundException.
 */
export async function startSecretsManager(options: {
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  region: string;
  secretName: string;
  value: string | undefined;
  iam?: { access: LocalAccess; callers: Readonly<Record<string, RoleSession>>; secretArn: string };
}): Promise<SecretsManagerStandIn> {
  const state = { value: options.value, requests: 0, failNext: 0, throttleNext: 0 };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      state.requests++;
      const body = Buffer.concat(chunks);
      const reply = (status: number, json: unknown) => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify(json));
      };
      if (state.failNext > 0) {
        state.failNext--;
        return reply(503, { __type: 'ServiceUnavailableException', message: 'try again' });
      }
      if (state.throttleNext > 0) {
        state.throttleNext--;
        return reply(400, { __type: 'ThrottlingException', message: 'Rate exceeded' });
      }
      const mismatch = await sigV4Mismatch(req, body, { ...options.credentials, region: options.region, service: 'secretsmanager' });
      if (mismatch) return reply(400, { __type: 'InvalidSignatureException', message: mismatch });
      if (req.headers['x-amz-target'] !== 'secretsmanager.GetSecretValue') return reply(400, { __type: 'UnknownOperationException' });
      const token = String(req.headers['x-amz-security-token'] ?? '');
      const caller = options.iam?.callers[token];
      if (options.iam ? !caller : token !== options.credentials.sessionToken) return reply(400, { __type: 'UnrecognizedClientException' });
      const { SecretId } = JSON.parse(body.toString()) as { SecretId: string };
      if (options.iam && caller) {
        const exists = SecretId === options.secretName && state.value !== undefined;
        const resource = exists ? options.iam.secretArn : options.iam.secretArn.replace(/-[A-Za-z0-9]{6}$/, '').replace(options.secretName, SecretId);
        const decision = options.iam.access.decide(caller, 'secretsmanager:GetSecretValue', resource);
        if (!decision.allowed) return reply(400, { __type: 'AccessDeniedException', Message: deniedMessage(caller, 'secretsmanager:GetSecretValue', resource, decision) });
      }
      if (SecretId !== options.secretName || state.value === undefined) {
        return reply(400, { __type: 'ResourceNotFoundException', Message: 'Secrets Manager can’t find the specified secret.' });
      }
      return reply(200, { Name: options.secretName, SecretString: state.value });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    state,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
