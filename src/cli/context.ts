import type { Synthesizer } from './twin/stack-cache.js';

/** What the CLI's entry point (bin/api-lake.js) gives every command: the parts that live outside src/. */
export interface CliContext {
  /** The CDK app, synthesized for the twin. */
  readonly synthesizer: Synthesizer;
}
