import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { deniedMessage, type LocalAccess, type RoleSession } from '../../src/cli/twin/iam/access.js';
import { sigV4Mismatch } from './aws-signature.js';

export interface SecretsManagerState {
  /** The value of the secret named in the options (undefined: no such secret). */
  value: string | undefined;
  /** Every secret by name; a deleted one keeps its value with the recovery window it was given. */
  readonly secrets: Map<string, { value: string; deletedWithWindowDays?: number }>;
  requests: number;
  /** Answer that many requests with 503. */
  failNext: number;
  /** Answer that many requests with 400 ThrottlingException, as Secrets Manager throttles. */
  throttleNext: number;
  /** The operations called, in order, with the secret they named: `DeleteSecret api-lake/x/api-key`. */
  readonly calls: string[];
}

export interface SecretsManagerStandIn {
  readonly endpoint: string;
  readonly state: SecretsManagerState;
  close(): Promise<void>;
}

const MARKED_FOR_DELETION = { __type: 'InvalidRequestException', Message: "You can't perform this operation on the secret because it was marked for deletion." };
const NOT_FOUND = { __type: 'ResourceNotFoundException', Message: 'Secrets Manager can’t find the specified secret.' };

/**
 * A Secrets Manager on 127.0.0.1 speaking its JSON protocol (GetSecretValue, CreateSecret, PutSecretValue,
 * DeleteSecret, RestoreSecret; a secret scheduled for deletion refuses changes as Secrets Manager does): it rejects a request whose SigV4 signature the SDK's own signer does not reproduce, or that
 * lacks the session token, and holds secrets whose values can change (rotation) or be missing.
 *
 * With `iam`, each GetSecretValue is decided against the synthesized stack's IAM for the role its session
 * token names, as Secrets Manager decides it: on the secret's ARN (`<name>-<6 characters>`), or, when the
 * secret does not exist, on the ARN its name gives (no suffix), so a role scoped to the secret gets
 * AccessDeniedException, not ResourceNotFoundException.
 */
export async function startSecretsManager(options: {
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  region: string;
  secretName: string;
  value: string | undefined;
  iam?: { access: LocalAccess; callers: Readonly<Record<string, RoleSession>>; secretArn: string };
}): Promise<SecretsManagerStandIn> {
  const secrets = new Map<string, { value: string; deletedWithWindowDays?: number }>();
  const live = (name: string) => {
    const secret = secrets.get(name);
    return secret && secret.deletedWithWindowDays === undefined ? secret : undefined;
  };
  const state: SecretsManagerState = {
    get value() {
      return live(options.secretName)?.value;
    },
    set value(value: string | undefined) {
      if (value === undefined) secrets.delete(options.secretName);
      else secrets.set(options.secretName, { value });
    },
    secrets,
    requests: 0,
    failNext: 0,
    throttleNext: 0,
    calls: [],
  };
  state.value = options.value;
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
      const token = String(req.headers['x-amz-security-token'] ?? '');
      const caller = options.iam?.callers[token];
      if (options.iam ? !caller : token !== (options.credentials.sessionToken ?? '')) return reply(400, { __type: 'UnrecognizedClientException' });
      const operation = String(req.headers['x-amz-target'] ?? '').replace(/^secretsmanager\./, '');
      const input = JSON.parse(body.toString()) as { SecretId?: string; Name?: string; SecretString?: string; RecoveryWindowInDays?: number };
      const name = input.SecretId ?? input.Name ?? '';
      state.calls.push(`${operation} ${name}`);
      switch (operation) {
        case 'GetSecretValue': {
          if (options.iam && caller) {
            const resource = live(name) ? options.iam.secretArn.replace(options.secretName, name) : options.iam.secretArn.replace(/-[A-Za-z0-9]{6}$/, '').replace(options.secretName, name);
            const decision = options.iam.access.decide(caller, 'secretsmanager:GetSecretValue', resource);
            if (!decision.allowed) return reply(400, { __type: 'AccessDeniedException', Message: deniedMessage(caller, 'secretsmanager:GetSecretValue', resource, decision) });
          }
          const secret = live(name);
          return secret ? reply(200, { Name: name, SecretString: secret.value }) : reply(400, NOT_FOUND);
        }
        case 'PutSecretValue': {
          if (secrets.get(name)?.deletedWithWindowDays !== undefined) return reply(400, MARKED_FOR_DELETION);
          const secret = live(name);
          if (!secret) return reply(400, NOT_FOUND);
          secret.value = input.SecretString ?? '';
          return reply(200, { Name: name });
        }
        case 'RestoreSecret': {
          const secret = secrets.get(name);
          if (!secret) return reply(400, NOT_FOUND);
          delete secret.deletedWithWindowDays;
          return reply(200, { Name: name });
        }
        case 'CreateSecret':
          if (secrets.get(name)?.deletedWithWindowDays !== undefined) {
            return reply(400, { __type: 'InvalidRequestException', Message: "You can't create this secret because a secret with this name is already scheduled for deletion." });
          }
          if (secrets.has(name)) return reply(400, { __type: 'ResourceExistsException', Message: `The operation failed because the secret ${name} already exists.` });
          secrets.set(name, { value: input.SecretString ?? '' });
          return reply(200, { Name: name });
        case 'DeleteSecret': {
          const secret = live(name);
          if (!secret) return reply(400, NOT_FOUND);
          secret.deletedWithWindowDays = input.RecoveryWindowInDays ?? 30;
          return reply(200, { Name: name });
        }
        default:
          return reply(400, { __type: 'UnknownOperationException' });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    state,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
