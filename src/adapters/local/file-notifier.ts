import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** What Step Functions hands SNS: the topic, the subject and the message (serialized as SNS receives it). */
export interface Notification {
  readonly topicArn: string;
  readonly subject: string;
  readonly message: string;
}

/**
 * Writes each notification as JSON into `dir` (the lake's `_notifications/`, the local stand-in for the
 * SNS e-mail), named by the hour it concerns, its outcome and when it was sent, so they sort by hour:
 * `2026-11-25T18Z-skipped-sent-2026-11-30T05-41-07-119Z.json`. A message without a scheduled hour
 * (not JSON, or no `scheduledTime`) is named `unknown-hour-...`.
 */
export async function writeNotification(dir: string, notification: Notification, at: Date): Promise<string> {
  await mkdir(dir, { recursive: true });
  let outcome = 'notification';
  let hour = 'unknown-hour';
  try {
    const message = JSON.parse(notification.message) as { outcome?: unknown; scheduledTime?: unknown };
    if (typeof message.outcome === 'string' && /^[A-Za-z_]{1,40}$/.test(message.outcome)) outcome = message.outcome.toLowerCase();
    if (typeof message.scheduledTime === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}/.test(message.scheduledTime)) hour = `${message.scheduledTime.slice(0, 13)}Z`;
  } catch {
    // a non-JSON message keeps the generic name
  }
  const sent = at.toISOString().replace(/[:.]/g, '-');
  const base = join(dir, `${hour}-${outcome}-sent-${sent}`);
  // Two notifications of one hour in the same millisecond each keep their own file.
  for (let n = 0; ; n++) {
    const path = n === 0 ? `${base}.json` : `${base}-${n}.json`;
    try {
      await writeFile(path, JSON.stringify(notification, null, 2) + '\n', { flag: 'wx' });
      return path;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}
