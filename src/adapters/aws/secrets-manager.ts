import { SecretStoreUnavailableError, SecretUnavailableError } from '../../core/errors.js';
import type { CallOptions, SecretStore } from '../../core/ports.js';
import { AwsServiceError, errorOf, type AwsHttpClient } from './aws-http.js';

/** A warm Lambda reuses the key this long, so a rotated key is picked up within minutes. */
export const SECRET_CACHE_MAX_AGE_MS = 5 * 60 * 1000;

/**
 * The API key from Secrets Manager. The secret is either the key itself (plain string) or JSON with the
 * key under `field` (default `apiKey`).
 */
export class SecretsManagerStore implements SecretStore {
  private cached?: { value: string; at: number };
  readonly keyHint = 'store a valid one with `npx api-lake set-key`';

  /** @param endpoint Secrets Manager's base URL (`secretsManagerEndpoint(region)`). */
  constructor(
    private readonly http: AwsHttpClient,
    private readonly endpoint: string,
    private readonly secretName: string,
    private readonly field: string,
    private readonly now: () => number = Date.now,
  ) {}

  async getApiKey(options: CallOptions = {}): Promise<string> {
    if (this.cached && this.now() - this.cached.at < SECRET_CACHE_MAX_AGE_MS) return this.cached.value;
    const text = await this.getSecretString(options);
    const value = apiKeyFromSecretString(text, this.field, this.secretName);
    this.cached = { value, at: this.now() };
    return value;
  }

  /** GetSecretValue over Secrets Manager's JSON protocol. */
  private async getSecretString(options: CallOptions): Promise<string | undefined> {
    let failure: unknown;
    try {
      const response = await this.http.send(
        {
          method: 'POST',
          url: `${this.endpoint}/`,
          headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'secretsmanager.GetSecretValue' },
          body: JSON.stringify({ SecretId: this.secretName }),
        },
        options,
      );
      if (response.status === 200) return (JSON.parse(Buffer.from(response.body).toString('utf8')) as { SecretString?: string }).SecretString;
      failure = errorOf(response, `reading secret ${this.secretName}`);
    } catch (error) {
      failure = error;
    }
    throw secretReadError(this.secretName, failure);
  }
}

/**
 * Why a secret could not be read, and what to do. Secrets Manager answers a caller whose policy is scoped to
 * the secret's ARN with AccessDeniedException, not ResourceNotFoundException, when the secret does not
 * exist (the ARN's random suffix is unknown, so the policy cannot match): both get the `set-key` hint.
 */
export function secretReadError(secretName: string, failure: unknown): SecretUnavailableError | SecretStoreUnavailableError {
  const { name } = failure as Error;
  // Throttling, a server error, no answer at all (the network, the time budget): retried by the state machine.
  const transient = failure instanceof AwsServiceError ? failure.transient : true;
  if (transient) return new SecretStoreUnavailableError(`cannot read secret ${secretName} for now (${name}: ${(failure as Error).message})`, { cause: failure });
  // The service's message says who was refused what; a network failure's says what failed.
  const detail = failure instanceof AwsServiceError ? failure.detail : (failure as Error).message;
  const hint =
    name === 'ResourceNotFoundException'
      ? ': store the key with `npx api-lake set-key`'
      : name === 'AccessDeniedException'
        ? ': the secret does not exist (Secrets Manager then answers AccessDenied to a role scoped to its ARN) or the Fetch role may not read it; store the key with `npx api-lake set-key`'
        : '';
  return new SecretUnavailableError(`cannot read secret ${secretName} (${name}${detail ? `: ${detail}` : ''})${hint}`, { cause: failure });
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
