import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

/** Powertools singletons: service name, namespace and level come from POWERTOOLS_* variables. */
export const logger = new Logger();
export const metrics = new Metrics({ logger });
