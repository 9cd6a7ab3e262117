#!/usr/bin/env node
// The `api-lake` command: runs the TypeScript CLI through tsx's loader (no build step), and wires in the one
// part from outside src/: the CDK app the local twin synthesizes (loaded only when the twin's cache misses).

// Checked before anything is loaded, so that an older Node.js stops here with one line, not somewhere in a dependency.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  process.stderr.write(`api-lake: needs Node.js 20.19 or newer (22 or newer recommended); this is Node.js ${process.version}.\n`);
  process.exit(1);
}
const { register } = await import('tsx/esm/api');
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
