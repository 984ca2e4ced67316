import { Logger } from '@aws-lambda-powertools/logger';

/**
 * The Powertools logger singleton (service name and level from POWERTOOLS_* variables). The API areas emit no
 * custom metrics: API Gateway and Lambda already publish request, error, latency and throttle metrics, which
 * lib/observability.ts alarms on. The sync engine will add a Metrics singleton here when it has counts to emit.
 */
export const logger = new Logger();
