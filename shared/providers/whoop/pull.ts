import { logger } from '#shared/observability.js';
import { isObject } from '#shared/providers/json.js';
import { PullOutput } from '#shared/providers/output.js';
import { DAY_MS, isoDate, utcMidnight, zoneOf } from '#shared/providers/time.js';
import type { ProviderGet, PullResult, SyncUnit } from '#shared/providers/types.js';
import { dayChunks } from '#shared/providers/units.js';
import { idText } from '#shared/providers/values.js';
import {
  BODY_PATH,
  CYCLES_PATH,
  collection,
  RECOVERIES_PATH,
  SLEEPS_PATH,
  WORKOUTS_PATH,
} from '#shared/providers/whoop/api.js';
import { mapBody } from '#shared/providers/whoop/body.js';
import type { Outcome } from '#shared/providers/whoop/common.js';
import { mapCycle } from '#shared/providers/whoop/cycles.js';
import { mapRecovery } from '#shared/providers/whoop/recovery.js';
import { mapSleep } from '#shared/providers/whoop/sleep.js';
import { mapWorkout } from '#shared/providers/whoop/workouts.js';

/**
 * WHOOP pull (providers.md 4.4): a sync window is cut into UTC chunks of at most 30 days (`whoop:<first date>`),
 * each reading the four collections (cycles, recoveries, sleeps, workouts) over the chunk, plus one last unit
 * (`body:<date>`) reading the body measurement once per sync. A 90-day backfill costs about 25 requests at 25
 * records a page. Records overlapping two chunks are read twice and saved the same way twice (idempotent).
 */

export const UNIT_DAYS = 30;
const BODY_PREFIX = 'body:';

export function whoopUnits(start: number, end: number): SyncUnit[] {
  const chunks = dayChunks(start, end, UNIT_DAYS, 'whoop');
  if (chunks.length === 0) return [];
  return [...chunks, { key: `${BODY_PREFIX}${isoDate(end)}`, start: end, end }];
}

/** The `timezone_offset` of each record by its `id`: recoveries borrow their cycle's. */
function offsetsById(records: unknown[]): Map<string, string> {
  const offsets = new Map<string, string>();
  for (const record of records) {
    if (!isObject(record)) continue;
    const id = idText(record.id);
    const zone = zoneOf(record.timezone_offset);
    if (id !== null && zone !== null) offsets.set(id.toLowerCase(), zone);
  }
  return offsets;
}

/**
 * The body measurement describes the member now: it is read only by a sync reaching today (a manual sync of a past
 * window would otherwise stamp today's weight on it), and stamped at the UTC midnight of the day the window ends.
 */
async function pullBody(get: ProviderGet, unit: SyncUnit, out: PullOutput): Promise<Outcome[]> {
  if (Date.now() - unit.end > DAY_MS) return [];
  return [mapBody(await get(BODY_PATH), utcMidnight(unit.end), out)];
}

async function pullRecords(get: ProviderGet, unit: SyncUnit, out: PullOutput): Promise<Outcome[]> {
  const [cycles, recoveries, sleeps, workouts] = await Promise.all(
    [CYCLES_PATH, RECOVERIES_PATH, SLEEPS_PATH, WORKOUTS_PATH].map((path) => collection(get, path, unit)),
  );
  const cycleOffsets = offsetsById(cycles!);
  const sleepOffsets = offsetsById(sleeps!);
  return [
    ...cycles!.map((record) => mapCycle(record, out)),
    ...sleeps!.map((record) => mapSleep(record, out)),
    ...workouts!.map((record) => mapWorkout(record, out)),
    ...recoveries!.map((record) => {
      const of = (field: string) => (isObject(record) ? (idText(record[field])?.toLowerCase() ?? '') : '');
      const zone = cycleOffsets.get(of('cycle_id')) ?? sleepOffsets.get(of('sleep_id')) ?? null;
      return mapRecovery(record, zone, out);
    }),
  ];
}

export async function pullWhoop(get: ProviderGet, unit: SyncUnit): Promise<PullResult> {
  const out = new PullOutput();
  const outcomes = await (unit.key.startsWith(BODY_PREFIX) ? pullBody : pullRecords)(get, unit, out);
  const unscored = outcomes.filter((outcome) => outcome === 'unscored').length;
  const malformed = outcomes.filter((outcome) => outcome === 'malformed').length;
  if (unscored + malformed > 0)
    logger.info('whoop records left out', { unit: unit.key, unscored, malformed });
  return out.result();
}
