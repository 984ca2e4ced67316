import middy from '@middy/core';
import type { Context, SQSEvent } from 'aws-lambda';
import { observeInvocation } from '#shared/observability.js';

/** The epoch milliseconds by which work should stop, leaving `safetyMs` of the invocation to wrap up. */
export const deadlineOf = (context: Context, safetyMs: number) =>
  Date.now() + context.getRemainingTimeInMillis() - safetyMs;

/** A handler run by an EventBridge schedule (no batch, no request): the logger carries its Lambda context. */
export function createScheduledHandler<R>(run: (event: unknown, context: Context) => Promise<R>) {
  return middy<unknown, R>().use(observeInvocation()).handler(run);
}

const isSqsEvent = (event: unknown): event is SQSEvent =>
  Array.isArray((event as { Records?: unknown } | null)?.Records);

/** One function behind both a queue and a schedule: SQS batches go to `queued`, anything else to `scheduled`. */
export function queuedOrScheduled<Q, S>(
  queued: (event: SQSEvent, context: Context) => Promise<Q>,
  scheduled: (event: unknown, context: Context) => Promise<S>,
) {
  return async (event: unknown, context: Context) =>
    isSqsEvent(event) ? queued(event, context) : scheduled(event, context);
}
