import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, SQSEvent } from 'aws-lambda';
import { archivalJob, runArchival, scheduledArchival } from '#shared/archival/run.js';
import { createSqsWorker } from '#shared/jobs/worker.js';
import { logger } from '#shared/observability.js';

/** Leaves this much of the invocation for the continuation message and the batch response. */
const SAFETY_MS = 60_000;

const deadlineOf = (context: Context) => Date.now() + context.getRemainingTimeInMillis() - SAFETY_MS;

/** A run queued by `POST /settings/archival/run`, or the continuation of one. */
const queued = createSqsWorker(archivalJob, async (job, context) => {
  await runArchival(job, deadlineOf(context));
});

/** The hourly schedule: queues the nightly run once a day. */
const scheduled = middy<unknown, unknown>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(() => scheduledArchival(Date.now()));

const isSqsEvent = (event: unknown): event is SQSEvent =>
  Array.isArray((event as { Records?: unknown } | null)?.Records);

export async function handler(event: unknown, context: Context) {
  return isSqsEvent(event) ? queued(event, context) : scheduled(event, context);
}
