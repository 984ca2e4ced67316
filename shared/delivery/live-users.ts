import type { DomainEvent } from '#shared/delivery/types.js';
import { logger } from '#shared/observability.js';
import { profileState } from '#shared/store/users.js';

/**
 * The events whose user is still live (and those naming no user): what the bus and the lake may receive. Erasure
 * tombstones the profile first and runs its last pass SQS's 15 minutes later, longer than the fan-out's timeout, so
 * an event checked live here is written before that pass, which then erases it from the lake; one checked after the
 * tombstone is dropped. One consistent read per user of the batch.
 */
export async function liveUserEvents(events: readonly DomainEvent[]): Promise<DomainEvent[]> {
  const users = [...new Set(events.flatMap((event) => (event.userId ? [event.userId] : [])))];
  const states = await Promise.all(users.map(async (user) => [user, await profileState(user)] as const));
  const gone = new Set(states.filter(([, state]) => state !== 'live').map(([user]) => user));
  if (gone.size === 0) return [...events];
  const kept = events.filter((event) => !event.userId || !gone.has(event.userId));
  logger.info('dropped the events of deleted users', {
    users: gone.size,
    events: events.length - kept.length,
  });
  return kept;
}
