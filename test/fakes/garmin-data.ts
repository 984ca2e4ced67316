/**
 * Garmin Health API summaries for the fake (providers.md 4.1): the summary types, the push key of each
 * backfill endpoint, the time a summary is filed under, and the sleep and cycle builders of garmin-days.ts.
 */
import { type GarminSummary, hashOf } from '#test/fakes/garmin-activities.js';
import { type RandomTools, randomTools, round } from '#test/fakes/random.js';

export type { GarminSummary } from '#test/fakes/garmin-activities.js';

/** Backfill / pull endpoint name -> the key its summaries are pushed under. */
export const GARMIN_SUMMARY_TYPES = {
  sleeps: 'sleeps',
  dailies: 'dailies',
  epochs: 'epochs',
  bodyComps: 'bodyComps',
  hrv: 'hrv',
  stressDetails: 'stressDetails',
  respiration: 'allDayRespiration',
  pulseOx: 'pulseox',
  activities: 'activities',
  activityDetails: 'activityDetails',
  userMetrics: 'userMetrics',
  bloodPressures: 'bloodPressures',
  skinTemp: 'skinTemp',
  healthSnapshot: 'healthSnapshot',
  moveiq: 'moveIQActivities',
  mct: 'mct',
} as const;

export type GarminSummaryType = keyof typeof GARMIN_SUMMARY_TYPES;
export type GarminPushKey = (typeof GARMIN_SUMMARY_TYPES)[GarminSummaryType];
export type GarminDataset = Partial<Record<GarminPushKey, GarminSummary[]>>;

export const GARMIN_PUSH_KEYS = Object.values(GARMIN_SUMMARY_TYPES) as GarminPushKey[];

export const isGarminSummaryType = (value: string): value is GarminSummaryType =>
  Object.hasOwn(GARMIN_SUMMARY_TYPES, value);

/** The endpoint name of a push key (`allDayRespiration` -> `respiration`). */
export const summaryTypeOf = (key: GarminPushKey): GarminSummaryType =>
  (Object.keys(GARMIN_SUMMARY_TYPES) as GarminSummaryType[]).find(
    (type) => GARMIN_SUMMARY_TYPES[type] === key,
  )!;

/** Longest backfill range per request, days: 30 for the activity types, 90 for the rest (Garmin's limits). */
export const backfillMaxDays = (type: GarminSummaryType) =>
  type === 'activities' || type === 'activityDetails' ? 30 : 90;

const dateSeconds = (value: unknown) =>
  typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)
    ? Date.parse(`${value}T00:00:00Z`) / 1000
    : null;

/** When a summary happened, epoch seconds: what backfill and pull windows select on. */
export function summaryTimeSeconds(item: GarminSummary): number | null {
  for (const field of ['startTimeInSeconds', 'measurementTimeInSeconds']) {
    if (typeof item[field] === 'number') return item[field] as number;
  }
  const summary = item.summary as GarminSummary | undefined;
  if (summary && typeof summary.startTimeInSeconds === 'number') return summary.startTimeInSeconds;
  return dateSeconds(item.calendarDate) ?? dateSeconds(item.periodStartDate);
}

export const DEFAULT_GARMIN_USER = '4aacafe82427c251df9c9592d0c06768';

export const DAY = 86_400;
export const EPOCH = 900;

interface Stage {
  stage: 'deep' | 'light' | 'rem' | 'awake';
  start: number;
  end: number;
}

export interface Night {
  start: number;
  end: number;
  stages: Stage[];
  restingHr: number;
}

export const localDate = (utcSeconds: number, offset: number) =>
  new Date((utcSeconds + offset) * 1000).toISOString().slice(0, 10);

/** The night that ends on the morning of local day `dayStart`: pure in (seed, user, date). */
export function nightBefore(seed: string, dayStart: number, offset: number): Night {
  const rng = randomTools(`${seed}|night|${localDate(dayStart, offset)}`);
  const start = dayStart - rng.int(55, 125) * 60;
  const target = rng.int(390, 510) * 60;
  const stages: Stage[] = [];
  let t = start;
  const add = (stage: Stage['stage'], minutes: number) => {
    const seconds = Math.round(minutes) * 60;
    if (seconds <= 0) return;
    const last = stages.at(-1);
    if (last && last.stage === stage) last.end += seconds;
    else stages.push({ stage, start: t, end: t + seconds });
    t += seconds;
  };
  add('light', rng.between(8, 20));
  for (let cycle = 0; t - start < target; cycle++) {
    add('deep', cycle < 2 ? rng.between(25, 45) : cycle < 3 ? rng.between(8, 20) : rng.between(0, 6));
    add('light', rng.between(15, 30));
    add('rem', cycle < 1 ? rng.between(5, 12) : rng.between(12, 30));
    if (rng.chance(0.35)) add('awake', rng.between(2, 6));
    add('light', rng.between(5, 12));
  }
  add('awake', rng.between(2, 8));
  return { start, end: t, stages, restingHr: rng.int(47, 58) };
}

const qualifier = (score: number) =>
  score >= 90 ? 'EXCELLENT' : score >= 80 ? 'GOOD' : score >= 60 ? 'FAIR' : 'POOR';

export const userPrefix = (userId: string) => `x${hashOf(userId).toString(16).padStart(8, '0').slice(1)}`;
export const hex = (seconds: number) => seconds.toString(16);

export function sleepSummary(userId: string, night: Night, offset: number, rng: RandomTools): GarminSummary {
  const total = (stage: Stage['stage']) =>
    night.stages.filter((s) => s.stage === stage).reduce((sum, s) => sum + s.end - s.start, 0);
  const duration = night.end - night.start;
  const deep = total('deep');
  const rem = total('rem');
  const awake = total('awake');
  const levels: Record<string, Array<{ startTimeInSeconds: number; endTimeInSeconds: number }>> = {};
  for (const s of night.stages) {
    const interval = { startTimeInSeconds: s.start, endTimeInSeconds: s.end };
    const list = levels[s.stage];
    if (list) list.push(interval);
    else levels[s.stage] = [interval];
  }
  const asleepHours = (duration - awake) / 3600;
  const score = Math.max(
    35,
    Math.min(98, Math.round(40 + asleepHours * 6 + (deep / duration) * 60 + rng.between(-4, 4))),
  );
  const part = (seconds: number) => Math.round((seconds / duration) * 100);
  const respiration: Record<string, number> = {};
  const spo2: Record<string, number> = {};
  for (let o = 0; o < duration; o += 120) {
    respiration[String(o)] = round(rng.between(12, 15.5), 2);
    spo2[String(o)] = rng.int(92, 99);
  }
  return {
    userId,
    summaryId: `${userPrefix(userId)}-${hex(night.start)}`,
    calendarDate: localDate(night.end, offset),
    startTimeInSeconds: night.start,
    startTimeOffsetInSeconds: offset,
    durationInSeconds: duration,
    unmeasurableSleepInSeconds: 0,
    deepSleepDurationInSeconds: deep,
    lightSleepDurationInSeconds: total('light'),
    remSleepInSeconds: rem,
    awakeDurationInSeconds: awake,
    sleepLevelsMap: levels,
    validation: 'ENHANCED_FINAL',
    timeOffsetSleepRespiration: respiration,
    timeOffsetSleepSpo2: spo2,
    overallSleepScore: { value: score, qualifierKey: qualifier(score) },
    sleepScores: {
      totalDuration: { qualifierKey: qualifier(Math.round(asleepHours * 12)) },
      stress: { qualifierKey: rng.pick(['EXCELLENT', 'GOOD', 'FAIR']) },
      awakeCount: { qualifierKey: awake > 1800 ? 'FAIR' : 'GOOD' },
      remPercentage: { value: part(rem), qualifierKey: part(rem) >= 20 ? 'GOOD' : 'FAIR' },
      restlessness: { qualifierKey: rng.pick(['GOOD', 'FAIR']) },
      lightPercentage: { value: part(total('light')), qualifierKey: 'GOOD' },
      deepPercentage: { value: part(deep), qualifierKey: part(deep) >= 16 ? 'EXCELLENT' : 'FAIR' },
    },
    naps: [],
  };
}

/** One `mct` summary per cycle overlapping the days, describing it as of its last generated day. */
export function menstrualCycles(
  userId: string,
  lastDayStart: number,
  days: number,
  offset: number,
  endS: number,
): GarminSummary[] {
  const hash = hashOf(userId);
  const cycleLength = 27 + (hash % 4);
  const periodLength = 4 + (hash % 3);
  const anchor = hash % cycleLength;
  const out: GarminSummary[] = [];
  const lastIndex = Math.floor((lastDayStart + offset) / DAY);
  // Also the cycle already under way on the first day.
  for (let dayIndex = lastIndex - days - cycleLength + 2; dayIndex <= lastIndex; dayIndex++) {
    if ((dayIndex - anchor) % cycleLength !== 0) continue;
    const lastSeen = Math.min(dayIndex + cycleLength - 1, lastIndex);
    const dayInCycle = lastSeen - dayIndex + 1;
    const complete = dayIndex + cycleLength - 1 <= lastIndex;
    const ovulation = cycleLength - 14;
    const phase =
      dayInCycle <= periodLength
        ? { n: 1, type: 'MENSTRUAL', from: 1, to: periodLength }
        : dayInCycle < ovulation - 1
          ? { n: 2, type: 'FOLLICULAR', from: periodLength + 1, to: ovulation - 2 }
          : dayInCycle <= ovulation + 1
            ? { n: 3, type: 'OVULATION', from: ovulation - 1, to: ovulation + 1 }
            : { n: 4, type: 'LUTEAL', from: ovulation + 2, to: cycleLength };
    out.push({
      userId,
      summaryId: `${userPrefix(userId)}-mct-${dayIndex}`,
      periodStartDate: new Date(dayIndex * DAY * 1000).toISOString().slice(0, 10),
      dayInCycle,
      periodLength,
      currentPhase: phase.n,
      currentPhaseType: phase.type,
      lengthOfCurrentPhase: phase.to - phase.from + 1,
      daysUntilNextPhase: phase.to - dayInCycle + 1,
      predictedCycleLength: cycleLength,
      isPredictedCycle: !complete,
      ...(complete ? { cycleLength } : {}),
      lastUpdatedTimeInSeconds: Math.min(endS, (lastSeen + 1) * DAY - offset - 1),
      hasSpecifiedCycleLength: false,
      hasSpecifiedPeriodLength: false,
      fertileWindowStart: ovulation - 5,
      lengthOfFertileWindow: 6,
    });
  }
  return out;
}
