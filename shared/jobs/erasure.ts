import * as z from 'zod';
import { sendJob } from '#shared/jobs/send.js';
import { deleteKeys } from '#shared/store/client.js';
import { keys } from '#shared/store/keys.js';
import { deleteUserSeries, listUserSeries } from '#shared/store/timeseries.js';
import { userItemKeys } from '#shared/store/users.js';

export const erasureJob = z.object({ user_id: z.uuid() });

export type ErasureOutcome = 'done' | 'partial';

/**
 * Deletes every item of a user, in an order that keeps a retry able to resume: time-series partitions first
 * (found through the registry items, each removed after its chunks), then indexed and partition items, the
 * profile last. Stops between steps once `deadline` passes; calling it again continues where it stopped.
 */
export async function eraseUserData(userId: string, deadline: number): Promise<ErasureOutcome> {
  for (const entry of await listUserSeries(userId)) {
    if (Date.now() > deadline) return 'partial';
    await deleteUserSeries(userId, entry.series, entry.sourceKey);
  }
  if (Date.now() > deadline) return 'partial';
  const profile = keys.user(userId);
  const rest = (await userItemKeys(userId)).filter((k) => !(k.PK === profile.PK && k.SK === profile.SK));
  await deleteKeys(rest);
  await deleteKeys([profile]);
  return 'done';
}

/** Work that does not fit the request continues on the erasure queue (idempotent, so redelivery is harmless). */
export const queueErasure = (userId: string) => sendJob('erasure', erasureJob, { user_id: userId });
