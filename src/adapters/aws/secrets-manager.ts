import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretUnavailableError } from '../../core/errors.js';
import type { SecretStore } from '../../core/ports.js';

/** A warm Lambda reuses the key this long, so a rotated key is picked up within minutes. */
export const SECRET_CACHE_MAX_AGE_MS = 5 * 60 * 1000;

/**
 * The API key from Secrets Manager. The secret is either the key itself (plain string) or JSON with the
 * key under `field` (default `apiKey`).
 */
export class SecretsManagerStore implements SecretStore {
  private cached?: { value: string; at: number };

  constructor(
    private readonly client: SecretsManagerClient,
    private readonly secretName: string,
    private readonly field: string,
    private readonly now: () => number = Date.now,
  ) {}

  async getApiKey(): Promise<string> {
    if (this.cached && this.now() - this.cached.at < SECRET_CACHE_MAX_AGE_MS) return this.cached.value;
    let text: string | undefined;
    try {
      text = (await this.client.send(new GetSecretValueCommand({ SecretId: this.secretName }))).SecretString;
    } catch (error) {
      const name = (error as Error).name;
      const hint = name === 'ResourceNotFoundException' ? ': store the key with `npx api-lake set-key`' : '';
      throw new SecretUnavailableError(`cannot read secret ${this.secretName} (${name})${hint}`, { cause: error });
    }
    const value = apiKeyFromSecretString(text, this.field, this.secretName);
    this.cached = { value, at: this.now() };
    return value;
  }
}

/** A plain string is the key; a JSON object holds it under `field`. */
export function apiKeyFromSecretString(text: string | undefined, field: string, secretName: string): string {
  const trimmed = text?.trim() ?? '';
  if (trimmed === '') throw new SecretUnavailableError(`secret ${secretName} is empty: store the key with \`npx api-lake set-key\``);
  if (!trimmed.startsWith('{')) return trimmed;
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    return trimmed;
  }
  const value = (parsed as Record<string, unknown>)[field];
  if (typeof value !== 'string' || value === '') {
    throw new SecretUnavailableError(`secret ${secretName} is JSON without a string field "${field}": set source.secretField or store the key with \`npx api-lake set-key\``);
  }
  return value;
}
