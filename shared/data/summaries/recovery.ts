import type * as z from 'zod/mini';
import { isArchived, meanWithArchive, readBySourceWithArchive } from '#shared/archival/archived-reads.js';
import { compareKeys, keysetPage } from '#shared/data/paging.js';
import { localDate, sourceMetadata } from '#shared/data/source-metadata.js';
import {
  anySource,
  bestSource,
  loadSources,
  localDayBounds,
  type Sources,
  type SummaryQuery,
  summaryEnvelope,
} from '#shared/data/summaries/common.js';
import type { recoverySummaryPage } from '#shared/data/summaries/schemas.js';
import {
  mainSession,
  NIGHT_LOOKBACK_MS,
  type SleepEvent,
  sleepMinutes,
  wakeDate,
} from '#shared/data/summaries/sleep.js';
import type { Sample } from '#shared/model/health-data.js';
import { roundTo } from '#shared/model/numbers.js';
import { queryEvents, type StoredEvent } from '#shared/store/events.js';
import { queryScores, type StoredScore } from '#shared/store/health-scores.js';

/**
 * `GET /users/{id}/summaries/recovery` (contract 4.7): provider recovery scores with `start <= recorded_at < end`,
 * one per date (the best source's latest score of the date), ascending. Deliberate departures from the reference:
 * - `date` is the score's local date (its zone offset; UTC when it has none, which is the reference's date);
 * - `avg_hrv_sdnn_ms` is an SDNN value: the score's `hrv_sdnn` component, else the mean of the date's
 *   `heart_rate_variability_sdnn` samples of the best source that has some (the per-field source rule of the
 *   activity summary; an archived UTC day of the same date stands for its samples); never the RMSSD component
 *   (contract 13.11);
 * - `sleep_duration_seconds` / `sleep_efficiency_percent` (always null in the reference) come from the main
 *   session of the night that ended on that date: the score source's own night when it recorded one, else the
 *   night of the best source. Duration is net sleep when reported, else the session's length.
 */

const SDNN_COMPONENTS = ['hrv_sdnn', 'hrv_sdnn_milli'];

const componentValue = (score: StoredScore, names: string[]) => {
  for (const name of names) {
    const value = score.components?.[name]?.value;
    if (typeof value === 'number') return value;
  }
  return null;
};

const scoreDate = (s: StoredScore) => localDate(s.recorded_at, s.zone_offset);

/** Per local date (ascending), the latest score of the date's best source. */
export function recoveryPerDate(scores: StoredScore[], sources: Sources) {
  const byDate = new Map<string, StoredScore[]>();
  for (const s of scores) {
    if (s.category !== 'recovery') continue;
    const date = scoreDate(s);
    const list = byDate.get(date) ?? [];
    list.push(s);
    byDate.set(date, list);
  }
  return [...byDate]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([date, candidates]) => {
      const sourceKey = bestSource(new Set(candidates.map((s) => s.source_key)), sources)!;
      const score = candidates
        .filter((s) => s.source_key === sourceKey)
        .reduce((a, b) => (b.recorded_at > a.recorded_at ? b : a));
      return { date, score };
    });
}

/** The main session of `date`'s night: of the preferred source if it recorded one, else of the best source. */
export function mainSessionOf(
  sessions: SleepEvent[],
  date: string,
  preferredSourceKey: string,
  sources: Sources,
): SleepEvent | undefined {
  const ofDate = sessions.filter((s) => wakeDate(s) === date && !s.details.is_nap);
  const own = ofDate.filter((s) => s.sourceKey === preferredSourceKey);
  if (own.length > 0) return mainSession(own);
  const best = bestSource(new Set(ofDate.map((s) => s.sourceKey)), sources);
  return mainSession(ofDate.filter((s) => s.sourceKey === best));
}

export async function recoverySummaries(
  userId: string,
  query: SummaryQuery,
): Promise<z.output<typeof recoverySummaryPage>> {
  const [{ sources }, scores] = await Promise.all([
    loadSources(userId),
    queryScores(userId, query.startMs, query.endMs),
  ]);
  const rows = recoveryPerDate(scores, sources);
  const page = keysetPage(rows, {
    cursor: query.cursor,
    limit: query.limit,
    sortKey: (row) => [row.date, row.score.id],
    compare: compareKeys,
    withTotal: false,
  });

  const days = page.data.map((row) => ({ ...row, ...localDayBounds(row.date, row.score.zone_offset) }));
  const fromMs = Math.min(...days.map((d) => d.fromMs));
  const toMs = Math.max(...days.map((d) => d.toMs));
  // An archived day starts at its date's UTC midnight, which a local day west of UTC starts after.
  const archiveFromMs = Math.min(fromMs, ...days.map((d) => Date.parse(d.date)));
  const needSdnn = days.some((d) => componentValue(d.score, SDNN_COMPONENTS) === null);
  const [sleeps, sdnnBySource] = await Promise.all([
    days.length === 0
      ? ([] as StoredEvent[])
      : queryEvents(userId, 'sleep', fromMs - NIGHT_LOOKBACK_MS, toMs, anySource),
    needSdnn
      ? readBySourceWithArchive(userId, 'heart_rate_variability_sdnn', archiveFromMs, toMs)
      : new Map<string, Sample[]>(),
  ]);
  const sessions = sleeps.filter((e): e is SleepEvent => e.category === 'sleep');
  /** Mean SDNN of the best source with samples in [from, to) or an archived day of `date`. */
  const sdnnOf = (date: string, from: number, to: number) => {
    const inDay = [...sdnnBySource].map(
      ([key, samples]) =>
        [
          key,
          samples.filter((s) =>
            isArchived(s) ? s.timestamp === Date.parse(date) : s.timestamp >= from && s.timestamp < to,
          ),
        ] as const,
    );
    const key = bestSource(
      inDay.filter(([, samples]) => samples.length > 0).map(([k]) => k),
      sources,
    );
    const samples = inDay.find(([k]) => k === key)?.[1] ?? [];
    return roundTo(meanWithArchive(samples), 1);
  };

  const data = days.map(({ date, score, fromMs: dayFrom, toMs: dayTo }) => {
    const main = mainSessionOf(sessions, date, score.source_key, sources);
    const restingHeartRate = componentValue(score, ['resting_heart_rate']);
    const sdnn = componentValue(score, SDNN_COMPONENTS) ?? sdnnOf(date, dayFrom, dayTo);
    return {
      date,
      source: sourceMetadata(sources.get(score.source_key)),
      sleep_duration_seconds: main ? Math.round(sleepMinutes(main) * 60) : null,
      sleep_efficiency_percent: main?.details.sleep_efficiency_score || null,
      resting_heart_rate_bpm: restingHeartRate === null ? null : Math.round(restingHeartRate),
      avg_hrv_sdnn_ms: sdnn,
      avg_spo2_percent: componentValue(score, ['spo2_percentage']),
      recovery_score: score.value === null ? null : Math.trunc(score.value),
    };
  });
  return summaryEnvelope(page, data, query);
}
