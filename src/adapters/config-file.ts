import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ConfigError } from '../core/errors.js';
import { parseConfigText, type AppConfig } from '../core/config.js';

/** The default pipeline config, in the current directory. */
export const DEFAULT_CONFIG_FILE = 'api-lake.config.json';

/**
 * Reads and validates a config file, for `cdk synth` (bin/app.ts) and the CLI alike. A relative path is taken
 * from the current directory; a file that cannot be read is a ConfigError that gives its absolute path and
 * how to name another.
 */
export function loadConfigFile(path = DEFAULT_CONFIG_FILE): AppConfig {
  const file = resolve(path);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw ConfigError.unreadable(unreadableMessage(path, file, error as NodeJS.ErrnoException), { cause: error });
  }
  // Editors on Windows may save a byte order mark, which JSON.parse refuses as an unexpected token.
  return parseConfigText(text.replace(/^\uFEFF/, ''), path);
}

const HOW_TO_NAME = 'pass --config FILE to api-lake (API_LAKE_CONFIG=FILE for cdk)';

function unreadableMessage(path: string, file: string, error: NodeJS.ErrnoException): string {
  if (error.code === 'EISDIR') return `the config ${file} is a directory, not a file: ${HOW_TO_NAME}`;
  if (error.code !== 'ENOENT') return `cannot read the config ${file}: ${error.code ?? error.message}`;
  if (path !== DEFAULT_CONFIG_FILE) return `no config file at ${file}: check the path, or ${HOW_TO_NAME}`;
  const missing = `no config file at ${file} (by default the config is ${DEFAULT_CONFIG_FILE} in the current directory)`;
  const above = configAbove(dirname(file));
  return above ? `${missing}; ${dirname(above)} has one: run from there, or pass --config ${above}` : `${missing}: ${HOW_TO_NAME}`;
}

/** The default config in the nearest directory above `dir`, as the usual mistake is running from a subdirectory. */
function configAbove(dir: string): string | undefined {
  for (let parent = dirname(dir); parent !== dir; dir = parent, parent = dirname(dir)) {
    const candidate = join(parent, DEFAULT_CONFIG_FILE);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}
