import { emitStaleSleepEvents, finaliseStaleSleep } from '#shared/ingest/sleep-sessions.js';
import { createScheduledHandler, deadlineOf } from '#shared/jobs/scheduled.js';
import { logger } from '#shared/observability.js';

const SAFETY_MS = 20_000;

/**
 * Scheduled: closes SDK sleep sessions that ended over two hours ago without a later push to close them, then
 * emits the `sleep.created` events that the writes which committed their nights could not emit.
 */
export const handler = createScheduledHandler(async (_event, context) => {
  const deadline = deadlineOf(context, SAFETY_MS);
  const finalised = await finaliseStaleSleep(Date.now(), deadline);
  const reemitted = await emitStaleSleepEvents(Date.now(), deadline);
  logger.info('stale sleep finalised', { finalised, reemitted });
  return { finalised, reemitted };
});
