import {
  CreateSecretCommand,
  DeleteSecretCommand,
  PutSecretValueCommand,
  RestoreSecretCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';

/** Days Secrets Manager keeps a deleted secret restorable (`aws secretsmanager restore-secret`). */
export const SECRET_RECOVERY_WINDOW_DAYS = 7;

type Client = Pick<SecretsManagerClient, 'send'>;

/**
 * Stores the API key as `{"<field>": key}`: updates the secret, or creates it when it does not exist
 * yet. Returns whether it was created. The key is only ever in the request body.
 */
export async function storeApiKey(client: Client, secretName: string, field: string, apiKey: string): Promise<'created' | 'updated' | 'restored'> {
  const SecretString = JSON.stringify({ [field]: apiKey });
  try {
    await client.send(new PutSecretValueCommand({ SecretId: secretName, SecretString }));
    return 'updated';
  } catch (error) {
    // `api-lake destroy` scheduled it for deletion: restore it (within its recovery window), then store the key.
    if (isScheduledForDeletion(error)) {
      await client.send(new RestoreSecretCommand({ SecretId: secretName }));
      await client.send(new PutSecretValueCommand({ SecretId: secretName, SecretString }));
      return 'restored';
    }
    if ((error as Error).name !== 'ResourceNotFoundException') throw error;
  }
  await client.send(
    new CreateSecretCommand({ Name: secretName, SecretString, Description: 'api-lake: API key of the source (written by `api-lake set-key`)' }),
  );
  return 'created';
}

/** Secrets Manager's answer for a change to a secret within its recovery window. */
function isScheduledForDeletion(error: unknown): boolean {
  const { name, message } = error as Error;
  return name === 'InvalidRequestException' && /(marked|scheduled) for deletion/i.test(message);
}

/** Schedules the secret for deletion with a recovery window; a secret that is already gone is fine. */
export async function deleteApiKey(client: Client, secretName: string): Promise<'scheduled' | 'absent'> {
  try {
    await client.send(new DeleteSecretCommand({ SecretId: secretName, RecoveryWindowInDays: SECRET_RECOVERY_WINDOW_DAYS }));
    return 'scheduled';
  } catch (error) {
    if ((error as Error).name === 'ResourceNotFoundException') return 'absent';
    throw error;
  }
}
