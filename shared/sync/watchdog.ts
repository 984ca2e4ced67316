import * as z from 'zod/mini';
import { env, positiveInt } from '#shared/config/env.js';
import { setting } from '#shared/config/settings.js';
import type { SyncProvider } from '#shared/jobs/queues.js';
import { BUSINESS_METRICS, count, logger } from '#shared/observability.js';
import { dropStaleIndex } from '#shared/store/connection-index.js';
import { getConnection } from '#shared/store/connections.js';
import { claimSlot, releaseSlot } from '#shared/store/sync-slots.js';
import { historyDays, newRunId, queueSync } from '#shared/sync/enqueue.js';
import { LIVE_OVERLAP_MS } from '#shared/sync/window.js';

/**
 * The freshness watchdog (architecture.md 7; Open Wearables users ask for it in OW#1150): a push connection whose
 * last delivery is older than `WEBHOOK_SILENCE_HOURS` may have lost webhooks (a provider outage, a subscription
 * that lapsed, our endpoint down past the provider's retries). It gets a catch-up poll of the silent window, a
 * sync run with `source: "watchdog"`; its completion advances `last_synced_at`, so one silent connection is
 * polled at most once per silence period however often the watchdog runs.
 */
export const watchdogEnvSchema = z.object({
  WEBHOOK_SILENCE_HOURS: setting(
    positiveInt(24, 24 * 30),
    'a push connection silent this many hours gets a catch-up poll (the freshness watchdog; at most 720)',
  ),
});

const HOUR_MS = 3_600_000;
/** Silent this many silence periods, a connection is stale: the catch-up polls since have not brought it back. */
const STALE_SILENCES = 2;
const DAY_MS = 86_400_000;

const latest = (...isoTimes: Array<string | null | undefined>) =>
  Math.max(...isoTimes.map((t) => (t ? Date.parse(t) : 0)).filter(Number.isFinite));

/** Queues a catch-up sync for each of `userIds` whose connection went silent; resolves to how many were queued. */
export async function queueCatchups(
  provider: SyncProvider,
  userIds: readonly string[],
  now = Date.now(),
): Promise<number> {
  const silenceMs = env(watchdogEnvSchema).WEBHOOK_SILENCE_HOURS * HOUR_MS;
  const floor = now - historyDays(provider) * DAY_MS;
  let queued = 0;
  let stale = 0;
  for (const userId of userIds) {
    const connection = await getConnection(userId, provider);
    if (connection?.status !== 'active') {
      await dropStaleIndex(userId, provider, connection !== undefined);
      continue;
    }
    const last = latest(connection.last_webhook_at, connection.last_synced_at, connection.created_at);
    if (now - last < silenceMs) continue;
    if (now - last >= STALE_SILENCES * silenceMs) stale++;
    const job = {
      run_id: newRunId(),
      // The same overlap as live pulls: a record uploaded late may start before the last delivery.
      window: { start: Math.max(floor, Math.min(last, now) - LIVE_OVERLAP_MS), end: now },
    };
    // One pending catch-up per connection: one held up by a rate limit is not queued again every hour.
    if (await claimSlot(userId, provider, 'catchup', job, now)) continue;
    try {
      await queueSync({ ...job, user_id: userId, provider, mode: 'catchup', source: 'watchdog' });
    } catch (error) {
      await releaseSlot(userId, provider, 'catchup', job.run_id);
      throw error;
    }
    queued++;
  }
  count(BUSINESS_METRICS.staleConnections, { provider }, stale, { total: true });
  if (queued > 0) logger.info('watchdog queued catch-up polls', { provider, queued });
  return queued;
}
