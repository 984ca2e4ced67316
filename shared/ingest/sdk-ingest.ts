import { emitCommitted, emitEvents } from '#shared/delivery/emit.js';
import { connectionCreated, ingestedEvents } from '#shared/delivery/payloads.js';
import { badRequest } from '#shared/http/errors.js';
import { CAP } from '#shared/http/validation.js';
import { SourceRegistry, writeSeries, writingFor } from '#shared/ingest/persist.js';
import { type NormalisedBatch, normaliseSdkBatch } from '#shared/ingest/sdk-normalise.js';
import { type PushCounts, pushRun, recordPushFailed, recordPushSaved } from '#shared/ingest/sdk-runs.js';
import { assembleSleep, segmentsByProvider } from '#shared/ingest/sleep-sessions.js';
import type { SourceRef } from '#shared/model/health-data.js';
import {
  canonicalProvider,
  LEGACY_HEALTH_CONNECT,
  SDK_PUSH_PROVIDERS,
  type SdkProvider,
  type SdkPushProvider,
} from '#shared/model/provider.js';
import { BUSINESS_METRICS, count, logger } from '#shared/observability.js';
import { deleteConnection, getConnection, stampSynced, upsertConnection } from '#shared/store/connections.js';
import { insertEvent, newStoredEvent } from '#shared/store/events.js';
import { UserGone } from '#shared/store/user-guard.js';

/** The SDK's `UploadDataResponse` counts, reported for real (the reference always answers zeros). */
export type IngestCounts = PushCounts;

/**
 * Persists a normalised batch; every write is idempotent, so a retried or duplicated batch changes nothing. Once
 * written, emits the batch's events (its nights emit theirs as they are assembled); should that fail, the push
 * fails and the SDK's retry emits the same ids again.
 */
export async function saveBatch(
  userId: string,
  batch: NormalisedBatch,
  now = Date.now(),
): Promise<IngestCounts> {
  const sources = new SourceRegistry(userId);
  const keyOf = (ref: SourceRef) => sources.keyOf(ref);
  const series = batch.series.map((s) => ({ series: s.series, samples: s.samples, key: keyOf(s.source) }));
  const workouts = batch.workouts.map((w) => newStoredEvent(userId, keyOf(w.source), w));
  const sleep = segmentsByProvider(batch.sleepSegments, keyOf);
  await sources.save();

  const { samples: recordsSaved } = await writeSeries(userId, series);
  let workoutsSaved = 0;
  for (const workout of workouts) if (await insertEvent(workout)) workoutsSaved++;
  for (const [provider, segments] of sleep) await assembleSleep(userId, provider, segments, now);
  await emitEvents(ingestedEvents(userId, batch.series, workouts, now));
  return {
    records_saved: recordsSaved,
    workouts_saved: workoutsSaved,
    sleep_saved: batch.received.sleep,
    dropped_count: batch.dropped,
  };
}

/** The user's connection to the SDK provider exists and is active after a push (contract 6.3.5), with no tokens. */
async function markSdkConnection(userId: string, provider: SdkProvider): Promise<void> {
  const connection = await getConnection(userId, provider);
  if (!connection && provider === 'health_connect') await retireLegacyConnection(userId);
  if (connection?.status !== 'active') {
    const none = {
      provider_user_id: null,
      provider_username: null,
      scope: null,
      tokens: null,
      token_expires_at: null,
    };
    await emitCommitted(connectionCreated(await upsertConnection(userId, provider, none)));
  }
  await stampSynced(userId, provider, new Date().toISOString());
}

/** Health Connect pushes from before the `google` -> `health_connect` split left a token-less `google` connection. */
async function retireLegacyConnection(userId: string): Promise<void> {
  const legacy = await getConnection(userId, LEGACY_HEALTH_CONNECT);
  if (legacy && legacy.tokens === null) await deleteConnection(legacy);
}

/** The push's provider, the `google` alias resolved; 400 for anything the SDK push does not carry. */
export function pushProvider(body: unknown): SdkProvider {
  const named = (body as { provider?: unknown } | null)?.provider;
  const provider = typeof named === 'string' && named.length <= CAP.id ? named.trim().toLowerCase() : '';
  if (!(SDK_PUSH_PROVIDERS as readonly string[]).includes(provider)) {
    throw badRequest(`Unsupported provider: ${provider}. Supported: ${SDK_PUSH_PROVIDERS.join(', ')}`);
  }
  return canonicalProvider(provider as SdkPushProvider);
}

/**
 * Mobile SDK push: validate the envelope (400 if broken), salvage good records, persist, count, and record the
 * batch in the sync status (sdk-runs.ts).
 */
export async function ingestSdkPush(
  userId: string,
  provider: SdkProvider,
  body: unknown,
): Promise<IngestCounts> {
  const startedAt = Date.now();
  const result = normaliseSdkBatch(body, provider);
  if (!result.ok) {
    const error = badRequest(result.error);
    await recordPushFailed(userId, provider, pushRun({ sessionId: null, type: null }), error, startedAt);
    count(BUSINESS_METRICS.sdkPushes, { provider, outcome: 'failed' });
    throw error;
  }
  const { batch } = result;
  if (batch.dropped > 0) {
    logger.info('sdk push items dropped', { userId, provider, reasons: batch.dropReasons });
  }
  const run = pushRun(batch.sync);
  return writingFor(userId, async () => {
    let counts: IngestCounts;
    try {
      counts = await saveBatch(userId, batch);
      await markSdkConnection(userId, provider);
    } catch (error) {
      if (!(error instanceof UserGone)) await recordPushFailed(userId, provider, run, error, startedAt);
      count(BUSINESS_METRICS.sdkPushes, { provider, outcome: 'failed' });
      throw error;
    }
    await recordPushSaved(userId, provider, run, counts, startedAt);
    count(BUSINESS_METRICS.sdkPushes, { provider, outcome: 'saved' });
    count(BUSINESS_METRICS.samplesIngested, { provider, source: 'sdk' }, counts.records_saved);
    return counts;
  });
}
