#!/usr/bin/env node
// The `api-lake` command: runs the TypeScript CLI through tsx's loader (no build step), and wires in the one
// part from outside src/: the CDK app the local twin synthesizes (loaded only when the twin's cache misses).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
const { TEMPLATE_INPUTS } = await import('../infra/twin-inputs.ts');
const synthesizer = {
  synthesize: async (config) => (await import('../infra/twin-template.ts')).synthesizeTemplate(config),
  inputs: TEMPLATE_INPUTS,
};
main(process.argv.slice(2), { synthesizer }).then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`api-lake: unexpected error: ${error.name}: ${error.message}\n`);
    process.exit(1);
  },
);
