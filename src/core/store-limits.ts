import { STORE_LIMITS } from './ports.js';

const utf8Bytes = (text: string) => new TextEncoder().encode(text).byteLength;

/** The UTF-8 bytes of user metadata as S3 counts them: every name and value. */
export function metadataBytes(metadata: Readonly<Record<string, string>>): number {
  return Object.entries(metadata).reduce((sum, [name, value]) => sum + utf8Bytes(name) + utf8Bytes(value), 0);
}

/** Why S3 would refuse this PUT (its error code and message), or undefined when it is within S3's limits. */
export function storeLimitViolation(key: string, metadata: Readonly<Record<string, string>> = {}): { code: string; message: string } | undefined {
  const keyBytes = utf8Bytes(key);
  if (keyBytes > STORE_LIMITS.keyBytes) return { code: 'KeyTooLongError', message: `Your key is too long (${keyBytes} bytes, at most ${STORE_LIMITS.keyBytes})` };
  const bytes = metadataBytes(metadata);
  if (bytes > STORE_LIMITS.metadataBytes) {
    return { code: 'MetadataTooLarge', message: `Your metadata headers exceed the maximum allowed metadata size (${bytes} bytes, at most ${STORE_LIMITS.metadataBytes})` };
  }
  return undefined;
}

/**
 * Metadata cut to fit S3's limit: `field`'s value (a URL, say) is shortened, with `...` at the end, so the
 * object is stored with what fits rather than refused. Values are ASCII (they travel as HTTP headers).
 */
export function fitMetadata(metadata: Record<string, string>, field: string): Record<string, string> {
  const over = metadataBytes(metadata) - STORE_LIMITS.metadataBytes;
  const value = metadata[field];
  if (over <= 0 || value === undefined) return metadata;
  return { ...metadata, [field]: `${value.slice(0, Math.max(0, value.length - over - 3))}...` };
}
