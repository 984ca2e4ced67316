import {
  healthKitPush,
  healthKitRecord,
  healthKitSleep,
  healthKitWorkout,
} from '#test/helpers/sdk-payloads.js';

/**
 * One iOS SDK push that fills every read of the data area: a day of heart rate and steps, energy, distance,
 * body measurements (some within the last hours, for the body summary's latest values), a run and the night
 * before, staged by the Watch with the iPhone's time in bed.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** UTC midnight three days ago: old enough for its night to be final, recent enough for 7-day averages. */
export const SAMPLE_DAY = Math.floor((Date.now() - 3 * 24 * HOUR) / (24 * HOUR)) * 24 * HOUR;

const quantity = (
  type: string,
  at: number,
  value: number,
  unit: string,
  device: 'watch' | 'phone' = 'watch',
) => healthKitRecord(`HKQuantityTypeIdentifier${type}`, at, at, value, unit, device);

export function samplePush() {
  const day = SAMPLE_DAY;
  const recent = Date.now() - 2 * HOUR;
  const heartRate = Array.from({ length: 144 }, (_, i) =>
    quantity('HeartRate', day + i * 10 * MINUTE, 55 + ((i * 7) % 40), 'count/min'),
  );
  const steps = Array.from({ length: 40 }, (_, i) =>
    healthKitRecord(
      'HKQuantityTypeIdentifierStepCount',
      day + 8 * HOUR + i * MINUTE,
      day + 8 * HOUR + (i + 1) * MINUTE,
      i % 4 === 0 ? 12 : 48,
      'count',
      'phone',
    ),
  );
  const records = [
    ...heartRate,
    ...steps,
    quantity('ActiveEnergyBurned', day + 12 * HOUR, 420.5, 'kcal'),
    quantity('BasalEnergyBurned', day + 12 * HOUR, 1650, 'kcal'),
    quantity('DistanceWalkingRunning', day + 9 * HOUR, 3200, 'm', 'phone'),
    quantity('BodyMass', day + 7 * HOUR, 70.2, 'kg', 'phone'),
    quantity('Height', day + 7 * HOUR, 1.72, 'm', 'phone'),
    quantity('BodyFatPercentage', day + 7 * HOUR, 0.21, '%', 'phone'),
    quantity('RestingHeartRate', day + 7 * HOUR, 54, 'count/min'),
    quantity('HeartRateVariabilitySDNN', day + 3 * HOUR, 48.5, 'ms'),
    quantity('RespiratoryRate', day + 3 * HOUR, 14, 'count/min'),
    quantity('BodyTemperature', recent, 36.6, 'degC', 'phone'),
    quantity('BloodPressureSystolic', recent, 118, 'mmHg', 'phone'),
    quantity('BloodPressureDiastolic', recent, 76, 'mmHg', 'phone'),
  ];
  const run = healthKitWorkout(day + 17 * HOUR, day + 17 * HOUR + 45 * MINUTE, [
    { type: 'duration', value: 2700, unit: 's' },
    { type: 'activeEnergyBurned', value: 512.3, unit: 'kcal' },
    { type: 'distance', value: 8123.4, unit: 'm' },
    { type: 'elevationAscended', value: 48, unit: 'm' },
  ]);
  const night = day - 90 * MINUTE;
  const sleep = [
    healthKitSleep('in_bed', night - 10 * MINUTE, night + 8 * HOUR, 'phone'),
    healthKitSleep('light', night, night + 2 * HOUR),
    healthKitSleep('deep', night + 2 * HOUR, night + 3.5 * HOUR),
    healthKitSleep('awake', night + 3.5 * HOUR, night + 3.75 * HOUR),
    healthKitSleep('rem', night + 3.75 * HOUR, night + 5.5 * HOUR),
    healthKitSleep('light', night + 5.5 * HOUR, night + 7.75 * HOUR),
  ];
  return healthKitPush({ records, workouts: [run], sleep });
}
