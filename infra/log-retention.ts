import * as logs from 'aws-cdk-lib/aws-logs';

/** CloudWatch Logs accepts only certain retention values; take the smallest one that is at least `days`. */
export function retentionDays(days: number): logs.RetentionDays {
  const allowed = Object.values(logs.RetentionDays)
    .filter((v): v is logs.RetentionDays => typeof v === 'number' && v > 0)
    .sort((a, b) => a - b);
  return allowed.find((v) => v >= days) ?? logs.RetentionDays.INFINITE;
}
