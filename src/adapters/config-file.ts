import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError } from '../core/errors.js';
import { parseConfigText, type AppConfig } from '../core/config.js';

/** The default pipeline config, at the project root. */
export const DEFAULT_CONFIG_FILE = 'api-lake.config.json';

/** Reads and validates a config file, for `cdk synth` (bin/app.ts) and the CLI alike; a missing file is a ConfigError that says which. */
export function loadConfigFile(path = DEFAULT_CONFIG_FILE): AppConfig {
  const file = resolve(path);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError([`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`], path);
  }
  return parseConfigText(text, path);
}
