import { join, resolve } from 'node:path';

/**
 * The on-disk lake of the local twin: the two zones with the S3 key layout, and beside them the
 * notifications and step logs. The one place that names these directories.
 */
export function lakePaths(lakeDir: string) {
  const root = resolve(lakeDir);
  return {
    raw: join(root, 'raw'),
    curated: join(root, 'curated'),
    logs: join(root, '_logs'),
    notifications: join(root, '_notifications'),
    /** The twin's data catalog: `<database>/<table>.json`, the table as Glue would hold it. */
    catalog: join(root, '_catalog'),
    /** The twin's execution history: `<pipeline>/<YYYYMMDDTHH>/<execution>.json` (src/cli/twin/execution-log.ts). */
    executions: join(root, '_executions'),
  };
}

export type LakePaths = ReturnType<typeof lakePaths>;
