/**
 * `generateGarminDays`: deterministic, realistic Garmin days in the push format (providers.md 4.1).
 */
import {
  activityHours,
  activityMinutes,
  garminActivity,
  garminActivityDetails,
  pickActivityTemplate,
  syncMaxima,
} from '#test/fakes/garmin-activities.js';
import {
  DAY,
  DEFAULT_GARMIN_USER,
  EPOCH,
  GARMIN_PUSH_KEYS,
  GARMIN_SUMMARY_TYPES,
  type GarminDataset,
  hex,
  localDate,
  menstrualCycles,
  nightBefore,
  sleepSummary,
  userPrefix,
} from '#test/fakes/garmin-data.js';
import { randomTools, round } from '#test/fakes/random.js';

export interface GenerateGarminDaysOptions {
  /** How many local days, ending with the day of `end`. */
  days: number;
  /** Epoch ms; nothing is generated at or after it. Default now. */
  end?: number;
  /** Garmin user id stamped on every item. Default the fake's default user. */
  userId?: string;
  seed?: number | string;
  /** Seconds east of UTC. Default 3600. */
  offsetSeconds?: number;
  /** `timeOffsetHeartRateSamples` spacing in dailies. Default 15 (Garmin's). */
  heartRateSampleSeconds?: number;
  /** `activityDetails` sample spacing. Default 10 (Garmin sends up to one a second). */
  detailSampleSeconds?: number;
  /** Also menstrual-cycle (`mct`) summaries. Default true. */
  menstrualCycle?: boolean;
  deviceName?: string;
  /** Chance of a day without a workout. Default 0.2. */
  restDayChance?: number;
}

interface Workout {
  start: number;
  end: number;
  hr: number;
  type: string;
}

/**
 * Deterministic, realistic Garmin data over `days` local days ending with the day of `end`, in push format:
 * sleeps (stage map, scores, an occasional nap), dailies (totals equal to the day's epochs, heart rate every
 * `heartRateSampleSeconds`), 15-minute epochs, hrv, stressDetails with body battery, allDayRespiration, pulseox,
 * skinTemp, userMetrics, activities with activityDetails, and now and then bodyComps, bloodPressures,
 * healthSnapshot, moveIQActivities; mct once per cycle. The same (seed, user, date) always gives the same day.
 */
export function generateGarminDays(options: GenerateGarminDaysOptions): GarminDataset {
  const userId = options.userId ?? DEFAULT_GARMIN_USER;
  const seed = `${options.seed ?? 1}|${userId}`;
  const endS = Math.floor((options.end ?? Date.now()) / 1000);
  const offset = options.offsetSeconds ?? 3600;
  const hrStep = options.heartRateSampleSeconds ?? 15;
  const prefix = userPrefix(userId);
  const data: Required<GarminDataset> = Object.fromEntries(
    Object.values(GARMIN_SUMMARY_TYPES).map((key) => [key, []]),
  ) as unknown as Required<GarminDataset>;
  const lastDayStart = Math.floor((endS + offset) / DAY) * DAY - offset;

  for (let d = options.days - 1; d >= 0; d--) {
    const dayStart = lastDayStart - d * DAY;
    const date = localDate(dayStart, offset);
    const rng = randomTools(`${seed}|day|${date}`);
    const night = nightBefore(seed, dayStart, offset);
    const nextNight = nightBefore(seed, dayStart + DAY, offset);
    const covered = Math.min(DAY, Math.floor((endS - dayStart) / EPOCH) * EPOCH);
    if (covered <= 0) continue;
    const dayEnd = dayStart + covered;
    const asleep = (t: number) => t < night.end || t >= nextNight.start;

    if (night.end <= endS) {
      const sleep = sleepSummary(userId, night, offset, rng);
      if (rng.chance(0.15)) {
        const napStart = dayStart + rng.int(13 * 60, 15 * 60) * 60;
        const napDuration = rng.int(20, 45) * 60;
        if (napStart + napDuration <= endS)
          sleep.naps = [
            {
              napStartTimeInSeconds: napStart,
              napDurationInSeconds: napDuration,
              napOffsetInSeconds: offset,
              napValidation: 'DEVICE',
            },
          ];
      }
      data.sleeps.push(sleep);
      const hrvValues: Record<string, number> = {};
      for (let o = 0; o < night.end - night.start; o += 300) hrvValues[String(o)] = rng.int(30, 75);
      const hrvList = Object.values(hrvValues);
      data.hrv.push({
        userId,
        summaryId: `${prefix}-${hex(night.start)}-hrv`,
        calendarDate: date,
        startTimeInSeconds: night.start,
        startTimeOffsetInSeconds: offset,
        durationInSeconds: night.end - night.start,
        lastNightAvg: Math.round(hrvList.reduce((a, b) => a + b, 0) / hrvList.length),
        lastNight5MinHigh: Math.max(...hrvList),
        hrvValues,
      });
      const spo2: Record<string, number> = {};
      for (let o = 0; o < night.end - night.start; o += 120) spo2[String(o)] = rng.int(92, 99);
      data.pulseox.push({
        userId,
        summaryId: `${prefix}-${hex(night.start)}-spo2`,
        calendarDate: date,
        startTimeInSeconds: night.start,
        startTimeOffsetInSeconds: offset,
        durationInSeconds: night.end - night.start,
        timeOffsetSpo2Values: spo2,
        onDemand: false,
      });
      data.skinTemp.push({
        userId,
        summaryId: `${prefix}-${hex(night.start)}-skin`,
        calendarDate: date,
        startTimeInSeconds: night.start,
        startTimeOffsetInSeconds: offset,
        durationInSeconds: night.end - night.start,
        avgDeviationCelsius: round(rng.between(-0.8, 0.8), 1),
      });
    }

    // Workouts: none on rest days, else one or two, in the waking hours, before `end`.
    const workouts: Workout[] = [];
    const count = rng.chance(options.restDayChance ?? 0.2) ? 0 : rng.chance(0.2) ? 2 : 1;
    let cursor = night.end + 1800;
    for (let i = 0; i < count; i++) {
      const type = pickActivityTemplate(rng).type;
      const [fromHour, toHour] = activityHours(type);
      const start = Math.max(cursor, dayStart + Math.round(rng.between(fromHour, toHour) * 3600));
      const duration = Math.round(rng.between(...activityMinutes(type)) * 60);
      if (start + duration > Math.min(endS, nextNight.start - 1800)) break;
      const activity = garminActivity({
        userId,
        start,
        activityType: type,
        durationInSeconds: duration,
        offsetSeconds: offset,
        seed: options.seed ?? 1,
        ...(options.deviceName ? { deviceName: options.deviceName } : {}),
      });
      const details = garminActivityDetails(activity, options.detailSampleSeconds ?? 10);
      syncMaxima(activity, details);
      data.activities.push(activity);
      data.activityDetails.push(details);
      workouts.push({
        start,
        end: start + duration,
        hr: activity.averageHeartRateInBeatsPerMinute as number,
        type,
      });
      cursor = start + duration + 3600;
    }
    const workoutAt = (t: number) => workouts.find((w) => t >= w.start && t < w.end);
    const hrAt = (t: number, noise: number) => {
      const workout = workoutAt(t);
      if (workout) return Math.round(workout.hr + noise * 8);
      if (asleep(t)) return Math.round(night.restingHr + 2 + noise * 3);
      return Math.round(night.restingHr + 18 + noise * 10);
    };

    // Heart rate, stress and body battery through the day.
    const hrSamples: Record<string, number> = {};
    for (let o = 0; o < covered; o += hrStep) hrSamples[String(o)] = hrAt(dayStart + o, rng.between(-1, 1));
    const stress: Record<string, number> = {};
    const bodyBattery: Record<string, number> = {};
    let battery = rng.between(25, 45);
    let charged = 0;
    let drained = 0;
    for (let o = 0; o < covered; o += 180) {
      const t = dayStart + o;
      const workout = workoutAt(t);
      let level: number;
      if (workout) level = -2;
      else if (rng.chance(0.01)) level = -1;
      else if (asleep(t)) level = rng.int(5, 22);
      else level = Math.max(1, Math.min(99, Math.round(rng.between(15, 55) + (rng.chance(0.1) ? 30 : 0))));
      stress[String(o)] = level;
      const before = battery;
      if (asleep(t)) battery = Math.min(100, battery + rng.between(0.6, 1.1));
      else battery = Math.max(5, battery - (workout ? rng.between(0.8, 1.5) : rng.between(0.1, 0.35)));
      if (battery > before) charged += battery - before;
      else drained += before - battery;
      bodyBattery[String(o)] = Math.round(battery);
    }
    data.stressDetails.push({
      userId,
      summaryId: `${prefix}-${hex(dayStart)}-stress`,
      calendarDate: date,
      startTimeInSeconds: dayStart,
      startTimeOffsetInSeconds: offset,
      durationInSeconds: covered,
      timeOffsetStressLevelValues: stress,
      timeOffsetBodyBatteryValues: bodyBattery,
    });
    const breaths: Record<string, number> = {};
    for (let o = 0; o < covered; o += 300) {
      const t = dayStart + o;
      breaths[String(o)] = round(
        workoutAt(t) ? rng.between(25, 38) : asleep(t) ? rng.between(12, 15) : rng.between(14, 18),
        2,
      );
    }
    data.allDayRespiration.push({
      userId,
      summaryId: `${prefix}-${hex(dayStart)}-resp`,
      startTimeInSeconds: dayStart,
      startTimeOffsetInSeconds: offset,
      durationInSeconds: covered,
      timeOffsetEpochToBreaths: breaths,
    });

    // Epochs, then the daily totals from them.
    let steps = 0;
    let distance = 0;
    let activeKcal = 0;
    let activeTime = 0;
    let moderate = 0;
    let vigorous = 0;
    for (let slot = dayStart; slot + EPOCH <= dayEnd; slot += EPOCH) {
      const workout = workoutAt(slot + EPOCH / 2);
      const sleeping = asleep(slot + EPOCH / 2);
      const onFoot = workout && /RUN|WALK|HIK/.test(workout.type);
      const activityType = sleeping
        ? 'SLEEPING'
        : workout
          ? onFoot
            ? workout.type.includes('RUN')
              ? 'RUNNING'
              : 'WALKING'
            : 'GENERIC'
          : rng.chance(0.25)
            ? 'WALKING'
            : 'SEDENTARY';
      const slotSteps =
        activityType === 'RUNNING'
          ? rng.int(2200, 2600)
          : activityType === 'WALKING'
            ? rng.int(500, 1400)
            : activityType === 'GENERIC'
              ? rng.int(50, 400)
              : activityType === 'SEDENTARY'
                ? rng.int(0, 150)
                : 0;
      const stride = activityType === 'RUNNING' ? 1.1 : 0.75;
      const kcal =
        activityType === 'RUNNING'
          ? rng.int(120, 170)
          : activityType === 'GENERIC'
            ? rng.int(40, 100)
            : activityType === 'WALKING'
              ? rng.int(15, 40)
              : activityType === 'SEDENTARY'
                ? rng.int(0, 4)
                : 0;
      const active =
        activityType === 'SLEEPING' || activityType === 'SEDENTARY' ? rng.int(0, 60) : rng.int(600, 900);
      const hrs = [0, 300, 600].map((o) => hrAt(slot + o, rng.between(-1, 1)));
      const intensity =
        activityType === 'RUNNING' || activityType === 'GENERIC'
          ? 'HIGHLY_ACTIVE'
          : active > 300
            ? 'ACTIVE'
            : 'SEDENTARY';
      data.epochs.push({
        userId,
        summaryId: `${prefix}-${hex(slot)}-${activityType}`,
        activityType,
        activeKilocalories: kcal,
        steps: slotSteps,
        distanceInMeters: round(slotSteps * stride, 2),
        durationInSeconds: EPOCH,
        activeTimeInSeconds: active,
        startTimeInSeconds: slot,
        startTimeOffsetInSeconds: offset,
        met: round(
          activityType === 'RUNNING'
            ? rng.between(8, 11)
            : activityType === 'SLEEPING'
              ? 1
              : rng.between(1.1, 4),
          4,
        ),
        intensity,
        meanMotionIntensity: round(activityType === 'SLEEPING' ? 0 : rng.between(0.5, 6), 1),
        maxMotionIntensity: round(activityType === 'SLEEPING' ? 0 : rng.between(3, 7), 1),
        meanHeartRateInBeatsPerMinute: Math.round(hrs.reduce((a, b) => a + b, 0) / hrs.length),
        maxHeartRateInBeatsPerMinute: Math.max(...hrs),
      });
      steps += slotSteps;
      distance += slotSteps * stride;
      activeKcal += kcal;
      activeTime += active;
      if (intensity === 'HIGHLY_ACTIVE') vigorous += active;
      else if (intensity === 'ACTIVE') moderate += active;
    }
    const hrValues = Object.values(hrSamples);
    const awakeStress = Object.entries(stress)
      .filter(([o, v]) => v > 0 && !asleep(dayStart + Number(o)))
      .map(([, v]) => v);
    const averageStress = awakeStress.length
      ? Math.round(awakeStress.reduce((a, b) => a + b, 0) / awakeStress.length)
      : -1;
    const stressSeconds = (low: number, high: number) =>
      Object.values(stress).filter((v) => v >= low && v <= high).length * 180;
    data.dailies.push({
      userId,
      summaryId: `${prefix}-${hex(dayStart)}-${hex(covered)}-0`,
      calendarDate: date,
      activityType: 'WALKING',
      startTimeInSeconds: dayStart,
      startTimeOffsetInSeconds: offset,
      durationInSeconds: covered,
      steps,
      distanceInMeters: round(distance, 1),
      activeTimeInSeconds: activeTime,
      activeKilocalories: activeKcal,
      bmrKilocalories: Math.round((1700 * covered) / DAY),
      moderateIntensityDurationInSeconds: moderate,
      vigorousIntensityDurationInSeconds: vigorous,
      floorsClimbed: rng.int(2, 25),
      minHeartRateInBeatsPerMinute: Math.min(...hrValues),
      averageHeartRateInBeatsPerMinute: Math.round(hrValues.reduce((a, b) => a + b, 0) / hrValues.length),
      maxHeartRateInBeatsPerMinute: Math.max(...hrValues),
      restingHeartRateInBeatsPerMinute: night.restingHr,
      timeOffsetHeartRateSamples: hrSamples,
      averageStressLevel: averageStress,
      maxStressLevel: Math.max(-1, ...awakeStress),
      stressDurationInSeconds: stressSeconds(26, 100),
      restStressDurationInSeconds: stressSeconds(1, 25),
      activityStressDurationInSeconds: stressSeconds(-2, -2),
      lowStressDurationInSeconds: stressSeconds(26, 50),
      mediumStressDurationInSeconds: stressSeconds(51, 75),
      highStressDurationInSeconds: stressSeconds(76, 100),
      stressQualifier:
        averageStress < 0
          ? 'unknown'
          : averageStress < 26
            ? 'calm'
            : averageStress < 51
              ? 'balanced'
              : averageStress < 76
                ? 'stressful'
                : 'very_stressful',
      bodyBatteryChargedValue: Math.round(charged),
      bodyBatteryDrainedValue: Math.round(drained),
      stepsGoal: 10_000,
      floorsClimbedGoal: 10,
      intensityDurationGoalInSeconds: 9000,
    });
    data.userMetrics.push({
      userId,
      summaryId: `${prefix}-${date}-metrics`,
      calendarDate: date,
      vo2Max: round(48 + rng.between(-0.6, 0.6), 1),
      vo2MaxCycling: round(45 + rng.between(-0.6, 0.6), 1),
      fitnessAge: 31,
      enhanced: true,
    });

    // Occasional measurements, each only when already in the past.
    const at = (fromHour: number, toHour: number) =>
      dayStart + Math.round(rng.between(fromHour, toHour) * 3600);
    const past = (t: number) => t < endS;
    const weighIn = at(7, 8);
    if (rng.chance(0.3) && past(weighIn)) {
      const weight = Math.round(72_500 + rng.between(-900, 900));
      data.bodyComps.push({
        userId,
        summaryId: `${prefix}-${hex(weighIn)}-body`,
        measurementTimeInSeconds: weighIn,
        measurementTimeOffsetInSeconds: offset,
        weightInGrams: weight,
        bodyMassIndex: round(weight / 1000 / 1.78 ** 2, 1),
        bodyFatInPercent: round(rng.between(15.5, 18.5), 1),
        muscleMassInGrams: Math.round(weight * 0.45),
        boneMassInGrams: 3400,
        bodyWaterInPercent: round(rng.between(56, 60), 1),
      });
    }
    const pressureAt = at(19, 21);
    if (rng.chance(0.15) && past(pressureAt)) {
      data.bloodPressures.push({
        userId,
        summaryId: `${prefix}-${hex(pressureAt)}-bp`,
        measurementTimeInSeconds: pressureAt,
        measurementTimeOffsetInSeconds: offset,
        systolic: rng.int(112, 132),
        diastolic: rng.int(70, 85),
        pulse: rng.int(58, 72),
        sourceType: rng.pick(['MANUAL', 'DEVICE']),
      });
    }
    const snapshotAt = at(10, 20);
    if (rng.chance(0.1) && past(snapshotAt + 120)) {
      const metric = (summaryType: string, low: number, high: number) => {
        const values: Record<string, number> = {};
        for (let o = 0; o < 120; o += 5) values[String(o)] = round(rng.between(low, high), 1);
        const list = Object.values(values);
        return {
          summaryType,
          minValue: Math.min(...list),
          maxValue: Math.max(...list),
          avgValue: round(list.reduce((a, b) => a + b, 0) / list.length, 1),
          epochSummaries: values,
        };
      };
      data.healthSnapshot.push({
        userId,
        summaryId: `${prefix}-${hex(snapshotAt)}-snapshot`,
        calendarDate: date,
        startTimeInSeconds: snapshotAt,
        startTimeOffsetInSeconds: offset,
        durationInSeconds: 120,
        summaries: [
          metric('heart_rate', 60, 72),
          metric('rmssd_hrv', 35, 60),
          metric('sdrr_hrv', 45, 75),
          metric('stress', 15, 35),
          metric('pulse_ox', 95, 99),
          metric('respiration', 12, 16),
        ],
      });
    }
    const moveAt = at(9, 19);
    const moveDuration = rng.int(10, 25) * 60;
    if (
      rng.chance(0.3) &&
      past(moveAt + moveDuration) &&
      !workoutAt(moveAt) &&
      !workoutAt(moveAt + moveDuration)
    ) {
      data.moveIQActivities.push({
        userId,
        summaryId: `${prefix}-${hex(moveAt)}-moveiq`,
        calendarDate: date,
        startTimeInSeconds: moveAt,
        offsetInSeconds: offset,
        durationInSeconds: moveDuration,
        activityType: 'Walking',
        activitySubType: 'Walking',
      });
    }
  }

  if (options.menstrualCycle ?? true)
    data.mct.push(...menstrualCycles(userId, lastDayStart, options.days, offset, endS));
  for (const key of GARMIN_PUSH_KEYS) if (data[key].length === 0) delete (data as GarminDataset)[key];
  return data;
}
