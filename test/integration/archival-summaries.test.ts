import { describe, expect, it } from 'vitest';
import { runUserLifecycle } from '#shared/archival/archive-user.js';
import { bodySummary } from '#shared/data/summaries/body.js';
import { recoverySummaries } from '#shared/data/summaries/recovery.js';
import { sleepSummaries } from '#shared/data/summaries/sleep.js';
import type { Sample } from '#shared/model/health-data.js';
import { rawItemsIn } from '#shared/store/archive-absorb.js';
import { saveDataSources, toDataSource } from '#shared/store/data-sources.js';
import { insertEvent, newStoredEvent } from '#shared/store/events.js';
import { saveScores, toStoredScore } from '#shared/store/health-scores.js';
import { DAY_MS, dayStartOf } from '#shared/store/series-layout.js';
import { writeSeriesSamples } from '#shared/store/timeseries.js';
import { sleepDetails, sourceRef } from '#test/helpers/health-data.js';
import { newUserId } from '#test/helpers/users.js';

const t = (iso: string) => Date.parse(iso);
const FAR = () => Date.now() + 600_000;
const WATCH = sourceRef('apple', 'Watch7,1', 'Apple Watch');
const sample = (timestamp: number, value: number): Sample => ({
  timestamp,
  value,
  zoneOffset: null,
  isDailyTotal: null,
});

async function newUserWithWatch() {
  const userId = await newUserId();
  const watch = toDataSource(userId, WATCH)!;
  await saveDataSources(userId, [watch]);
  return { userId, sourceKey: watch.key };
}

describe('summaries over archived days', () => {
  it('the body summary keeps an archived weight and averages archived days by their samples', async () => {
    const { userId, sourceKey } = await newUserWithWatch();
    const now = Date.now();
    const daysAgo = (n: number, hour: number) => dayStartOf(now) - n * DAY_MS + hour * 3_600_000;
    await writeSeriesSamples(userId, sourceKey, 'weight', [sample(daysAgo(100, 8), 80.5)]);
    await writeSeriesSamples(userId, sourceKey, 'resting_heart_rate', [
      sample(daysAgo(95, 6), 50),
      sample(daysAgo(95, 7), 60),
      sample(daysAgo(94, 6), 70),
    ]);
    const query = { averagePeriodDays: 120, latestWindowHours: 24, now };
    const before = await bodySummary(userId, query);
    expect(before).toMatchObject({
      slow_changing: { weight_kg: 80.5 },
      averaged: { resting_heart_rate_bpm: 60 },
    });

    // archive_after_days 90
    await runUserLifecycle(
      userId,
      { archiveBefore: dayStartOf(now) - 90 * DAY_MS, purgeBefore: null },
      FAR(),
    );
    expect(await rawItemsIn(userId, 'weight', 0, now)).toEqual([]);
    expect(await bodySummary(userId, query)).toEqual(before);
  });

  it('sleep and recovery averages come from archived days', async () => {
    const { userId, sourceKey } = await newUserWithWatch();
    await insertEvent(
      newStoredEvent(userId, sourceKey, {
        category: 'sleep',
        type: 'sleep_session',
        source: WATCH,
        start: t('2025-03-09T23:00:00Z'),
        end: t('2025-03-10T07:00:00Z'),
        zoneOffset: null,
        durationSeconds: 8 * 3600,
        externalId: null,
        details: sleepDetails({ sleep_total_duration_minutes: 450 }),
      }),
    );
    await saveScores(userId, [
      toStoredScore(userId, sourceKey, {
        source: WATCH,
        category: 'recovery',
        value: 70,
        qualifier: null,
        recordedAt: t('2025-03-10T07:00:00Z'),
        zoneOffset: null,
        components: null,
      }),
    ]);
    await writeSeriesSamples(userId, sourceKey, 'heart_rate', [
      sample(t('2025-03-10T00:30:00Z'), 50),
      sample(t('2025-03-10T01:30:00Z'), 60),
      sample(t('2025-03-10T02:30:00Z'), 70),
    ]);
    await writeSeriesSamples(userId, sourceKey, 'heart_rate_variability_sdnn', [
      sample(t('2025-03-10T03:00:00Z'), 40),
      sample(t('2025-03-10T05:00:00Z'), 50),
    ]);
    const range = { startMs: t('2025-03-10T00:00:00Z'), endMs: t('2025-03-11T00:00:00Z'), limit: 10 };
    const read = async () => ({
      sleep: await sleepSummaries(userId, range),
      recovery: await recoverySummaries(userId, range),
    });
    const before = await read();
    expect(before.sleep.data[0]).toMatchObject({ avg_heart_rate_bpm: 60, avg_hrv_sdnn_ms: 45 });
    expect(before.recovery.data[0]).toMatchObject({ avg_hrv_sdnn_ms: 45 });

    await runUserLifecycle(userId, { archiveBefore: t('2025-04-01T00:00:00Z'), purgeBefore: null }, FAR());
    expect(await rawItemsIn(userId, 'heart_rate', 0, t('2025-04-01T00:00:00Z'))).toEqual([]);
    expect(await read()).toEqual(before);
  });
});
