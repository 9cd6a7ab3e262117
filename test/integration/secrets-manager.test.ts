import { afterEach, describe, expect, it } from 'vitest';
import { AwsHttpClient } from '../../src/adapters/aws/aws-http.js';
import { apiKeyFromSecretString, SECRET_CACHE_MAX_AGE_MS, SecretsManagerStore } from '../../src/adapters/aws/secrets-manager.js';
import { SecretUnavailableError } from '../../src/core/errors.js';
import { failureOf } from '../helpers/errors.js';
import { startSecretsManager, type SecretsManagerStandIn } from '../helpers/secrets-manager-server.js';

const CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken: 'session-token-example' };
const SECRET_NAME = 'api-lake/weather/api-key';

const servers: SecretsManagerStandIn[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function secretsManager(value: string | undefined) {
  const server = await startSecretsManager({ credentials: CREDENTIALS, region: 'eu-west-1', secretName: SECRET_NAME, value });
  servers.push(server);
  return server;
}

function storeFor(endpoint: string, options: { now?: () => number; secretAccessKey?: string } = {}) {
  const http = new AwsHttpClient({
    service: 'secretsmanager',
    region: 'eu-west-1',
    credentials: () => ({ ...CREDENTIALS, secretAccessKey: options.secretAccessKey ?? CREDENTIALS.secretAccessKey }),
    sleep: async () => {},
  });
  return new SecretsManagerStore(http, endpoint, SECRET_NAME, 'apiKey', options.now);
}

describe('SecretsManagerStore against a Secrets Manager on 127.0.0.1', () => {
  it('accepts a plain string or a JSON secret with the documented field', async () => {
    expect(apiKeyFromSecretString('abc123\n', 'apiKey', 's')).toBe('abc123');
    expect(apiKeyFromSecretString('{"apiKey":"abc123"}', 'apiKey', 's')).toBe('abc123');
    expect(apiKeyFromSecretString('{"token":"t"}', 'token', 's')).toBe('t');
    expect(() => apiKeyFromSecretString('{"other":"x"}', 'apiKey', 'api-lake/w/api-key')).toThrow(/api-lake\/w\/api-key is JSON without a string field "apiKey"/);
    expect(() => apiKeyFromSecretString('  ', 'apiKey', 's')).toThrow(/is empty/);
  });

  it('reads the key with a signed GetSecretValue', async () => {
    const sm = await secretsManager('{"apiKey":"k-123"}');
    expect(await storeFor(sm.endpoint).getApiKey()).toBe('k-123');
  });

  it('is refused when the signature is wrong, so the check above is real', async () => {
    const sm = await secretsManager('{"apiKey":"k-123"}');
    const error = await failureOf(storeFor(sm.endpoint, { secretAccessKey: 'not-the-key' }).getApiKey());
    expect(error).toBeInstanceOf(SecretUnavailableError);
    expect(error.message).toMatch(new RegExp(`^cannot read secret ${SECRET_NAME} \\(InvalidSignatureException: signature [0-9a-f]+ does not match`));
  });

  it('caches the key across warm invocations for at most the max age, then picks up a rotated key', async () => {
    let now = 1_000_000;
    const sm = await secretsManager('{"apiKey":"first"}');
    const store = storeFor(sm.endpoint, { now: () => now });
    expect(await store.getApiKey()).toBe('first');
    sm.state.value = '{"apiKey":"rotated"}';
    now += SECRET_CACHE_MAX_AGE_MS - 1;
    expect(await store.getApiKey()).toBe('first');
    expect(sm.state.requests).toBe(1);
    now += 2;
    expect(await store.getApiKey()).toBe('rotated');
    expect(sm.state.requests).toBe(2);
  });

  it('retries a service error and throttling (a 400 with its code), then reads the key', async () => {
    const sm = await secretsManager('plain-key');
    sm.state.failNext = 1;
    sm.state.throttleNext = 1;
    expect(await storeFor(sm.endpoint).getApiKey()).toBe('plain-key');
    expect(sm.state.requests).toBe(3);
  });

  it('says how to fix a missing secret', async () => {
    const sm = await secretsManager(undefined);
    const error = await failureOf(storeFor(sm.endpoint).getApiKey());
    expect(error).toBeInstanceOf(SecretUnavailableError);
    expect(error.message).toBe(`cannot read secret ${SECRET_NAME} (ResourceNotFoundException: Secrets Manager can’t find the specified secret.): store the key with \`npx api-lake set-key\``);
  });
});
