import { parseConfig, type PipelineConfig } from '../core/config.js';

/** Reads a required environment variable, failing with its name (read once, at module load). */
export function requireEnv(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  if (value === undefined || value === '') throw new Error(`Environment variable ${name} is required`);
  return value;
}

/** The pipeline config the stack put into PIPELINE_CONFIG, validated again at the edge. */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): PipelineConfig {
  return parseConfig(JSON.parse(requireEnv('PIPELINE_CONFIG', env)), 'PIPELINE_CONFIG');
}
