import { randomTools, round } from '#test/fakes/random.js';

/**
 * SensorBio records as its REST API shapes them (providers.md 4.10), and a deterministic generator of days of
 * them. Units as the real API sends them: cursor and biometric timestamps and workout times in epoch **ms**,
 * sleep start/end in epoch **seconds**, workout `duration`/`active_time` in seconds and `distance` in meters,
 * step-detail `Distance` in **km**, `Calories` in kcal.
 */

export type SensorbioRecord = Record<string, unknown>;

export interface SensorbioDataset {
  /** WorkoutStats `{timestamp (ms), name, activities[]}`, the `/v1/activities` cursor records. */
  activities: SensorbioRecord[];
  /** `{timestamp (ms), bpm, hrv, spo2, brpm}`, the `/v1/biometrics` cursor records. */
  biometrics: SensorbioRecord[];
  /** `/v1/sleep?date=` sessions by date (the date the night ends). */
  sleep: Record<string, SensorbioRecord[]>;
  /** `/v1/scores?date=` `data` by date. */
  scores: Record<string, SensorbioRecord>;
  /** `/v1/step/details?date=&granularity=day` bodies by date. */
  steps: Record<string, SensorbioRecord>;
}

export const emptyDataset = (): SensorbioDataset => ({
  activities: [],
  biometrics: [],
  sleep: {},
  scores: {},
  steps: {},
});

const DAY = 86_400_000;
const MINUTE = 60_000;
const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export interface GenerateSensorbioOptions {
  /** Days back from `end`'s UTC day (that day included). */
  days: number;
  /** Epoch ms; nothing later is generated. Default now. */
  end?: number;
  seed?: number | string;
  /** Account id, part of the seed and of record ids. Default `sb-user-1`. */
  userId?: string;
  /** Spacing of biometrics records. Default 15 (96 a day: two pages of 50). */
  biometricsEveryMinutes?: number;
}

const SPORTS = [
  { name: 'Run', likely: 'running', metersPerSecond: 2.8, kcalPerMinute: 11, weight: 4 },
  { name: 'Bike Ride', likely: 'cycling', metersPerSecond: 7, kcalPerMinute: 9, weight: 2 },
  { name: 'Walk', likely: 'walking', metersPerSecond: 1.4, kcalPerMinute: 4.5, weight: 2 },
  { name: 'Workout', likely: 'hiit', metersPerSecond: 0, kcalPerMinute: 10, weight: 1 },
  { name: 'Yoga', likely: null, metersPerSecond: 0, kcalPerMinute: 3.5, weight: 1 },
] as const;

const recoveryStage = (value: number) => (value >= 67 ? 'good' : value >= 34 ? 'fair' : 'poor');

/**
 * Days of one account: per UTC day the night ending that morning (listed under the day), the day's scores (the
 * sleep score is the night's), step details, biometrics every `biometricsEveryMinutes` (HRV, SpO2 and breathing
 * rate only during the night ending that morning, null otherwise) and a workout on about half the days. The same options always give the
 * same data.
 */
export function generateSensorbioDays(options: GenerateSensorbioOptions): SensorbioDataset {
  const end = options.end ?? Date.now();
  const userId = options.userId ?? 'sb-user-1';
  const every = (options.biometricsEveryMinutes ?? 15) * MINUTE;
  const data = emptyDataset();
  const lastDay = Math.floor(end / DAY) * DAY;
  for (let dayStart = lastDay - options.days * DAY; dayStart <= lastDay; dayStart += DAY) {
    const date = isoDate(dayStart);
    const rng = randomTools(`${options.seed ?? 1}|${userId}|${date}`);
    const restingBpm = rng.int(46, 60);
    const restingHrv = rng.int(35, 80);
    const spo2 = round(rng.between(94.5, 99), 1);

    const bedtime = dayStart - rng.int(30, 120) * MINUTE;
    const inBed = rng.int(390, 510);
    const wake = bedtime + inBed * MINUTE;
    const awake = rng.int(10, 45);
    const deep = rng.int(50, 100);
    const rem = rng.int(70, 120);
    const light = inBed - awake - deep - rem;
    const sleepScore = rng.int(55, 95);
    if (wake <= end) {
      data.sleep[date] = [
        {
          id: `slp_${userId}_${date}`,
          start_timestamp: Math.floor(bedtime / 1000),
          end_timestamp: Math.floor(wake / 1000),
          total_sleep_mins: deep + light + rem,
          deep_sleep_mins: deep,
          light_sleep_mins: light,
          rem_sleep_mins: rem,
          awake_time_mins: awake,
          avg_heart_rate: restingBpm + 4,
          biometrics: {
            bpm: restingBpm + 4,
            hrv: restingHrv - 3,
            spo2,
            resting_bpm: restingBpm,
            resting_hrv: restingHrv,
          },
          score: { value: sleepScore },
        },
      ];
    }

    const recovery = rng.int(20, 95);
    data.scores[date] = {
      date,
      recovery: { value: recovery, stage: recoveryStage(recovery) },
      activity: { value: rng.int(30, 95), avg: rng.int(50, 75) },
      sleep: {
        value: sleepScore,
        biometrics: { resting_bpm: restingBpm, resting_hrv: restingHrv, hrv: restingHrv - 3, spo2 },
      },
    };

    const steps = rng.int(3000, 14_000);
    data.steps[date] = {
      date,
      granularity: 'day',
      daily_steps_goal: 10_000,
      steps_goal_achieved_percentage: Math.round(steps / 100),
      metrics: [
        { name: 'Steps', value: steps, unit: '', value_is_an_avg: false },
        { name: 'Distance', value: round(steps * 0.00076, 2), unit: 'km', value_is_an_avg: false },
        { name: 'Calories', value: round(steps * 0.041, 1), unit: 'kcal', value_is_an_avg: false },
        { name: 'Duration', value: Math.round(steps / 110), unit: 'min', value_is_an_avg: false },
      ],
    };

    for (let t = dayStart; t < dayStart + DAY && t <= end; t += every) {
      const asleep = t >= bedtime && t < wake;
      data.biometrics.push({
        timestamp: t,
        bpm: asleep ? restingBpm + rng.int(0, 6) : restingBpm + rng.int(10, 35),
        hrv: asleep ? rng.int(restingHrv - 10, restingHrv + 15) : null,
        spo2: asleep ? round(rng.between(94, 99.5), 1) : null,
        brpm: asleep ? round(rng.between(12, 16.5), 1) : null,
      });
    }

    if (rng.chance(0.5)) {
      const sport = rng.weighted(SPORTS);
      const start = dayStart + rng.int(7 * 60, 19 * 60) * MINUTE;
      const minutes = rng.int(20, 75);
      const stop = start + minutes * MINUTE;
      const avgBpm = rng.int(110, 160);
      if (stop <= end) {
        data.activities.push({
          timestamp: stop,
          name: sport.name,
          activities: [
            {
              id: `act_${userId}_${date}`,
              start_time: start,
              end_time: stop,
              likely_name: sport.likely,
              calories: Math.round(minutes * sport.kcalPerMinute),
              distance: sport.metersPerSecond > 0 ? Math.round(minutes * 60 * sport.metersPerSecond) : null,
              active_time: (minutes - rng.int(0, 3)) * 60,
              duration: minutes * 60,
              cardio_metrics: {
                avg_bpm: avgBpm,
                max_bpm: avgBpm + rng.int(10, 30),
                min_bpm: rng.int(80, 100),
              },
            },
          ],
        });
      }
    }
  }
  return data;
}
