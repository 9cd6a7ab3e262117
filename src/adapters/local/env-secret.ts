import { SecretUnavailableError } from '../../core/errors.js';
import type { SecretStore } from '../../core/ports.js';

/** The environment variable the local twin reads the API key from. */
export const API_KEY_ENV = 'API_LAKE_API_KEY';

/** The API key from a fixed value (the demo API) or the environment, read when asked. */
export class EnvSecretStore implements SecretStore {
  readonly keyHint = `set ${API_KEY_ENV} to a valid one (the local twin reads the key from there; \`npx api-lake set-key\` stores it on AWS)`;

  constructor(
    private readonly env: NodeJS.ProcessEnv = process.env,
    private readonly fixed?: string,
  ) {}

  async getApiKey(): Promise<string> {
    const value = this.fixed ?? this.env[API_KEY_ENV];
    if (!value) throw new SecretUnavailableError(`no API key: set ${API_KEY_ENV} in the environment (the local twin never reads Secrets Manager)`);
    return value;
  }
}
