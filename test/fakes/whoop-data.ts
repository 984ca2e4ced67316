/**
 * WHOOP API v2 records as the API returns them (providers.md 4.4) and a deterministic generator of a member's days:
 * one physiological cycle per day starting at sleep onset, the night's sleep (sometimes a nap too), the morning's
 * recovery, and most days a workout; a few records are left unscored as WHOOP does (`PENDING_SCORE`,
 * `UNSCORABLE`).
 */
import { randomTools, round } from '#test/fakes/random.js';

export const DEFAULT_WHOOP_USER = 10129;

export type ScoreState = 'SCORED' | 'PENDING_SCORE' | 'UNSCORABLE';

export interface WhoopCycle {
  id: number;
  user_id: number;
  created_at: string;
  updated_at: string;
  start: string;
  end?: string;
  timezone_offset: string;
  score_state: ScoreState;
  score?: { strain: number; kilojoule: number; average_heart_rate: number; max_heart_rate: number };
}

/** What a sleep and a workout both have. */
interface WhoopActivity {
  id: string;
  v1_id?: number;
  user_id: number;
  created_at: string;
  updated_at: string;
  start: string;
  end: string;
  timezone_offset: string;
  score_state: ScoreState;
}

export interface WhoopSleep extends WhoopActivity {
  cycle_id: number;
  nap: boolean;
  score?: {
    stage_summary: Record<string, number>;
    sleep_needed: Record<string, number>;
    respiratory_rate: number;
    sleep_performance_percentage: number;
    sleep_consistency_percentage: number;
    sleep_efficiency_percentage: number;
  };
}

export interface WhoopRecovery {
  cycle_id: number;
  sleep_id: string;
  user_id: number;
  created_at: string;
  updated_at: string;
  score_state: ScoreState;
  score?: {
    user_calibrating: boolean;
    recovery_score: number;
    resting_heart_rate: number;
    hrv_rmssd_milli: number;
    spo2_percentage: number;
    skin_temp_celsius: number;
  };
}

export interface WhoopWorkout extends WhoopActivity {
  sport_name: string;
  score?: {
    strain: number;
    average_heart_rate: number;
    max_heart_rate: number;
    kilojoule: number;
    percent_recorded: number;
    distance_meter?: number;
    altitude_gain_meter?: number;
    altitude_change_meter?: number;
    zone_durations: Record<string, number>;
  };
}

export interface WhoopBody {
  height_meter: number;
  weight_kilogram: number;
  max_heart_rate: number;
}

export interface WhoopDays {
  cycles: WhoopCycle[];
  sleeps: WhoopSleep[];
  recoveries: WhoopRecovery[];
  workouts: WhoopWorkout[];
}

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;

export const whoopIso = (ms: number) => new Date(ms).toISOString();

/** Offset text -> ms east of UTC (`-05:00` -> -18,000,000). */
const offsetMs = (offset: string) => {
  const match = /^([+-])(\d{2}):(\d{2})$/.exec(offset);
  return match
    ? (match[1] === '-' ? -1 : 1) * (Number(match[2]) * HOUR_MS + Number(match[3]) * MINUTE_MS)
    : 0;
};

/** A version-4-shaped UUID from the generator (deterministic per seed). */
function uuidFrom(next: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(next() * 16).toString(16)).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20)}`;
}

export interface SleepInput {
  userId?: number;
  cycleId: number;
  start: number;
  durationMs: number;
  nap?: boolean;
  timezoneOffset?: string;
  scoreState?: ScoreState;
  seed?: string | number;
}

/** One sleep with stage totals adding up to its time in bed. */
export function whoopSleep(input: SleepInput): WhoopSleep {
  const r = randomTools(input.seed ?? `${input.cycleId}:${input.start}`);
  const end = input.start + input.durationMs;
  const awake = Math.round(input.durationMs * r.between(0.04, 0.12));
  const asleep = input.durationMs - awake;
  const deep = Math.round(asleep * r.between(0.15, 0.25));
  const rem = Math.round(asleep * r.between(0.18, 0.26));
  const state = input.scoreState ?? 'SCORED';
  return {
    id: uuidFrom(r.next),
    cycle_id: input.cycleId,
    user_id: input.userId ?? DEFAULT_WHOOP_USER,
    created_at: whoopIso(end + 2 * MINUTE_MS),
    updated_at: whoopIso(end + 5 * MINUTE_MS),
    start: whoopIso(input.start),
    end: whoopIso(end),
    timezone_offset: input.timezoneOffset ?? '-05:00',
    nap: input.nap ?? false,
    score_state: state,
    ...(state === 'SCORED'
      ? {
          score: {
            stage_summary: {
              total_in_bed_time_milli: input.durationMs,
              total_awake_time_milli: awake,
              total_no_data_time_milli: 0,
              total_light_sleep_time_milli: asleep - deep - rem,
              total_slow_wave_sleep_time_milli: deep,
              total_rem_sleep_time_milli: rem,
              sleep_cycle_count: r.int(2, 6),
              disturbance_count: r.int(3, 20),
            },
            sleep_needed: {
              baseline_milli: 27_000_000,
              need_from_sleep_debt_milli: r.int(0, 3_600_000),
              need_from_recent_strain_milli: r.int(0, 1_800_000),
              need_from_recent_nap_milli: 0,
            },
            respiratory_rate: round(r.between(13, 18), 6),
            sleep_performance_percentage: r.int(55, 100),
            sleep_consistency_percentage: r.int(50, 98),
            sleep_efficiency_percentage: round((asleep / input.durationMs) * 100, 6),
          },
        }
      : {}),
  };
}

/** The recovery computed after `sleep`. */
export function whoopRecovery(sleep: WhoopSleep, scoreState: ScoreState = 'SCORED'): WhoopRecovery {
  const r = randomTools(`recovery:${sleep.id}`);
  const end = Date.parse(sleep.end);
  return {
    cycle_id: sleep.cycle_id,
    sleep_id: sleep.id,
    user_id: sleep.user_id,
    created_at: whoopIso(end + 4 * MINUTE_MS),
    updated_at: whoopIso(end + 6 * MINUTE_MS),
    score_state: scoreState,
    ...(scoreState === 'SCORED'
      ? {
          score: {
            user_calibrating: false,
            recovery_score: r.int(15, 99),
            resting_heart_rate: r.int(46, 66),
            hrv_rmssd_milli: round(r.between(28, 110), 6),
            spo2_percentage: round(r.between(94, 99), 4),
            skin_temp_celsius: round(r.between(33, 35.2), 2),
          },
        }
      : {}),
  };
}

const SPORTS = [
  { name: 'running', weight: 5, distance: true },
  { name: 'cycling', weight: 3, distance: true },
  { name: 'weightlifting', weight: 3, distance: false },
  { name: 'functional-fitness', weight: 2, distance: false },
  { name: 'hiking-rucking', weight: 1, distance: true },
  { name: 'yoga', weight: 1, distance: false },
] as const;

export interface WorkoutInput {
  userId?: number;
  start: number;
  durationMs: number;
  sportName?: string;
  timezoneOffset?: string;
  scoreState?: ScoreState;
  seed?: string | number;
}

export function whoopWorkout(input: WorkoutInput): WhoopWorkout {
  const r = randomTools(input.seed ?? `workout:${input.start}`);
  const sport = input.sportName ?? r.weighted(SPORTS).name;
  const hasDistance = SPORTS.find((s) => s.name === sport)?.distance ?? false;
  const end = input.start + input.durationMs;
  const zones = [0.05, 0.15, 0.3, 0.3, 0.15, 0.05].map((share) => Math.round(input.durationMs * share));
  const names = ['zero', 'one', 'two', 'three', 'four', 'five'];
  const state = input.scoreState ?? 'SCORED';
  const minutes = input.durationMs / MINUTE_MS;
  return {
    id: uuidFrom(r.next),
    user_id: input.userId ?? DEFAULT_WHOOP_USER,
    created_at: whoopIso(end + MINUTE_MS),
    updated_at: whoopIso(end + 3 * MINUTE_MS),
    start: whoopIso(input.start),
    end: whoopIso(end),
    timezone_offset: input.timezoneOffset ?? '-05:00',
    sport_name: sport,
    score_state: state,
    ...(state === 'SCORED'
      ? {
          score: {
            strain: round(r.between(5, 17), 4),
            average_heart_rate: r.int(110, 150),
            max_heart_rate: r.int(155, 190),
            kilojoule: round(minutes * r.between(30, 50), 4),
            percent_recorded: 100,
            ...(hasDistance
              ? {
                  distance_meter: round(minutes * r.between(120, 350), 3),
                  altitude_gain_meter: round(r.between(5, 300), 3),
                  altitude_change_meter: round(r.between(-20, 20), 3),
                }
              : {}),
            zone_durations: Object.fromEntries(names.map((n, i) => [`zone_${n}_milli`, zones[i]!])),
          },
        }
      : {}),
  };
}

export interface GenerateWhoopDaysOptions {
  days: number;
  /** Epoch ms: nothing ends after it; the last cycle is the current one (no `end`). Default now. */
  end?: number;
  userId?: number;
  seed?: string | number;
  timezoneOffset?: string;
  /** Share of workouts and sleeps left unscored. Default 0.05. */
  unscoredShare?: number;
}

/** `days` days of a member's data ending at `end`, oldest first. */
export function generateWhoopDays(options: GenerateWhoopDaysOptions): WhoopDays {
  const end = options.end ?? Date.now();
  const userId = options.userId ?? DEFAULT_WHOOP_USER;
  const offset = options.timezoneOffset ?? '-05:00';
  const r = randomTools(options.seed ?? 1);
  const unscored = options.unscoredShare ?? 0.05;
  const state = (): ScoreState => (r.chance(unscored) ? r.pick(['PENDING_SCORE', 'UNSCORABLE']) : 'SCORED');
  const out: WhoopDays = { cycles: [], sleeps: [], recoveries: [], workouts: [] };
  const firstDay = Math.floor(end / DAY_MS) - options.days;
  // Local 23:00 of the day before, in UTC.
  const onsets = Array.from({ length: options.days + 1 }, (_, i) => {
    const localMidnight = (firstDay + i) * DAY_MS - offsetMs(offset);
    return localMidnight - HOUR_MS + r.int(-45, 45) * MINUTE_MS;
  }).filter((onset) => onset < end);
  onsets.forEach((onset, i) => {
    const cycleId = 93_845 + (firstDay + i) * 10 + (userId % 10);
    const next = onsets[i + 1];
    const strainState = state();
    out.cycles.push({
      id: cycleId,
      user_id: userId,
      created_at: whoopIso(onset + MINUTE_MS),
      updated_at: whoopIso(Math.min(end, (next ?? end) + MINUTE_MS)),
      start: whoopIso(onset),
      ...(next !== undefined ? { end: whoopIso(next) } : {}),
      timezone_offset: offset,
      score_state: strainState,
      ...(strainState === 'SCORED'
        ? {
            score: {
              strain: round(r.between(4, 18), 7),
              kilojoule: round(r.between(7000, 12_000), 3),
              average_heart_rate: r.int(58, 78),
              max_heart_rate: r.int(130, 188),
            },
          }
        : {}),
    });
    const night = whoopSleep({
      userId,
      cycleId,
      start: onset,
      durationMs: r.int(390, 510) * MINUTE_MS,
      timezoneOffset: offset,
      seed: `${options.seed ?? 1}:sleep:${cycleId}`,
      scoreState: state(),
    });
    if (Date.parse(night.end) + 10 * MINUTE_MS > end) return;
    out.sleeps.push(night);
    out.recoveries.push(whoopRecovery(night, night.score_state === 'SCORED' ? 'SCORED' : 'PENDING_SCORE'));
    const wake = Date.parse(night.end);
    if (r.chance(0.7)) {
      const start = wake + r.int(2, 10) * HOUR_MS;
      const workout = whoopWorkout({
        userId,
        start,
        durationMs: r.int(25, 95) * MINUTE_MS,
        timezoneOffset: offset,
        seed: `${options.seed ?? 1}:workout:${cycleId}`,
        scoreState: state(),
      });
      if (Date.parse(workout.end) + 5 * MINUTE_MS <= end) out.workouts.push(workout);
    }
    if (r.chance(0.1)) {
      const nap = whoopSleep({
        userId,
        cycleId,
        start: wake + r.int(6, 9) * HOUR_MS,
        durationMs: r.int(20, 60) * MINUTE_MS,
        nap: true,
        timezoneOffset: offset,
        seed: `${options.seed ?? 1}:nap:${cycleId}`,
      });
      if (Date.parse(nap.end) + 10 * MINUTE_MS <= end) out.sleeps.push(nap);
    }
  });
  return out;
}
