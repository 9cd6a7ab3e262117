/** Replacement text for a secret wherever it would have appeared. */
export const REDACTED = '***';

/**
 * Removes every occurrence of each secret from `text`, in the raw form and in the URL-encoded forms
 * a URL or a header would carry. Used on every URL, error message and log line that could hold the key.
 */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const secret of secrets) {
    if (!secret) continue;
    for (const form of new Set([secret, encodeURIComponent(secret), new URLSearchParams({ k: secret }).toString().slice(2)])) {
      out = out.split(form).join(REDACTED);
    }
  }
  return out;
}
