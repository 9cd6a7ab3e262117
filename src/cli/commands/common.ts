import { ConfigError } from '../../core/errors.js';
import { hourFromEpochMs, scheduledHour, type Hour } from '../../core/layout.js';
import { parseConfig, type PipelineConfig } from '../../core/config.js';
import { loadConfigFile } from '../../adapters/local/config-file.js';
import { UsageError } from '../args.js';

/** Loads the config and applies `--api-url`, validating the result (a bad URL is refused like in the file). */
export function loadRunConfig(configFile: string | undefined, apiUrl?: string): PipelineConfig {
  const config = loadConfigFile(configFile);
  if (!apiUrl) return config;
  try {
    return parseConfig({ ...config, source: { ...config.source, url: apiUrl } }, '--api-url');
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(`--api-url: ${error.problems.map((p) => p.replace(/^source\.url: /, '')).join('; ')}`);
    throw error;
  }
}

/** `--hour` as a scheduled hour; the current UTC hour when absent. */
export function hourOption(value: string | undefined, name = 'hour', now = Date.now()): Hour {
  if (value === undefined) return hourFromEpochMs(now);
  try {
    return scheduledHour(value);
  } catch {
    throw new UsageError(`--${name} must be an ISO-8601 UTC time such as 2026-11-25T18:00Z (a zone is required), got "${value}"`);
  }
}
