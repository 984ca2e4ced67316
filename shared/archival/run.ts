import { randomUUID } from 'node:crypto';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { type Cutoffs, noOutcome, runUserLifecycle } from '#shared/archival/archive-user.js';
import { sendJob } from '#shared/jobs/send.js';
import { logger } from '#shared/observability.js';
import {
  type ArchivalSettings,
  claimScheduledRun,
  getArchivalSettings,
  releaseScheduledRun,
} from '#shared/store/archival-settings.js';
import { db } from '#shared/store/client.js';
import { gsi1 } from '#shared/store/keys.js';
import { DAY_MS, dayStartOf } from '#shared/store/series-layout.js';
import { TABLE_KEYS } from '#shared/store/table.js';
import { UserGone } from '#shared/store/user-guard.js';

/**
 * The archival job (contract 10.2): the nightly schedule or `POST /settings/archival/run` starts a run; it walks
 * every user in profile order and continues itself through the `archival` queue when the users do not fit one
 * invocation. The cutoffs are fixed when the run starts, so its continuations agree on them.
 */
export const archivalJob = z.object({
  task_id: z.string().check(z.minLength(1), z.maxLength(64)),
  /** Fixed by the run's first invocation from the settings then. */
  cutoffs: z.optional(
    z.object({ archive_before: z.nullable(z.number()), purge_before: z.nullable(z.number()) }),
  ),
  /** GSI1SK of the last user finished. */
  after: z.optional(z.string().check(z.maxLength(200))),
});
export type ArchivalJob = z.output<typeof archivalJob>;

/** Hour (UTC) of the nightly run; the hourly schedule starts it at the first invocation from then. */
export const NIGHTLY_HOUR_UTC = 3;
const USERS_PER_PAGE = 25;

export function cutoffsFor(settings: ArchivalSettings, now: number): Cutoffs {
  const today = dayStartOf(now);
  const before = (days: number | null) => (days === null ? null : today - days * DAY_MS);
  return {
    archiveBefore: before(settings.archive_after_days),
    purgeBefore: before(settings.delete_after_days),
  };
}

const jobCutoffs = (cutoffs: Cutoffs) => ({
  archive_before: cutoffs.archiveBefore,
  purge_before: cutoffs.purgeBefore,
});

export const queueArchivalRun = async (taskId = randomUUID()) => {
  await sendJob('archival', archivalJob, { task_id: taskId });
  return taskId;
};

/**
 * The hourly schedule: queues the day's run once, from NIGHTLY_HOUR_UTC on, when a setting is on. Queued rather
 * than run here, so that a failing run is retried by its queue (and dead-lettered) instead of lost for the day.
 */
export async function scheduledArchival(now: number): Promise<{ started: boolean; task_id?: string }> {
  const day = new Date(now).toISOString().slice(0, 10);
  if (new Date(now).getUTCHours() < NIGHTLY_HOUR_UTC) return { started: false };
  const settings = await getArchivalSettings();
  if (settings.archive_after_days === null && settings.delete_after_days === null) return { started: false };
  if (!(await claimScheduledRun(day))) return { started: false };
  const taskId = `nightly-${day}`;
  try {
    await sendJob('archival', archivalJob, {
      task_id: taskId,
      cutoffs: jobCutoffs(cutoffsFor(settings, now)),
    });
  } catch (error) {
    await releaseScheduledRun(day);
    throw error;
  }
  return { started: true, task_id: taskId };
}

/** One invocation of a run: users until the deadline, then a continuation. */
export async function runArchival(job: ArchivalJob, deadline: number, now = Date.now()) {
  const cutoffs = job.cutoffs
    ? { archiveBefore: job.cutoffs.archive_before, purgeBefore: job.cutoffs.purge_before }
    : cutoffsFor(await getArchivalSettings(), now);
  const totals = {
    users: 0,
    rawItemsArchived: 0,
    rawItemsDiscarded: 0,
    rawItemsDeleted: 0,
    aggregatesPurged: 0,
    continued: false,
  };
  if (cutoffs.archiveBefore === null && cutoffs.purgeBefore === null) return totals;
  let after = job.after;
  for (;;) {
    const page = await usersAfter(after);
    for (const user of page) {
      if (user.deleted) {
        after = user.sortKey;
        continue;
      }
      const outcome = Date.now() > deadline ? undefined : await lifecycleOf(user.id, cutoffs, deadline);
      if (!outcome?.done) {
        await sendJob('archival', archivalJob, {
          task_id: job.task_id,
          cutoffs: jobCutoffs(cutoffs),
          ...(after === undefined ? {} : { after }),
        });
        logger.info('archival run continues', { taskId: job.task_id, ...totals });
        return { ...totals, continued: true };
      }
      totals.users++;
      totals.rawItemsArchived += outcome.rawItemsArchived;
      totals.rawItemsDiscarded += outcome.rawItemsDiscarded;
      totals.rawItemsDeleted += outcome.rawItemsDeleted;
      totals.aggregatesPurged += outcome.aggregatesPurged;
      after = user.sortKey;
    }
    if (page.length < USERS_PER_PAGE) break;
  }
  logger.info('archival run finished', { taskId: job.task_id, ...totals });
  return totals;
}

/** A user deleted meanwhile is erasure's business: nothing to do. */
async function lifecycleOf(userId: string, cutoffs: Cutoffs, deadline: number) {
  try {
    return await runUserLifecycle(userId, cutoffs, deadline);
  } catch (error) {
    if (error instanceof UserGone) return noOutcome();
    throw error;
  }
}

/** User profiles in GSI1 order after `after`. */
async function usersAfter(
  after: string | undefined,
): Promise<Array<{ id: string; sortKey: string; deleted: boolean }>> {
  const { doc, table } = db();
  const out = await doc.send(
    new QueryCommand({
      TableName: table,
      IndexName: TABLE_KEYS.gsi1.indexName,
      KeyConditionExpression: after === undefined ? 'GSI1PK = :pk' : 'GSI1PK = :pk AND GSI1SK > :after',
      ExpressionAttributeValues: {
        ':pk': gsi1.allUsers,
        ...(after === undefined ? {} : { ':after': after }),
      },
      ProjectionExpression: 'id, GSI1SK, deleted_at',
      Limit: USERS_PER_PAGE,
    }),
  );
  return (out.Items ?? []).map((item) => ({
    id: item.id as string,
    sortKey: item.GSI1SK as string,
    deleted: item.deleted_at !== undefined,
  }));
}
