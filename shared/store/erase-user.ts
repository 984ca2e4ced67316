import { deleteKeys, type Key } from '#shared/store/client.js';
import { keys } from '#shared/store/keys.js';
import { eraseSeries } from '#shared/store/series-erase.js';
import { profileState, userItemKeys, userPartitionKeys } from '#shared/store/users.js';

export type ErasureOutcome = 'done' | 'partial';

/**
 * Deletes every item of a user but the profile (a deleted user's tombstone stays until erasure's second pass,
 * shared/jobs/erasure.ts): the series first (`eraseSeries`), then the user's partition and everything indexed as
 * owned by the user. Stops between steps once `deadline` passes; calling it again continues where it stopped.
 */
export async function eraseUserData(userId: string, deadline: number): Promise<ErasureOutcome> {
  return eraseItems(userId, deadline, userItemKeys);
}

async function eraseItems(
  userId: string,
  deadline: number,
  itemKeys: (userId: string) => Promise<Key[]>,
): Promise<ErasureOutcome> {
  if ((await eraseSeries(userId, deadline)) === 'partial' || Date.now() > deadline) return 'partial';
  const profile = keys.user(userId);
  const rest = (await itemKeys(userId)).filter((k) => !(k.PK === profile.PK && k.SK === profile.SK));
  await deleteKeys(rest);
  return 'done';
}

/**
 * What a write path does when it found its user deleted midway (UserGone): erase what the user has, its own writes
 * included, which may have landed after erasure's scan. Bounded and best effort: the second pass, queued by the
 * delete before its tombstone, finishes whatever is left (and no read sees a deleted user's data meanwhile).
 */
export async function purgeDeletedUser(userId: string, budgetMs = 10_000): Promise<void> {
  if ((await profileState(userId)) === 'live') return;
  // Only the user's own partitions: what is keyed elsewhere (tokens, codes, account links) is only ever created
  // under the user guard, so no writer can add it after the tombstone, and erasure finds what came before.
  await eraseItems(userId, Date.now() + budgetMs, userPartitionKeys);
}
