import { ProviderRequestError } from '#shared/providers/http.js';
import { PullOutput } from '#shared/providers/output.js';
import type { ProviderGet, ProviderIdentity, SyncUnit, TokenSet } from '#shared/providers/types.js';
import { dayChunks } from '#shared/providers/units.js';
import { idText } from '#shared/providers/values.js';
import { pullDailyActivity, pullIntraday } from '#shared/providers/withings/activity.js';
import { pullMeasures } from '#shared/providers/withings/measures.js';
import { pullSleep } from '#shared/providers/withings/sleep.js';
import { pullWorkouts } from '#shared/providers/withings/workouts.js';

/**
 * The pull: a window becomes units of one data kind each, keyed `<kind>:<first UTC date>`. Every unit costs one
 * or two requests, a sleep unit one per night more: against an app-wide budget of 120 requests a minute shared
 * by every user, a unit cut short by the budget repeats only those few requests. Measures, daily activity and
 * workouts come 30 days a request; sleep 7 nights a unit; intraday samples one day a request (Withings cuts an
 * intraday request at 24 hours).
 */

export const WITHINGS_KINDS = ['measures', 'activity', 'workouts', 'sleep', 'intraday'] as const;
export type WithingsKind = (typeof WITHINGS_KINDS)[number];

const UNIT_DAYS: Readonly<Record<WithingsKind, number>> = {
  measures: 30,
  activity: 30,
  workouts: 30,
  sleep: 7,
  intraday: 1,
};

type Puller = (get: ProviderGet, unit: SyncUnit, out: PullOutput) => Promise<void>;

const PULLERS: Readonly<Record<WithingsKind, Puller>> = {
  measures: pullMeasures,
  activity: pullDailyActivity,
  workouts: pullWorkouts,
  sleep: pullSleep,
  intraday: pullIntraday,
};

/** The units of `[start, end)` for `kinds`, kind by kind, oldest first within each. */
export function withingsUnits(
  start: number,
  end: number,
  kinds: readonly WithingsKind[] = WITHINGS_KINDS,
): SyncUnit[] {
  return kinds.flatMap((kind) => dayChunks(start, end, UNIT_DAYS[kind], kind));
}

const kindOf = (unit: SyncUnit) => unit.key.slice(0, unit.key.indexOf(':')) as WithingsKind;

/** One unit fetched and mapped, with the number of records skipped as unusable. */
export async function pullUnit(get: ProviderGet, unit: SyncUnit): Promise<PullOutput> {
  const puller = Object.hasOwn(PULLERS, kindOf(unit)) ? PULLERS[kindOf(unit)] : undefined;
  if (!puller) throw new ProviderRequestError(0, `unknown Withings unit ${unit.key}`);
  const out = new PullOutput();
  await puller(get, unit, out);
  return out;
}

/** The account is the token answer's `userid`: no request needed. */
export async function withingsIdentity(_get: ProviderGet, tokens: TokenSet): Promise<ProviderIdentity> {
  return { providerUserId: idText(tokens.extras.userid), providerUsername: null };
}
