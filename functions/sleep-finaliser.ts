import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { finaliseStaleSleep } from '#shared/ingest/sleep-sessions.js';
import { logger } from '#shared/observability.js';

const SAFETY_MS = 20_000;

/** Scheduled: closes SDK sleep sessions that ended over two hours ago without a later push to close them. */
export const handler = middy()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (_event: unknown, context) => {
    const finalised = await finaliseStaleSleep(
      Date.now(),
      Date.now() + context.getRemainingTimeInMillis() - SAFETY_MS,
    );
    logger.info('stale sleep finalised', { finalised });
    return { finalised };
  });
