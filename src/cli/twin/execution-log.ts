import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Hour } from '../../core/layout.js';

/**
 * The twin's execution history, as Step Functions keeps one: a file per execution under
 * `<lake>/_executions/<pipeline>/<YYYYMMDDTHH>/<execution name>.json`, written when it starts (RUNNING) and
 * again when it ends. `status` reads it.
 */
export interface ExecutionRecord {
  readonly pipeline: string;
  /** The scheduled hour (ISO). */
  readonly hour: string;
  readonly executionArn: string;
  readonly status: 'RUNNING' | 'SUCCEEDED' | 'SKIPPED' | 'FAILED' | 'ABORTED';
  readonly startedAt: string;
  readonly stoppedAt?: string;
  /** The process running it: a RUNNING record whose process is gone was interrupted. */
  readonly pid: number;
  /** The step that failed, the error and its cause (FAILED, SKIPPED). */
  readonly step?: string;
  readonly error?: string;
  readonly cause?: string;
  readonly records?: number;
  readonly curatedKey?: string | null;
}

export function writeExecutionRecord(dir: string, record: ExecutionRecord): void {
  const hourDir = join(dir, record.pipeline, compactOf(record.hour));
  mkdirSync(hourDir, { recursive: true });
  const file = join(hourDir, `${record.executionArn.split(':').pop()}.json`);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(record, null, 2) + '\n');
  renameSync(tmp, file);
}

/** The executions of a pipeline's hour, oldest first; a record that cannot be read is left out. */
export function executionsOf(dir: string, pipeline: string, hour: Hour): ExecutionRecord[] {
  const hourDir = join(dir, pipeline, hour.compact);
  let files: string[];
  try {
    files = readdirSync(hourDir).filter((f) => f.endsWith('.json'));
  } catch {
    return [];
  }
  const records: ExecutionRecord[] = [];
  for (const file of files) {
    try {
      records.push(JSON.parse(readFileSync(join(hourDir, file), 'utf8')) as ExecutionRecord);
    } catch {
      // a record cut by a crash: the hour's data still tells its state
    }
  }
  return records.sort((a, b) => (a.startedAt < b.startedAt ? -1 : a.startedAt > b.startedAt ? 1 : 0));
}

/** Whether the process that ran a RUNNING record is still alive (another `api-lake run` on this machine). */
export function stillRunning(record: ExecutionRecord): boolean {
  if (record.status !== 'RUNNING') return false;
  try {
    process.kill(record.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const compactOf = (iso: string) => `${iso.slice(0, 10).replaceAll('-', '')}T${iso.slice(11, 13)}`;
