import { MalformedElement, type XmlNode } from '#shared/imports/export-elements.js';
import { lookup } from '#shared/ingest/sdk-collect.js';
import { SDK_METRIC_TYPES } from '#shared/ingest/sdk-mappings.js';
import { SERIES_TYPES } from '#shared/model/series.js';

/**
 * Apple Health export elements -> the items of an SDK push (contract 6.2), so that the import runs through the
 * SDK mapping (6.3) and lands exactly where the iOS SDK would put the same samples: same data source (device
 * name and hardware model, as the SDK sends them), same timestamps, same units. The export writes values in the
 * user's preferred units (lb, mi, degF, kJ...); they are converted to the units the SDK sends. Dates stay as
 * written (`2024-01-02 07:08:09 +0100`), which the SDK date parser reads; the offset is also the zone offset.
 */

export interface SdkItems {
  records: unknown[];
  sleep: unknown[];
  workouts: unknown[];
}

const HK_SLEEP = 'HKCategoryTypeIdentifierSleepAnalysis';
const HK_MINDFUL = 'HKCategoryTypeIdentifierMindfulSession';
const SLEEP_STAGES: Record<string, string> = {
  HKCategoryValueSleepAnalysisInBed: 'in_bed',
  HKCategoryValueSleepAnalysisAsleep: 'sleeping',
  HKCategoryValueSleepAnalysisAsleepUnspecified: 'sleeping',
  HKCategoryValueSleepAnalysisAwake: 'awake',
  HKCategoryValueSleepAnalysisAsleepCore: 'light',
  HKCategoryValueSleepAnalysisAsleepDeep: 'deep',
  HKCategoryValueSleepAnalysisAsleepREM: 'rem',
};

/** Factors to the unit the SDK sends, by the series' canonical unit; anything else passes as written. */
const TO_SDK_UNIT: Record<string, { unit: string; factors: Record<string, number> }> = {
  kg: { unit: 'kg', factors: { kg: 1, g: 0.001, lb: 0.45359237, oz: 0.028349523125, st: 6.35029318 } },
  meters: {
    unit: 'm',
    factors: { m: 1, km: 1000, cm: 0.01, mm: 0.001, mi: 1609.344, ft: 0.3048, yd: 0.9144, in: 0.0254 },
  },
  kcal: { unit: 'kcal', factors: { kcal: 1, Cal: 1, cal: 0.001, kJ: 1 / 4.184 } },
  m_per_s: { unit: 'm/s', factors: { 'm/s': 1, 'km/hr': 1 / 3.6, 'mi/hr': 0.44704 } },
};

const toCelsius = (value: number, unit: string) => (unit === 'degF' ? ((value - 32) * 5) / 9 : value);

/** A value in the unit `canonical` names (kg, meters, kcal, m_per_s, celsius), or as written. */
export function sdkValue(canonical: string, value: number, unit: string): { value: number; unit: string } {
  if (canonical === 'celsius') return { value: toCelsius(value, unit), unit: 'degC' };
  const table = TO_SDK_UNIT[canonical];
  const factor = table && Object.hasOwn(table.factors, unit) ? table.factors[unit] : undefined;
  return table && factor !== undefined ? { value: value * factor, unit: table.unit } : { value, unit };
}

/** `2024-01-02 07:08:09 +0100` -> `+0100`. */
const offsetOf = (date: string | undefined) => /([+-]\d{2}:?\d{2})\s*$/.exec(date ?? '')?.[1] ?? null;

/** `<<HKDevice: 0x...>, name:Apple Watch, manufacturer:Apple Inc., model:Watch, hardware:Watch6,1, software:9.0>`. */
export function parseDevice(text: string | undefined): Record<string, string> {
  if (!text) return {};
  const body = text.replace(/^<<HKDevice:[^>]*>,?\s*/, '').replace(/>\s*$/, '');
  const fields: Record<string, string> = {};
  for (const part of body.split(/,\s+(?=[A-Za-z]+:)/)) {
    const colon = part.indexOf(':');
    if (colon > 0) fields[part.slice(0, colon).trim()] = part.slice(colon + 1).trim();
  }
  return fields;
}

function osVersion(software: string | undefined) {
  const match = /^(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(software ?? '');
  if (!match) return null;
  return {
    majorVersion: Number(match[1]),
    minorVersion: Number(match[2] ?? 0),
    patchVersion: Number(match[3] ?? 0),
  };
}

/** The SDK's `SourceInfo` for an element: with a device, named by the device as the iOS SDK names it. */
function sourceInfo(attributes: Record<string, string>) {
  const device = parseDevice(attributes.device);
  const hasDevice = Boolean(device.name || device.hardware || device.model);
  return {
    name: hasDevice ? null : (attributes.sourceName ?? null),
    deviceName: device.name ?? null,
    deviceManufacturer: device.manufacturer ?? null,
    deviceModel: device.hardware ?? device.model ?? null,
    operatingSystemVersion: osVersion(device.software),
  };
}

function required(node: XmlNode, name: string): string {
  const value = node.attributes[name];
  if (value === undefined) throw new MalformedElement(`${node.name} without ${name}`);
  return value;
}

function record(node: XmlNode, items: SdkItems): void {
  const type = required(node, 'type');
  const startDate = required(node, 'startDate');
  const endDate = required(node, 'endDate');
  const base = { startDate, endDate, zoneOffset: offsetOf(startDate), source: sourceInfo(node.attributes) };
  if (type === HK_SLEEP) {
    const stage = SLEEP_STAGES[node.attributes.value ?? ''] ?? node.attributes.value ?? 'unknown';
    items.sleep.push({ ...base, stage });
    return;
  }
  const raw = node.attributes.value;
  const unit = node.attributes.unit ?? '';
  const series = lookup(SDK_METRIC_TYPES, type);
  const number = Number(raw);
  if (type !== HK_MINDFUL && raw !== undefined && series && Number.isFinite(number)) {
    const converted = sdkValue(SERIES_TYPES[series].unit, number, unit);
    items.records.push({ ...base, type, value: converted.value, unit: converted.unit });
    return;
  }
  // Category samples carry a symbolic value; the SDK sends 0 (a mindful session is an event, the rest dropped).
  items.records.push({ ...base, type, value: type === HK_MINDFUL ? 0 : (raw ?? ''), unit: unit || null });
}

const snakeActivity = (type: string) =>
  type
    .replace(/^HKWorkoutActivityType/, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase();

/** WorkoutStatistics (type suffix + aggregate) -> the SDK's workout `values[].type`, with its SDK unit. */
const STATISTICS: Record<string, Array<[aggregate: string, type: string, canonical: string]>> = {
  ActiveEnergyBurned: [['sum', 'activeEnergyBurned', 'kcal']],
  BasalEnergyBurned: [['sum', 'basalEnergyBurned', 'kcal']],
  DistanceWalkingRunning: [['sum', 'distance', 'meters']],
  DistanceCycling: [['sum', 'distance', 'meters']],
  DistanceSwimming: [['sum', 'distance', 'meters']],
  DistanceWheelchair: [['sum', 'distance', 'meters']],
  DistanceDownhillSnowSports: [['sum', 'distance', 'meters']],
  StepCount: [['sum', 'stepCount', 'count']],
  HeartRate: [
    ['average', 'averageHeartRate', 'bpm'],
    ['minimum', 'minHeartRate', 'bpm'],
    ['maximum', 'maxHeartRate', 'bpm'],
  ],
  RunningPower: [['average', 'averageRunningPower', 'watts']],
  RunningSpeed: [
    ['average', 'averageRunningSpeed', 'm_per_s'],
    ['maximum', 'maxSpeed', 'm_per_s'],
  ],
  RunningStrideLength: [['average', 'averageRunningStrideLength', 'meters']],
  RunningVerticalOscillation: [['average', 'averageVerticalOscillation', 'cm']],
  RunningGroundContactTime: [['average', 'averageGroundContactTime', 'ms']],
};

/** Workout metadata kept as statistics: `HKElevationAscended` = `1234 cm` and the like. */
const METADATA: Record<string, [type: string, canonical: string]> = {
  HKElevationAscended: ['elevationAscended', 'meters'],
  HKAverageMETs: ['averageMETs', 'met'],
  HKWeatherTemperature: ['weatherTemperature', 'celsius'],
  HKWeatherHumidity: ['weatherHumidity', 'percent'],
};

type Statistic = { type: string; unit: string; value: number };

function statistic(type: string, canonical: string, value: string | undefined, unit: string): Statistic[] {
  const number = Number(value);
  if (value === undefined || value === '' || !Number.isFinite(number)) return [];
  return [{ type, ...sdkValue(canonical, number, unit) }];
}

function workout(node: XmlNode, items: SdkItems): void {
  const startDate = required(node, 'startDate');
  const endDate = required(node, 'endDate');
  const { attributes } = node;
  const values: Statistic[] = [];
  for (const child of node.children) {
    if (child.name === 'WorkoutStatistics') {
      const suffix = (child.attributes.type ?? '').replace(/^HKQuantityTypeIdentifier/, '');
      for (const [aggregate, type, canonical] of lookup(STATISTICS, suffix) ?? []) {
        values.push(...statistic(type, canonical, child.attributes[aggregate], child.attributes.unit ?? ''));
      }
    } else if (child.name === 'MetadataEntry') {
      const meta = lookup(METADATA, child.attributes.key ?? '');
      const [amount, unit = ''] = (child.attributes.value ?? '').trim().split(/\s+/, 2);
      if (meta) values.push(...statistic(meta[0], meta[1], amount, unit));
    }
  }
  const has = (type: string) => values.some((v) => v.type === type);
  const minutes = { min: 60, s: 1, sec: 1, hr: 3600, h: 3600 }[attributes.durationUnit ?? 'min'] ?? 60;
  values.push(...statistic('duration', 'seconds', attributes.duration, ''));
  const duration = values.at(-1);
  if (duration?.type === 'duration') duration.value *= minutes;
  if (!has('distance')) {
    values.push(
      ...statistic('distance', 'meters', attributes.totalDistance, attributes.totalDistanceUnit ?? ''),
    );
  }
  if (!has('activeEnergyBurned')) {
    const unit = attributes.totalEnergyBurnedUnit ?? '';
    values.push(...statistic('activeEnergyBurned', 'kcal', attributes.totalEnergyBurned, unit));
  }
  items.workouts.push({
    type: snakeActivity(required(node, 'workoutActivityType')),
    startDate,
    endDate,
    zoneOffset: offsetOf(startDate),
    source: sourceInfo(attributes),
    values,
  });
}

/**
 * Adds the SDK items of one top-level element; returns false for elements the unified model has no place for
 * (`ExportDate`, `Me`, `ActivitySummary`, clinical records...). Throws `MalformedElement` for one that lacks
 * what every element of its kind has.
 */
export function mapElement(node: XmlNode, items: SdkItems): boolean {
  if (node.name === 'Record') record(node, items);
  else if (node.name === 'Workout') workout(node, items);
  else if (node.name === 'Correlation') {
    // Blood pressure and food: the samples are the Records inside.
    for (const child of node.children) if (child.name === 'Record') record(child, items);
  } else return false;
  return true;
}
