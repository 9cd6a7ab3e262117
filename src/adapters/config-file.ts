import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ConfigError } from '../core/errors.js';
import { parseConfigText, type AppConfig } from '../core/config.js';

/** The default pipeline config, in the current directory. */
export const DEFAULT_CONFIG_FILE = 'api-lake.config.json';

/** The environment variable that names the config, for `cdk` and the CLI alike (`--config` wins over it). */
export const CONFIG_ENV = 'API_LAKE_CONFIG';

/** The config file a command uses: `--config`, else API_LAKE_CONFIG, else the default in the current directory. */
export function configFileOf(flag?: string): string {
  return flag ?? (process.env[CONFIG_ENV] || DEFAULT_CONFIG_FILE);
}

/**
 * Reads and validates a config file, for `cdk synth` (bin/app.ts) and the CLI alike: `path` (the CLI's
 * `--config`), else API_LAKE_CONFIG, else the default. A relative path is taken from the current directory; a
 * file that cannot be read is a ConfigError that gives its absolute path, where the path came from and how to
 * name another.
 */
export function loadConfigFile(path?: string): AppConfig {
  const chosen = configFileOf(path);
  const file = resolve(chosen);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const from = path !== undefined ? 'flag' : process.env[CONFIG_ENV] ? 'env' : 'default';
    throw ConfigError.unreadable(unreadableMessage(from, file, error as NodeJS.ErrnoException), { cause: error });
  }
  // Editors on Windows may save a byte order mark, which JSON.parse refuses as an unexpected token.
  return parseConfigText(text.replace(/^\uFEFF/, ''), chosen);
}

const HOW_TO_NAME = 'pass --config FILE, or set API_LAKE_CONFIG=FILE (for api-lake and cdk alike)';

function unreadableMessage(from: 'flag' | 'env' | 'default', file: string, error: NodeJS.ErrnoException): string {
  if (error.code === 'EISDIR') return `the config ${file} is a directory, not a file: ${HOW_TO_NAME}`;
  if (error.code !== 'ENOENT') return `cannot read the config ${file}: ${error.code ?? error.message}`;
  if (from === 'flag') return `no config file at ${file}: check the path given to --config`;
  if (from === 'env') return `no config file at ${file} (named by ${CONFIG_ENV}): check that path, unset ${CONFIG_ENV}, or pass --config FILE`;
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
