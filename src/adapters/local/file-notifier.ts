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
 * SNS e-mail), named by time and outcome so they sort in order.
 */
export async function writeNotification(dir: string, notification: Notification, at: Date): Promise<string> {
  await mkdir(dir, { recursive: true });
  let outcome = 'notification';
  try {
    outcome = String((JSON.parse(notification.message) as { outcome?: string }).outcome ?? outcome).toLowerCase();
  } catch {
    // a non-JSON message keeps the generic name
  }
  const path = join(dir, `${at.toISOString().replace(/[:.]/g, '-')}-${outcome}-${Math.random().toString(36).slice(2, 6)}.json`);
  await writeFile(path, JSON.stringify(notification, null, 2) + '\n');
  return path;
}
