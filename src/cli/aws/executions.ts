import { DescribeExecutionCommand, StartExecutionCommand, type DescribeExecutionCommandOutput } from '@aws-sdk/client-sfn';
import type { AwsClients } from './clients.js';

export interface WaitOptions {
  readonly timeoutMs: number;
  readonly pollMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Told the status every 15 s while it runs. */
  readonly onProgress?: (line: string) => void;
}

/** Starts an execution of the state machine and waits for it to end (or for the timeout); its last description. */
export async function runExecution(
  clients: Pick<AwsClients, 'sfn'>,
  stateMachineArn: string,
  name: string,
  input: unknown,
  options: WaitOptions,
): Promise<DescribeExecutionCommandOutput> {
  const started = await clients.sfn.send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }));
  return waitForExecution(clients, started.executionArn!, options);
}

async function waitForExecution(clients: Pick<AwsClients, 'sfn'>, executionArn: string, options: WaitOptions): Promise<DescribeExecutionCommandOutput> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const began = Date.now();
  let reported = -Infinity;
  for (;;) {
    const described = await clients.sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (described.status !== 'RUNNING' || Date.now() - began > options.timeoutMs) return described;
    // A line at the start and then every 15 s: enough to see it is alive, not a line per poll.
    if (Date.now() - reported >= 15_000) {
      reported = Date.now();
      options.onProgress?.(`waiting for ${executionArn.split(':').pop()}: ${described.status}, ${Math.round((Date.now() - began) / 1000)} s`);
    }
    await sleep(options.pollMs ?? 5000);
  }
}
