import * as z from 'zod/mini';
import { eraseUserLake } from '#shared/delivery/lake.js';
import { sendJob } from '#shared/jobs/send.js';
import { logger } from '#shared/observability.js';
import { type ErasureOutcome, eraseUserData } from '#shared/store/erase-user.js';
import { profileState, removeTombstone } from '#shared/store/users.js';

/**
 * GDPR erasure. `DELETE /users/{id}` marks the profile deleted (a tombstone) before anything else, so every
 * guarded write for the user fails from then on (store/user-guard.ts); then it erases inline for up to 10 s and
 * hands what is left to the erasure queue. A second pass, queued before the tombstone with the longest delay SQS
 * allows, runs once every writer that could have been in flight has ended (no function of the system runs longer
 * than SQS's 15-minute delay), erases whatever such a writer left, and removes the tombstone.
 */
export const erasureJob = z.object({
  user_id: z.uuid(),
  /** The delayed second pass: it also removes the tombstone. */
  final: z._default(z.boolean(), false),
});

/** SQS's maximum delay; longer than the timeout of every function that writes user data (a unit test checks). */
export const SECOND_PASS_DELAY_SECONDS = 900;

/** Work that does not fit the request continues on the erasure queue (idempotent, so redelivery is harmless). */
export const queueErasure = (userId: string, options: { final?: boolean; delaySeconds?: number } = {}) =>
  sendJob(
    'erasure',
    erasureJob,
    { user_id: userId, final: options.final ?? false },
    options.delaySeconds ?? 0,
  );

/** One erasure job. A live profile is never erased: only a deleted (tombstoned) or missing user's data goes. */
export async function runErasureJob(
  job: z.output<typeof erasureJob>,
  deadline: number,
): Promise<ErasureOutcome> {
  if ((await profileState(job.user_id)) === 'live') {
    logger.error('refusing to erase a live user', { userId: job.user_id });
    return 'done';
  }
  // The data lake too (when there is one); the events already put on the EventBridge bus cannot be recalled.
  if (
    (await eraseUserData(job.user_id, deadline)) === 'partial' ||
    (await eraseUserLake(job.user_id, deadline)) === 'partial'
  ) {
    await queueErasure(job.user_id, { final: job.final });
    return 'partial';
  }
  if (job.final) await removeTombstone(job.user_id);
  return 'done';
}
