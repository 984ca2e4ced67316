import type { HealthEvent } from '#shared/model/health-data.js';
import { mapActivity, mapActivityDetails, mapMoveIq } from '#shared/providers/garmin/activities.js';
import {
  mapBloodPressure,
  mapBodyComp,
  mapHealthSnapshot,
  mapMenstrualCycle,
  mapSkinTemp,
  mapUserMetrics,
} from '#shared/providers/garmin/measurements.js';
import { mapSleep } from '#shared/providers/garmin/sleep.js';
import {
  mapDaily,
  mapEpochs,
  mapHrv,
  mapPulseOx,
  mapRespiration,
  mapStressDetails,
} from '#shared/providers/garmin/wellness.js';
import { PullOutput } from '#shared/providers/output.js';
import type { PullResult } from '#shared/providers/types.js';

/**
 * A Garmin push body (or one user's slice of it) -> the unified model. A malformed item is skipped and counted; it
 * never fails the rest of the batch.
 *
 * Summary types are mapped in this order, and a workout seen twice in one batch is merged (PullOutput): within
 * one call, a workout's `activityDetails` fills in what its `activities` summary lacked. Only within one call:
 * Garmin usually pushes the two summaries separately, each batch is saved on its own, and as workouts are keyed
 * by `activityId` (eventIdentity `external`) the later save replaces the stored event whole — the summary that
 * arrived last wins, fields the other one had included.
 */

/** Push keys that carry health data, in processing order. */
export const DATA_TYPES = [
  'activities',
  'activityDetails',
  'activityFiles',
  'moveIQActivities',
  'dailies',
  'epochs',
  'sleeps',
  'bodyComps',
  'hrv',
  'stressDetails',
  'allDayRespiration',
  'pulseox',
  'healthSnapshot',
  'skinTemp',
  'bloodPressures',
  'userMetrics',
  'mct',
] as const;
export type DataType = (typeof DATA_TYPES)[number];

/** Push keys about the connection itself. */
const LIFECYCLE_TYPES = ['deregistrations', 'userPermissionsChange'] as const;
type LifecycleType = (typeof LIFECYCLE_TYPES)[number];

export type SummaryType = DataType | LifecycleType;
export const SUMMARY_TYPES: readonly SummaryType[] = [...DATA_TYPES, ...LIFECYCLE_TYPES];

const fromEvent = (event: HealthEvent | null): PullResult | null =>
  event ? { series: [], events: [event], scores: [] } : null;

type ItemMapper = (item: unknown) => PullResult | null;

/** Item mappers of every data type but `epochs` (mapped per slot) and `activityFiles` (not mapped). */
const ITEM_MAPPERS: Readonly<Record<Exclude<DataType, 'epochs' | 'activityFiles'>, ItemMapper>> = {
  activities: (item) => fromEvent(mapActivity(item)),
  activityDetails: mapActivityDetails,
  moveIQActivities: (item) => fromEvent(mapMoveIq(item)),
  dailies: mapDaily,
  sleeps: mapSleep,
  bodyComps: mapBodyComp,
  hrv: mapHrv,
  stressDetails: mapStressDetails,
  allDayRespiration: mapRespiration,
  pulseox: mapPulseOx,
  healthSnapshot: mapHealthSnapshot,
  skinTemp: mapSkinTemp,
  bloodPressures: mapBloodPressure,
  userMetrics: mapUserMetrics,
  mct: (item) => fromEvent(mapMenstrualCycle(item)),
};

export interface MappedSummaries {
  result: PullResult;
  /** Items that produced nothing: malformed, empty, or not mapped (`activityFiles`). */
  skipped: number;
  /** The data types of which at least one item produced data, in processing order. */
  types: DataType[];
}

/**
 * Every data type of `summaries` (`{ [summaryType]: items[] }`); other keys are ignored. `activityFiles` items
 * are FIT file links: FIT parsing is out of scope, so they are counted as skipped.
 */
export function mapGarminSummaries(summaries: Readonly<Record<string, unknown>>): MappedSummaries {
  const out = new PullOutput();
  let skipped = 0;
  const types: DataType[] = [];
  for (const type of DATA_TYPES) {
    const items = summaries[type];
    if (!Array.isArray(items)) continue;
    let unusable = 0;
    if (type === 'activityFiles') unusable = items.length;
    else if (type === 'epochs') unusable = mapEpochs(items, out);
    else
      for (const item of items) {
        const mapped = ITEM_MAPPERS[type](item);
        if (mapped) out.merge(mapped);
        else unusable++;
      }
    skipped += unusable;
    if (unusable < items.length) types.push(type);
  }
  return { result: out.result(), skipped, types };
}
