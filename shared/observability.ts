import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import * as z from 'zod/mini';
import { baseEnvSchema, env } from '#shared/config/env.js';
import { Logger, logInvocation } from '#shared/logger.js';
import { traceInvocation } from '#tracer';

/**
 * The logger of every function (shared/logger.ts: service name and level from POWERTOOLS_* variables), and the
 * business metrics (Powertools Metrics: CloudWatch embedded metric format in the function's log). API Gateway and
 * Lambda already publish request, error, latency and throttle metrics; custom metrics are the business counts
 * those cannot see.
 */
export const logger = new Logger();

/** The middlewares every handler starts with: the logger's invocation, and its X-Ray segment when traced (`#tracer`). */
export const observeInvocation = () => [logInvocation(logger), ...traceInvocation()];

export const METRICS_NAMESPACE = 'OpenWearables';
/** The `service` dimension of every metric (whatever POWERTOOLS_SERVICE_NAME says): the alarms name it. */
export const METRICS_SERVICE = 'open-wearables';

const stageEnv = z.pick(baseEnvSchema, { STAGE: true });

/**
 * The business metrics and their dimensions (besides `service` and `stage`), read by the dashboard and the alarms
 * (lib/monitoring-dashboard.ts, lib/observability.ts). Dimension values are a few fixed words or provider names:
 * every distinct combination is a CloudWatch metric billed by the month.
 */
export const BUSINESS_METRICS = {
  /** Samples written, by provider and `source`: `sdk` (mobile pushes), `sync` (pulls), `webhook` (pushes). */
  samplesIngested: 'SamplesIngested',
  /** Mobile SDK pushes handled, by provider and `outcome`: `saved` or `failed`. */
  sdkPushes: 'SdkPushes',
  /** Sync runs ended, by provider and `outcome`: `success`, `partial` or `failed`. */
  syncRuns: 'SyncRuns',
  /** Provider API answers other than 2xx, by provider and `status`: `429`, `4xx` or `5xx`. */
  providerHttpErrors: 'ProviderHttpErrors',
  /** Outgoing webhook attempts, by `outcome`: `success`, `retrying` (failed, tried again later) or `failed`. */
  webhookDeliveries: 'WebhookDeliveries',
  /** Provider webhooks refused for their signature, by provider, and in total. */
  webhookSignatureRejected: 'WebhookSignatureRejected',
  /** Push connections the freshness watchdog found stale (shared/sync/watchdog.ts), by provider, and in total. */
  staleConnections: 'StaleConnections',
  /** Data types a provider refused for a user (the rest of the sync went on), by provider. */
  providerDataTypeSkipped: 'ProviderDataTypeSkipped',
  /** Provider items skipped as malformed, by provider. */
  providerItemsSkipped: 'ProviderItemsSkipped',
  /** Provider webhooks for a provider user no connection knows (acknowledged, dropped), by provider. */
  webhookUnknownUser: 'WebhookUnknownUser',
} as const;

/** A provider's non-2xx answer, by its class: `429`, `4xx` or `5xx`. */
export function countProviderHttpError(provider: string, status: number): void {
  const bucket = status === 429 ? '429' : status >= 500 ? '5xx' : '4xx';
  count(BUSINESS_METRICS.providerHttpErrors, { provider, status: bucket });
}

/**
 * Adds `value` to the counter `name` under `dimensions` (never a user id) and the stage (two stages may share an
 * account), written at once as one EMF log line: workers are not wrapped in the metrics middleware. With `total`,
 * the count is also filed under the stage alone, which one alarm can watch. A count that cannot be written is
 * logged, never thrown into the work it counts.
 */
export function count(
  name: string,
  dimensions: Record<string, string>,
  value = 1,
  { total = false }: { total?: boolean } = {},
): void {
  try {
    const single = new Metrics({
      namespace: METRICS_NAMESPACE,
      serviceName: METRICS_SERVICE,
      defaultDimensions: { stage: env(stageEnv).STAGE },
      singleMetric: true,
    });
    single.addDimensions(dimensions);
    // The service and stage alone: every set carries the default dimensions.
    if (total) single.addDimensions({});
    single.addMetric(name, MetricUnit.Count, value);
  } catch (error) {
    logger.warn('metric not written', { metric: name, error: (error as Error).message });
  }
}
