#!/usr/bin/env node
import { buildApp } from '../infra/app.js';
import { loadConfigFile } from '../src/adapters/config-file.js';
import { ConfigError } from '../src/core/errors.js';

// `cdk synth` / `cdk deploy`: load and validate config, build the stack, synth. A bad config stops here with every problem listed.
try {
  const config = loadConfigFile();
  buildApp({ config }).app.synth();
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
