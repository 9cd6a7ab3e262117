import { randomBytes } from 'node:crypto';
import { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3ObjectStore } from '../../src/adapters/aws/s3-store.js';
import { ObjectNotFoundError, StoreUnavailableError } from '../../src/core/errors.js';
import { startS3Server } from '../helpers/s3-server.js';
import { failureOf } from '../helpers/errors.js';

let s3: Awaited<ReturnType<typeof startS3Server>>;
beforeAll(async () => {
  s3 = await startS3Server(['raw-zone']);
});
afterAll(async () => s3?.stop());

describe('S3ObjectStore against an S3-compatible server on 127.0.0.1', () => {
  it('stores bytes exactly as given, with content type and metadata', async () => {
    // Prepare: a body whose re-encoding would change it (spacing, 1.0)
    const store = new S3ObjectStore(s3.client, 'raw-zone');
    const body = new TextEncoder().encode('{ "pressure_mb": 1015.0,\n  "name": "Healesville" }');
    // Act
    await store.put('weather/dt=2026-11-25/hour=18/weather_20261125T18Z.json', body, {
      contentType: 'application/json',
      metadata: { source: 'weather', 'scheduled-hour': '2026-11-25T18:00:00.000Z' },
    });
    const stored = await store.get('weather/dt=2026-11-25/hour=18/weather_20261125T18Z.json');
    // Assess
    expect(Buffer.from(stored.body).equals(Buffer.from(body))).toBe(true);
    expect(stored.contentType).toBe('application/json');
    expect(stored.metadata).toEqual({ source: 'weather', 'scheduled-hour': '2026-11-25T18:00:00.000Z' });
  });

  it('round-trips a multi-MB object byte for byte and overwrites on a rerun', async () => {
    const store = new S3ObjectStore(s3.client, 'raw-zone');
    const first = randomBytes(6 * 1024 * 1024);
    const second = randomBytes(3 * 1024 * 1024);
    await store.put('big/object.bin', first, { contentType: 'application/octet-stream' });
    expect(Buffer.from((await store.get('big/object.bin')).body).equals(first)).toBe(true);
    await store.put('big/object.bin', second, { contentType: 'application/octet-stream' });
    expect(Buffer.from((await store.get('big/object.bin')).body).equals(second)).toBe(true);
  });

  it('reports a missing object as a terminal error naming it', async () => {
    const store = new S3ObjectStore(s3.client, 'raw-zone');
    await expect(store.get('nope.json')).rejects.toThrow(ObjectNotFoundError);
    await expect(store.get('nope.json')).rejects.toThrow(/s3:\/\/raw-zone\/nope.json does not exist/);
  });

  it('classifies an unreachable store as transient (StoreUnavailableError)', async () => {
    // Prepare: a client pointed at a closed port on 127.0.0.1
    const client = new S3Client({
      endpoint: 'http://127.0.0.1:9',
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
      maxAttempts: 1,
    });
    const store = new S3ObjectStore(client, 'raw-zone');
    // Act
    const error = await failureOf(store.put('a.json', new Uint8Array([1]), { contentType: 'application/json' }));
    // Assess
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect(error.name).toBe('StoreUnavailableError');
    expect(error.message).toContain('writing s3://raw-zone/a.json failed');
  });
});
