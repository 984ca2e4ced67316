import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

/**
 * The Powertools logger singleton (service name and level from POWERTOOLS_* variables), and the metrics
 * singleton (CloudWatch embedded metric format in the function's log; namespace `OpenWearables`). API Gateway and
 * Lambda already publish request, error, latency and throttle metrics; custom metrics are the business counts
 * those cannot see.
 */
export const logger = new Logger();

export const metrics = new Metrics({ namespace: 'OpenWearables' });

/** Adds one to a counter dimensioned by provider, flushed at once (workers are not wrapped in the middleware). */
export function countMetric(name: string, provider: string, value = 1): void {
  const single = metrics.singleMetric();
  single.addDimension('provider', provider);
  single.addMetric(name, MetricUnit.Count, value);
}
