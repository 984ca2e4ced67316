/**
 * Generated Apple Health export.xml content with the real file's structure: the DOCTYPE with its internal subset,
 * `ExportDate`, `Me`, `Record` (with `MetadataEntry` children, device strings, preferred units such as lb),
 * sleep stages, `Correlation` (blood pressure), `Workout` (with `WorkoutEvent`, `WorkoutStatistics`,
 * `WorkoutRoute`, `MetadataEntry`) and `ActivitySummary`. Produced as a stream of strings, so a benchmark can
 * write hundreds of MB without holding them.
 */

const HEADER = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE HealthData [
<!-- HealthKit Export Version: 14 -->
<!ELEMENT HealthData (ExportDate,Me,(Record|Correlation|Workout|ActivitySummary|ClinicalRecord|Audiogram|VisionPrescription)*)>
<!ATTLIST HealthData
  locale CDATA #REQUIRED
>
<!ELEMENT Record ((MetadataEntry|HeartRateVariabilityMetadataList)*)>
<!ATTLIST Record
  type          CDATA #REQUIRED
  unit          CDATA #IMPLIED
  value         CDATA #IMPLIED
  sourceName    CDATA #REQUIRED
  sourceVersion CDATA #IMPLIED
  device        CDATA #IMPLIED
  creationDate  CDATA #IMPLIED
  startDate     CDATA #REQUIRED
  endDate       CDATA #REQUIRED
>
]>
<HealthData locale="en_GB">
 <ExportDate value="2024-03-01 09:00:00 +0100"/>
 <Me HKCharacteristicTypeIdentifierDateOfBirth="1990-01-01" HKCharacteristicTypeIdentifierBiologicalSex="HKBiologicalSexFemale" HKCharacteristicTypeIdentifierBloodType="HKBloodTypeNotSet" HKCharacteristicTypeIdentifierFitzpatrickSkinType="HKFitzpatrickSkinTypeNotSet" HKCharacteristicTypeIdentifierCardioFitnessMedicationsUse="None"/>
`;

export const WATCH_DEVICE =
  '&lt;&lt;HKDevice: 0x283d6c0a0&gt;, name:Apple Watch, manufacturer:Apple Inc., model:Watch, hardware:Watch7,1, software:10.2&gt;';
const PHONE_DEVICE =
  '&lt;&lt;HKDevice: 0x283d6c1b0&gt;, name:iPhone, manufacturer:Apple Inc., model:iPhone, hardware:iPhone15,2, software:17.2&gt;';

const pad = (n: number) => String(n).padStart(2, '0');
/** `2024-01-02 07:08:09 +0100` for a UTC instant, written in +01:00 as an export from Europe would be. */
export function exportDate(ms: number): string {
  const d = new Date(ms + 3_600_000);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0100`;
}

const record = (
  type: string,
  unit: string,
  value: string,
  start: number,
  end: number,
  device = WATCH_DEVICE,
  inner = '',
) =>
  ` <Record type="${type}" sourceName="Jürgen’s Apple Watch" sourceVersion="10.2" device="${device}" unit="${unit}" creationDate="${exportDate(end)}" startDate="${exportDate(start)}" endDate="${exportDate(end)}" value="${value}"${inner ? `>\n${inner}  </Record>` : '/>'}\n`;

function workout(start: number, minutes: number): string {
  const end = start + minutes * 60_000;
  return ` <Workout workoutActivityType="HKWorkoutActivityTypeRunning" duration="${minutes}" durationUnit="min" sourceName="Jürgen’s Apple Watch" sourceVersion="10.2" device="${WATCH_DEVICE}" creationDate="${exportDate(end)}" startDate="${exportDate(start)}" endDate="${exportDate(end)}">
  <MetadataEntry key="HKIndoorWorkout" value="0"/>
  <MetadataEntry key="HKElevationAscended" value="4520 cm"/>
  <MetadataEntry key="HKWeatherTemperature" value="59 degF"/>
  <WorkoutEvent type="HKWorkoutEventTypeSegment" date="${exportDate(start)}" duration="10" durationUnit="min"/>
  <WorkoutStatistics type="HKQuantityTypeIdentifierActiveEnergyBurned" startDate="${exportDate(start)}" endDate="${exportDate(end)}" sum="${(minutes * 11.5).toFixed(1)}" unit="kcal"/>
  <WorkoutStatistics type="HKQuantityTypeIdentifierDistanceWalkingRunning" startDate="${exportDate(start)}" endDate="${exportDate(end)}" sum="${(minutes * 0.1).toFixed(2)}" unit="mi"/>
  <WorkoutStatistics type="HKQuantityTypeIdentifierHeartRate" startDate="${exportDate(start)}" endDate="${exportDate(end)}" average="151" minimum="98" maximum="178" unit="count/min"/>
  <WorkoutRoute sourceName="Jürgen’s Apple Watch" sourceVersion="10.2" creationDate="${exportDate(end)}" startDate="${exportDate(start)}" endDate="${exportDate(end)}">
   <FileReference path="/workout-routes/route_${start}.gpx"/>
  </WorkoutRoute>
 </Workout>
`;
}

export interface ExportShape {
  /** Days of data; each day has `heartRatesPerDay` heart rates, steps, a weight, a night and a workout. */
  days: number;
  heartRatesPerDay: number;
  /** Midnight UTC of the first day. */
  start: number;
}

/** Heart rates, steps, weight, sleep stages, blood pressure and workouts per day, then `</HealthData>`. */
export function* appleExport({ days, heartRatesPerDay, start }: ExportShape): Generator<string> {
  yield HEADER;
  for (let day = 0; day < days; day++) {
    const midnight = start + day * 86_400_000;
    let chunk = '';
    const night = midnight - 2 * 3_600_000;
    const stages = ['InBed', 'AsleepCore', 'AsleepDeep', 'AsleepCore', 'AsleepREM', 'Awake', 'AsleepCore'];
    stages.forEach((stage, i) => {
      const from = night + i * 3_600_000;
      chunk += record(
        'HKCategoryTypeIdentifierSleepAnalysis',
        '',
        `HKCategoryValueSleepAnalysis${stage}`,
        from,
        from + 3_600_000,
      );
    });
    for (let i = 0; i < heartRatesPerDay; i++) {
      const at = midnight + 7 * 3_600_000 + i * 60_000;
      const meta =
        i % 10 === 0 ? '  <MetadataEntry key="HKMetadataKeyHeartRateMotionContext" value="1"/>\n' : '';
      chunk += record(
        'HKQuantityTypeIdentifierHeartRate',
        'count/min',
        String(55 + ((i * 7) % 60)),
        at,
        at,
        WATCH_DEVICE,
        meta,
      );
      if (i % 4 === 0) {
        chunk += record(
          'HKQuantityTypeIdentifierStepCount',
          'count',
          String(20 + (i % 50)),
          at,
          at + 60_000,
          PHONE_DEVICE,
        );
      }
    }
    chunk += record(
      'HKQuantityTypeIdentifierBodyMass',
      'lb',
      (150 + (day % 7) / 10).toFixed(1),
      midnight + 8 * 3_600_000,
      midnight + 8 * 3_600_000,
      PHONE_DEVICE,
    );
    const bp = midnight + 9 * 3_600_000;
    chunk += ` <Correlation type="HKCorrelationTypeIdentifierBloodPressure" sourceName="Omron" sourceVersion="1" creationDate="${exportDate(bp)}" startDate="${exportDate(bp)}" endDate="${exportDate(bp)}">
 ${record('HKQuantityTypeIdentifierBloodPressureSystolic', 'mmHg', '121', bp, bp, '')} ${record('HKQuantityTypeIdentifierBloodPressureDiastolic', 'mmHg', '79', bp, bp, '')} </Correlation>
`;
    chunk += workout(midnight + 17 * 3_600_000, 30 + (day % 20));
    chunk += ` <ActivitySummary dateComponents="${exportDate(midnight).slice(0, 10)}" activeEnergyBurned="512" activeEnergyBurnedGoal="600" activeEnergyBurnedUnit="kcal" appleMoveTime="0" appleMoveTimeGoal="0" appleExerciseTime="41" appleExerciseTimeGoal="30" appleStandHours="12" appleStandHoursGoal="12"/>\n`;
    yield chunk;
  }
  yield '</HealthData>\n';
}

/** The whole export as one string (tests). */
export const appleExportText = (shape: ExportShape) => [...appleExport(shape)].join('');

/** What the generator writes per day: samples the import stores (stages, HR, steps, weight, BP, workout stats). */
export function expectedPerDay(heartRatesPerDay: number) {
  return {
    heartRates: heartRatesPerDay,
    steps: Math.ceil(heartRatesPerDay / 4),
    sleepStages: 7,
    workouts: 1,
  };
}
