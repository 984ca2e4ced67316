import { writingFor } from '#shared/ingest/persist.js';
import {
  buildSleepEvent,
  groupSegmentsIntoSessions,
  isReadyToFinalise,
  type NightSegment,
  SLEEP_END_GAP_MINUTES,
} from '#shared/ingest/sleep-assembly.js';
import type { SourceRef } from '#shared/model/health-data.js';
import { ContentionError } from '#shared/store/contention.js';
import { dataSourcesByKey, sourceRefOf } from '#shared/store/data-sources.js';
import { newStoredEvent, queryEvents, type StoredEvent } from '#shared/store/events.js';
import { commitSleepState, getPendingSleep, listStalePendingSleep } from '#shared/store/sleep-pending.js';
import { UserGone } from '#shared/store/user-guard.js';

const GAP_MS = SLEEP_END_GAP_MINUTES * 60_000;
const DAY_MS = 86_400_000;
const MAX_ATTEMPTS = 10;
/** How long a segment that cannot open a session (e.g. `awake` first) waits for the rest of its night. */
const ORPHAN_WAIT_MS = DAY_MS;

/** A stored night keeps the raw segments it was built from, so later segments can be folded into it. */
type StoredNight = Extract<StoredEvent, { category: 'sleep' }> & { segments?: NightSegment[] };
type Pending = NightSegment & { receivedAt?: number };

const segmentKey = (s: NightSegment) => `${s.start}|${s.end}|${s.stage}`;

/** One copy per segment; among re-sent copies that differ in metadata the same one wins whatever the order. */
function uniqueSegments<T extends NightSegment>(segments: T[]): T[] {
  const rank = (s: NightSegment) => `${s.zoneOffset ?? ''}|${s.externalId ?? ''}`;
  const chosen = new Map<string, T>();
  for (const s of segments) {
    const current = chosen.get(segmentKey(s));
    if (!current || rank(s) < rank(current)) chosen.set(segmentKey(s), s);
  }
  return [...chosen.values()];
}

/** Stored nights of the source that a new segment could belong to (within the gap of `from`..`to`). */
async function nearbyNights(userId: string, sourceKey: string, source: SourceRef, from: number, to: number) {
  const events = await queryEvents(userId, 'sleep', from - DAY_MS - GAP_MS, to + GAP_MS, () => source);
  // Raw segments (in-bed included) bound a night for grouping; its start/end come from the stages alone.
  return (events as StoredNight[]).filter((e) => {
    const segments = e.segments ?? [];
    if (e.sourceKey !== sourceKey || segments.length === 0) return false;
    const start = Math.min(...segments.map((s) => s.start));
    const end = Math.max(...segments.map((s) => s.end));
    return end + GAP_MS >= from && start - GAP_MS <= to;
  });
}

/**
 * Adds stage segments of one source to the user's sleep and commits the result atomically: the new segments
 * are grouped together with the still-open ones and with the stored nights they touch; every group that
 * ended at least the gap ago, or that extends a stored night, is (re)built as one night replacing the nights
 * it absorbed; the rest stays open. Segments of one night may arrive in any number of batches, in any order,
 * more than once: the stored night is the same.
 */
export async function assembleSleep(
  userId: string,
  sourceKey: string,
  source: SourceRef,
  incoming: NightSegment[],
  now: number,
): Promise<void> {
  const arrived: Pending[] = incoming.map((s) => ({ ...s, receivedAt: now }));
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const pending = await getPendingSleep(userId, sourceKey);
    const fresh: Pending[] = [...pending.segments, ...arrived];
    const nights =
      fresh.length === 0
        ? []
        : await nearbyNights(
            userId,
            sourceKey,
            source,
            Math.min(...fresh.map((s) => s.start)),
            Math.max(...fresh.map((s) => s.end)),
          );
    const storedKeys = new Map<string, StoredNight>();
    for (const night of nights) for (const s of night.segments ?? []) storedKeys.set(segmentKey(s), night);
    const all = uniqueSegments([...nights.flatMap((n) => n.segments ?? []), ...fresh]);

    const removed = new Map<string, StoredNight>();
    const added: StoredEvent[] = [];
    const open: Pending[] = [];
    const grouped = new Set<string>();
    for (const session of groupSegmentsIntoSessions(
      all.map((s) => ({ ...s, source })),
      SLEEP_END_GAP_MINUTES,
    )) {
      for (const s of session) grouped.add(segmentKey(s));
      const absorbed = session
        .map((s) => storedKeys.get(segmentKey(s)))
        .filter((n): n is StoredNight => n !== undefined);
      if (absorbed.length === 0 && !isReadyToFinalise(session, now, SLEEP_END_GAP_MINUTES)) {
        open.push(...session.map(({ source: _source, ...segment }) => segment));
        continue;
      }
      for (const night of absorbed) removed.set(night.id, night);
      added.push(newStoredEvent(userId, sourceKey, buildSleepEvent(session)));
    }
    const orphans = uniqueSegments(fresh).filter(
      (s) => !grouped.has(segmentKey(s)) && (s.receivedAt ?? now) > now - ORPHAN_WAIT_MS,
    );
    open.push(...orphans);
    const finalised = { removed: [...removed.values()], added };
    if (await commitSleepState(userId, sourceKey, open, pending.version, finalised)) return;
    await new Promise((r) => setTimeout(r, 20 + Math.random() * 50 * (attempt + 1)));
  }
  throw new ContentionError('sleep assembly');
}

/** Finalises sessions whose last segment ended at least the gap ago but that no later push closed. */
export async function finaliseStaleSleep(now: number, deadline: number): Promise<number> {
  const stale = await listStalePendingSleep(now - GAP_MS);
  let finalised = 0;
  for (const { userId, sourceKey } of stale) {
    if (Date.now() > deadline) break;
    const record = (await dataSourcesByKey(userId)).get(sourceKey);
    if (!record) continue;
    try {
      await writingFor(userId, () => assembleSleep(userId, sourceKey, sourceRefOf(record), [], now));
      finalised++;
    } catch (error) {
      // Deleted meanwhile: erased, nothing to finalise.
      if (!(error instanceof UserGone)) throw error;
    }
  }
  return finalised;
}
