import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { METRIC, METRICS_NAMESPACE, SERVICE_NAME } from '../contract/metrics.js';
import type { StepLogger } from '../core/ports.js';

/** Structured JSON logs (Powertools) with source and step on every line; `hour` is appended per run. */
export function stepLogger(step: string, source: string): Logger {
  return new Logger({ serviceName: SERVICE_NAME, persistentKeys: { step, source } });
}

/** Embedded metrics of a step of a source (the dashboard and the freshness alarm read them by these dimensions). */
export function stepMetrics(step: string, source: string): Metrics {
  return new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME, defaultDimensions: { step, source } });
}

/** Adapts a Powertools logger to the core's logger port. */
export function asStepLogger(logger: Logger): StepLogger {
  return {
    info: (message, fields) => logger.info(message, fields ?? {}),
  };
}

/**
 * Runs one step with a log line at start and end (or failure), duration, and metrics in embedded
 * metric format. The error is rethrown unchanged so Step Functions sees its name.
 */
export async function observeStep<T>(
  logger: Logger,
  metrics: Metrics,
  hour: unknown,
  run: () => Promise<T>,
  measure: (result: T) => Record<string, number>,
): Promise<T> {
  logger.appendKeys({ hour: typeof hour === 'string' ? hour : JSON.stringify(hour ?? null) });
  const started = Date.now();
  logger.info('step started');
  try {
    const result = await run();
    const durationMs = Date.now() - started;
    metrics.addMetric(METRIC.durationMs, MetricUnit.Milliseconds, durationMs);
    for (const [name, value] of Object.entries(measure(result))) {
      metrics.addMetric(name, name === 'bytes' ? MetricUnit.Bytes : MetricUnit.Count, value);
    }
    logger.info('step succeeded', { durationMs });
    return result;
  } catch (error) {
    metrics.addMetric('failures', MetricUnit.Count, 1);
    logger.error('step failed', { durationMs: Date.now() - started, errorName: (error as Error).name, errorMessage: (error as Error).message });
    throw error;
  } finally {
    metrics.publishStoredMetrics();
    logger.removeKeys(['hour']);
  }
}
