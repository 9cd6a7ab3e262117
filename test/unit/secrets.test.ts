import { GetSecretValueCommand, ResourceNotFoundException } from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import { apiKeyFromSecretString, SECRET_CACHE_MAX_AGE_MS, SecretsManagerStore } from '../../src/adapters/aws/secrets-manager.js';
import { SecretUnavailableError } from '../../src/core/errors.js';

/** A stand-in Secrets Manager holding one secret whose value can change (rotation). */
function secretsManager(initial: string | undefined) {
  const state = { value: initial, reads: 0 };
  const client = {
    send: async (command: unknown) => {
      if (!(command instanceof GetSecretValueCommand)) throw new Error('unexpected command');
      state.reads++;
      if (state.value === undefined) throw new ResourceNotFoundException({ message: 'Secrets Manager can’t find the specified secret.', $metadata: {} });
      return { SecretString: state.value };
    },
  };
  return { state, client: client as never };
}

describe('SecretsManagerStore', () => {
  it('accepts a plain string or a JSON secret with the documented field', async () => {
    expect(apiKeyFromSecretString('abc123\n', 'apiKey', 's')).toBe('abc123');
    expect(apiKeyFromSecretString('{"apiKey":"abc123"}', 'apiKey', 's')).toBe('abc123');
    expect(apiKeyFromSecretString('{"token":"t"}', 'token', 's')).toBe('t');
    expect(() => apiKeyFromSecretString('{"other":"x"}', 'apiKey', 'api-lake/w/api-key')).toThrow(/api-lake\/w\/api-key is JSON without a string field "apiKey"/);
    expect(() => apiKeyFromSecretString('  ', 'apiKey', 's')).toThrow(/is empty/);
  });

  it('caches the key across warm invocations for at most the max age, then picks up a rotated key', async () => {
    let now = 1_000_000;
    const sm = secretsManager('{"apiKey":"first"}');
    const store = new SecretsManagerStore(sm.client, 'api-lake/weather/api-key', 'apiKey', () => now);
    expect(await store.getApiKey()).toBe('first');
    sm.state.value = '{"apiKey":"rotated"}';
    now += SECRET_CACHE_MAX_AGE_MS - 1;
    expect(await store.getApiKey()).toBe('first');
    expect(sm.state.reads).toBe(1);
    now += 2;
    expect(await store.getApiKey()).toBe('rotated');
    expect(sm.state.reads).toBe(2);
  });

  it('says how to fix a missing secret', async () => {
    const store = new SecretsManagerStore(secretsManager(undefined).client, 'api-lake/weather/api-key', 'apiKey');
    const error = await store.getApiKey().then(() => undefined, (e: Error) => e);
    expect(error).toBeInstanceOf(SecretUnavailableError);
    expect(error!.message).toBe('cannot read secret api-lake/weather/api-key (ResourceNotFoundException): store the key with `npx api-lake set-key`');
  });
});
