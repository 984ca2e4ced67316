import { describe, expect, it } from 'vitest';
import {
  interruptions,
  mainSession,
  nightsByWakeDate,
  physiologyWindow,
  type SleepEvent,
  summariseNight,
} from '#shared/data/summaries/sleep.js';
import type { SleepDetails, StageInterval } from '#shared/model/health-data.js';
import { toDataSource } from '#shared/store/data-sources.js';
import { sleepDetails, sourceRef } from '#test/helpers/health-data.js';

const USER = '00000000-0000-4000-8000-000000000002';
const watch = toDataSource(USER, sourceRef('apple', 'Watch7,1'));
const garmin = toDataSource(USER, sourceRef('garmin', 'Forerunner 255'));
const sources = new Map([watch, garmin].map((s) => [s.key, s]));
const t = (iso: string) => Date.parse(iso);

let counter = 0;
function session(
  sourceKey: string,
  start: string,
  end: string,
  details: Partial<SleepDetails> = {},
  zoneOffset: string | null = null,
): SleepEvent {
  return {
    category: 'sleep',
    type: 'sleep_session',
    id: `id-${++counter}`,
    userId: USER,
    sourceKey,
    createdAt: '2025-01-01T00:00:00.000Z',
    source: sourceRef('unknown', null),
    start: t(start),
    end: t(end),
    zoneOffset,
    durationSeconds: (t(end) - t(start)) / 1000,
    externalId: null,
    details: sleepDetails(details),
  };
}
/** The night these sessions make (they must share a wake-up date). */
const nightOf = (sessions: SleepEvent[]) => nightsByWakeDate(sessions, sources, () => true)[0]!;
const stage = (s: StageInterval['stage'], start: string, end: string): StageInterval => ({
  stage: s,
  start: t(start),
  end: t(end),
});

describe('sleep summary: nights', () => {
  it('a night belongs to the local date of its end, and keeps only the best source', () => {
    const apple = session(watch.key, '2025-03-01T21:00:00Z', '2025-03-02T05:00:00Z', {}, '+01:00');
    const garminNight = session(garmin.key, '2025-03-01T21:10:00Z', '2025-03-02T05:05:00Z');
    // ends 23:30 UTC on the 2nd, which is the 3rd in +02:00
    const late = session(garmin.key, '2025-03-02T20:00:00Z', '2025-03-02T23:30:00Z', {}, '+02:00');
    const nights = nightsByWakeDate([garminNight, late, apple], sources, () => true);
    expect(nights.map((n) => [n.date, n.sourceKey, n.sessions.map((s) => s.id)])).toEqual([
      ['2025-03-02', watch.key, [apple.id]],
      ['2025-03-03', garmin.key, [late.id]],
    ]);
    expect(nightsByWakeDate([garminNight, late, apple], sources, (d) => d < '2025-03-03')).toHaveLength(1);
  });

  it('main session = longest non-nap; duration = net sleep; naps counted separately', () => {
    const first = session(watch.key, '2025-03-01T22:00:00Z', '2025-03-02T01:00:00Z', {
      sleep_total_duration_minutes: 170,
      sleep_efficiency_score: 90,
      sleep_deep_minutes: 40,
      sleep_light_minutes: 100,
      sleep_rem_minutes: 30,
      sleep_awake_minutes: 10,
    });
    const second = session(
      watch.key,
      '2025-03-02T01:30:00Z',
      '2025-03-02T06:30:00Z',
      {
        sleep_total_duration_minutes: 270,
        sleep_efficiency_score: 80,
        sleep_deep_minutes: 60,
        sleep_light_minutes: 150,
        sleep_rem_minutes: 60,
        sleep_awake_minutes: 30,
      },
      '+01:00',
    );
    const nap = session(watch.key, '2025-03-02T13:00:00Z', '2025-03-02T13:40:00Z', { is_nap: true });
    const night = nightOf([first, second, nap]);
    expect(mainSession(night.sessions)?.id).toBe(second.id);
    expect(physiologyWindow(night)).toEqual({ fromMs: first.start, toMs: second.end });
    expect(summariseNight(night, sources)).toEqual({
      start_time: '2025-03-02T01:30:00Z',
      end_time: '2025-03-02T06:30:00Z',
      zone_offset: '+01:00',
      duration_minutes: 440,
      total_duration_minutes: 480,
      time_in_bed_minutes: 480,
      // (90 * 180 + 80 * 300) / 480
      efficiency_percent: 83.75,
      stages: { awake_minutes: 40, light_minutes: 250, deep_minutes: 100, rem_minutes: 90 },
      interruptions_count: null,
      nap_count: 1,
      nap_duration_minutes: 40,
      sessions: [
        {
          start_time: '2025-03-01T22:00:00Z',
          end_time: '2025-03-02T01:00:00Z',
          zone_offset: null,
          duration_minutes: 170,
          is_nap: false,
        },
        {
          start_time: '2025-03-02T01:30:00Z',
          end_time: '2025-03-02T06:30:00Z',
          zone_offset: '+01:00',
          duration_minutes: 270,
          is_nap: false,
        },
        {
          start_time: '2025-03-02T13:00:00Z',
          end_time: '2025-03-02T13:40:00Z',
          zone_offset: null,
          duration_minutes: 40,
          is_nap: true,
        },
      ],
    });
  });

  it('efficiency and stages come from the best source that reported them when the best night has none', () => {
    const apple = session(watch.key, '2025-03-01T22:00:00Z', '2025-03-02T06:00:00Z');
    const garminNight = session(garmin.key, '2025-03-01T22:05:00Z', '2025-03-02T05:55:00Z', {
      sleep_efficiency_score: 91,
      sleep_deep_minutes: 80,
      sleep_light_minutes: 260,
      sleep_rem_minutes: 90,
      sleep_awake_minutes: 20,
    });
    const night = nightOf([apple, garminNight]);
    expect(night.sourceKey).toBe(watch.key);
    expect(summariseNight(night, sources)).toMatchObject({
      start_time: '2025-03-01T22:00:00Z',
      duration_minutes: 480,
      efficiency_percent: 91,
      stages: { awake_minutes: 20, light_minutes: 260, deep_minutes: 80, rem_minutes: 90 },
    });
  });

  it('a day of naps only has no main session', () => {
    const nap = session(watch.key, '2025-03-02T13:00:00Z', '2025-03-02T13:25:00Z', { is_nap: true });
    const summary = summariseNight(nightOf([nap]), sources);
    expect(summary).toMatchObject({
      start_time: null,
      end_time: null,
      duration_minutes: null,
      total_duration_minutes: 25,
      time_in_bed_minutes: null,
      efficiency_percent: null,
      stages: null,
      interruptions_count: null,
      nap_count: 1,
      nap_duration_minutes: 25,
    });
    expect(physiologyWindow(nightOf([nap]))).toBeNull();
  });

  it('interruptions: awake stretches between the first and last sleep stage', () => {
    const withStages = (stages: StageInterval[]) =>
      session(watch.key, '2025-03-01T22:00:00Z', '2025-03-02T06:00:00Z', { sleep_stages: stages });
    expect(
      interruptions(
        withStages([
          stage('awake', '2025-03-01T22:00:00Z', '2025-03-01T22:10:00Z'), // falling asleep: not an interruption
          stage('light', '2025-03-01T22:10:00Z', '2025-03-02T00:00:00Z'),
          stage('awake', '2025-03-02T00:00:00Z', '2025-03-02T00:05:00Z'),
          stage('awake', '2025-03-02T00:05:00Z', '2025-03-02T00:07:00Z'), // same stretch
          stage('deep', '2025-03-02T00:07:00Z', '2025-03-02T02:00:00Z'),
          stage('awake', '2025-03-02T02:00:00Z', '2025-03-02T02:03:00Z'),
          stage('rem', '2025-03-02T02:03:00Z', '2025-03-02T05:50:00Z'),
          stage('awake', '2025-03-02T05:50:00Z', '2025-03-02T06:00:00Z'), // waking up: not an interruption
        ]),
      ),
    ).toBe(2);
    expect(interruptions(withStages([stage('in_bed', '2025-03-01T22:00:00Z', '2025-03-02T06:00:00Z')]))).toBe(
      0,
    );
    expect(interruptions(withStages([]))).toBeNull();
  });

  it('efficiency 0 counts as not reported; net sleep falls back to the session length', () => {
    const s = session(watch.key, '2025-03-01T23:00:00Z', '2025-03-02T06:00:00Z', {
      sleep_efficiency_score: 0,
    });
    expect(summariseNight(nightOf([s]), sources)).toMatchObject({
      duration_minutes: 420,
      efficiency_percent: null,
      nap_count: 0,
      nap_duration_minutes: 0,
      total_duration_minutes: 420,
    });
  });
});
