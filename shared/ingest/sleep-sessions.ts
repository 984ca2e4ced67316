import { emissionEnabled, emitEvents } from '#shared/delivery/emit.js';
import { recordEvents } from '#shared/delivery/payloads.js';
import { writingFor } from '#shared/ingest/persist.js';
import type { SleepSegment } from '#shared/ingest/sdk-normalise.js';
import {
  buildSleepEvent,
  groupSegmentsIntoSessions,
  isReadyToFinalise,
  SLEEP_END_GAP_MINUTES,
} from '#shared/ingest/sleep-assembly.js';
import type { SourceRef } from '#shared/model/health-data.js';
import type { ProviderName } from '#shared/model/provider.js';
import { UNKNOWN_SOURCE } from '#shared/model/sources.js';
import { logger } from '#shared/observability.js';
import { ContentionError } from '#shared/store/contention.js';
import { dataSourcesByKey, sourceRefOf } from '#shared/store/data-sources.js';
import { newStoredEvent, queryEvents, type StoredEvent } from '#shared/store/events.js';
import { loadSourcePriorities } from '#shared/store/priorities.js';
import {
  clearSleepEmission,
  commitSleepState,
  getPendingSleep,
  listStalePendingSleep,
  listUnemittedSleepUsers,
  type PendingSegment,
  pendingSleepEmissions,
  sleepSlot,
} from '#shared/store/sleep-pending.js';
import { UserGone } from '#shared/store/user-guard.js';

const GAP_MS = SLEEP_END_GAP_MINUTES * 60_000;
const DAY_MS = 86_400_000;
const MAX_ATTEMPTS = 10;
/** How long a segment that cannot open a session (e.g. `awake` first) waits for the rest of its night. */
const ORPHAN_WAIT_MS = DAY_MS;

/** A segment as stored, in the pending slot and in its night: the source is named by its data source key. */
export type StoredSegment = PendingSegment & { sourceKey: string };

/** A stored night keeps the raw segments it was built from (before per-user merging: without `sourceKey`). */
type StoredNight = Extract<StoredEvent, { category: 'sleep' }> & { segments?: PendingSegment[] };

const segmentKey = (s: StoredSegment) => `${s.sourceKey}|${s.start}|${s.end}|${s.stage}`;

/** One copy per segment; among re-sent copies that differ in metadata the same one wins whatever the order. */
function uniqueSegments(segments: StoredSegment[]): StoredSegment[] {
  const rank = (s: StoredSegment) => `${s.zoneOffset ?? ''}|${s.externalId ?? ''}`;
  const chosen = new Map<string, StoredSegment>();
  for (const s of segments) {
    const current = chosen.get(segmentKey(s));
    if (!current || rank(s) < rank(current)) chosen.set(segmentKey(s), s);
  }
  return [...chosen.values()];
}

const nightSegments = (night: StoredNight): StoredSegment[] =>
  (night.segments ?? []).map((s) => ({ ...s, sourceKey: s.sourceKey ?? night.sourceKey }));

const toStored = ({
  source: _source,
  receivedAt: _receivedAt,
  ...segment
}: StoredSegment & { source: SourceRef }) => segment;

/** The user's sources as the assembly sees them: one `SourceRef` object per key, and back. */
async function userSources(userId: string) {
  const refs = new Map(
    [...(await dataSourcesByKey(userId))].map(([key, record]) => [key, sourceRefOf(record)]),
  );
  const keyOf = new Map([...refs].map(([key, ref]) => [ref, key]));
  return { refs, keyOf };
}

type Sources = Awaited<ReturnType<typeof userSources>>;

/** Stored SDK nights of the provider that a new segment could belong to (within the gap of `from`..`to`). */
async function nearbyNights(
  userId: string,
  provider: ProviderName,
  sources: Sources,
  from: number,
  to: number,
) {
  const events = await queryEvents(
    userId,
    'sleep',
    from - DAY_MS - GAP_MS,
    to + GAP_MS,
    (key) => sources.refs.get(key) ?? UNKNOWN_SOURCE,
  );
  // Raw segments (in-bed included) bound a night for grouping; its start/end come from the stages alone.
  return (events as StoredNight[]).filter((e) => {
    const segments = e.segments ?? [];
    if (sources.refs.get(e.sourceKey)?.provider !== provider || segments.length === 0) return false;
    const start = Math.min(...segments.map((s) => s.start));
    const end = Math.max(...segments.map((s) => s.end));
    return end + GAP_MS >= from && start - GAP_MS <= to;
  });
}

/**
 * Adds stage segments of one SDK provider's sources to the user's sleep and commits the result atomically: the
 * new segments are grouped together with the still-open ones and with the stored nights they touch, whatever
 * source recorded them (sleep-assembly.ts); every group that ended at least the gap ago, or that extends a stored
 * night, is (re)built as one night replacing the nights it absorbed; the rest stays open. Segments of one night
 * may arrive in any number of batches, in any order, more than once: the stored night is the same. Each night
 * built (created, or merged with what arrived) emits `sleep.created` once committed: the events are committed
 * with the nights and emitted afterwards, together with any the user's earlier steps could not emit
 * (`emitPendingNights`).
 * `absorbSlot` names a per-source slot of the former layout whose segments join in and which is then deleted.
 */
export async function assembleSleep(
  userId: string,
  provider: ProviderName,
  incoming: StoredSegment[],
  now: number,
  absorbSlot?: string,
): Promise<void> {
  const [sources, priorities] = await Promise.all([userSources(userId), loadSourcePriorities()]);
  const arrived: StoredSegment[] = incoming.map((s) => ({ ...s, receivedAt: now }));
  const slot = sleepSlot(provider);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const pending = await getPendingSleep(userId, slot);
    const absorbed = absorbSlot ? await getPendingSleep(userId, absorbSlot) : undefined;
    const fresh = [
      ...pending.segments,
      ...(absorbed?.segments ?? []).map((s) => ({ ...s, sourceKey: absorbSlot })),
      ...arrived,
    ].filter((s): s is StoredSegment => s.sourceKey !== undefined && sources.refs.has(s.sourceKey));
    const nights =
      fresh.length === 0
        ? []
        : await nearbyNights(
            userId,
            provider,
            sources,
            Math.min(...fresh.map((s) => s.start)),
            Math.max(...fresh.map((s) => s.end)),
          );
    const storedKeys = new Map<string, StoredNight>();
    for (const night of nights) for (const s of nightSegments(night)) storedKeys.set(segmentKey(s), night);
    const all = uniqueSegments([...nights.flatMap(nightSegments), ...fresh]);

    const removed = new Map<string, StoredNight>();
    const added: StoredEvent[] = [];
    const open: StoredSegment[] = [];
    const grouped = new Set<string>();
    const withSources = all.map((s) => ({ ...s, source: sources.refs.get(s.sourceKey)! }));
    for (const session of groupSegmentsIntoSessions(withSources, SLEEP_END_GAP_MINUTES)) {
      for (const s of session) grouped.add(segmentKey(s));
      const absorbedNights = session
        .map((s) => storedKeys.get(segmentKey(s)))
        .filter((n): n is StoredNight => n !== undefined);
      if (absorbedNights.length === 0 && !isReadyToFinalise(session, now, SLEEP_END_GAP_MINUTES)) {
        open.push(...session.map(({ source: _source, ...segment }) => segment));
        continue;
      }
      for (const night of absorbedNights) removed.set(night.id, night);
      const built = buildSleepEvent(session, priorities);
      const night = { ...built, segments: built.segments.map(toStored) };
      added.push(newStoredEvent(userId, sources.keyOf.get(built.source)!, night));
    }
    const orphans = uniqueSegments(fresh).filter(
      (s) => !grouped.has(segmentKey(s)) && (s.receivedAt ?? now) > now - ORPHAN_WAIT_MS,
    );
    open.push(...orphans);
    const events = emissionEnabled() ? recordEvents(added) : [];
    const finalised = { removed: [...removed.values()], added, events };
    const absorbedSlot = absorbSlot && absorbed ? { slot: absorbSlot, version: absorbed.version } : undefined;
    if (await commitSleepState(userId, slot, open, pending.version, finalised, absorbedSlot)) {
      await emitPendingNights(userId);
      return;
    }
    await new Promise((r) => setTimeout(r, 20 + Math.random() * 50 * (attempt + 1)));
  }
  throw new ContentionError('sleep assembly');
}

/**
 * Emits the user's committed `sleep.created` events not emitted yet, each set cleared once the queue took it.
 * Never throws: the nights are committed and the events stay recorded, so a failure is logged with their ids
 * and the user's next sleep write, or the finaliser, emits them (same ids and timestamps).
 */
export async function emitPendingNights(userId: string): Promise<void> {
  if (!emissionEnabled()) return;
  let eventIds: string[] = [];
  try {
    for (const { sk, events } of await pendingSleepEmissions(userId)) {
      eventIds = events.map((e) => e.id);
      await emitEvents(events);
      await clearSleepEmission(userId, sk);
    }
  } catch (error) {
    logger.error('sleep events not emitted (or not cleared); kept for the next attempt', {
      userId,
      eventIds,
      error: (error as Error).message,
    });
  }
}

/** The segments of one SDK batch, by provider, in their stored form. */
export function segmentsByProvider(segments: SleepSegment[], keyOf: (source: SourceRef) => string) {
  const groups = new Map<ProviderName, StoredSegment[]>();
  for (const { source, ...segment } of segments) {
    groups.set(source.provider, [
      ...(groups.get(source.provider) ?? []),
      { ...segment, sourceKey: keyOf(source) },
    ]);
  }
  return groups;
}

/** Committed sleep events younger than this are left to the write that committed them, which is emitting them. */
const EMISSION_GRACE_MS = 60_000;

/** Emits the sleep events that the writes which committed them failed to emit (see `emitPendingNights`). */
export async function emitStaleSleepEvents(now: number, deadline: number): Promise<number> {
  let users = 0;
  for (const userId of await listUnemittedSleepUsers(now - EMISSION_GRACE_MS)) {
    if (Date.now() > deadline) break;
    await emitPendingNights(userId);
    users++;
  }
  return users;
}

/**
 * Finalises sessions whose last segment ended at least the gap ago but that no later push closed; a slot of the
 * former per-source layout is folded into its provider's slot on the way.
 */
export async function finaliseStaleSleep(now: number, deadline: number): Promise<number> {
  const stale = await listStalePendingSleep(now - GAP_MS);
  let finalised = 0;
  for (const { userId, slot } of stale) {
    if (Date.now() > deadline) break;
    const provider = slot.startsWith('sdk:')
      ? (slot.slice(4) as ProviderName)
      : (await dataSourcesByKey(userId)).get(slot)?.provider;
    if (!provider) continue;
    try {
      const absorb = slot.startsWith('sdk:') ? undefined : slot;
      await writingFor(userId, () => assembleSleep(userId, provider, [], now, absorb));
      finalised++;
    } catch (error) {
      // Deleted meanwhile: erased, nothing to finalise.
      if (!(error instanceof UserGone)) throw error;
    }
  }
  return finalised;
}
