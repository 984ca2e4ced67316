import { decodeJwt, type JWTPayload } from 'jose';
import { textOf } from '#shared/providers/json.js';
import { PullOutput } from '#shared/providers/output.js';
import {
  fetch247,
  fetchDailyStatistics,
  fetchWorkoutSamples,
  listWorkouts,
} from '#shared/providers/suunto/api.js';
import { KINDS_247, map247, mapDailyStatistics } from '#shared/providers/suunto/samples-247.js';
import { mapWorkout, mapWorkoutSamples } from '#shared/providers/suunto/workouts.js';
import { DAY_MS, utcMidnight } from '#shared/providers/time.js';
import type {
  ProviderGet,
  ProviderIdentity,
  PullResult,
  SyncUnit,
  TokenSet,
} from '#shared/providers/types.js';
import { dayChunks } from '#shared/providers/units.js';

/**
 * Suunto pull (providers.md 4.3). A sync window is cut into UTC chunks of at most 20 days (`suunto:<first UTC
 * date>`). One chunk: the workouts modified in it (each with its recorded samples), its sleep, recovery and activity
 * samples, and its daily statistics.
 *
 * The 24/7 requests reach one day further back than the chunk (still under Suunto's 28-day cap): a watch uploads
 * a night in the morning, stamped with its bedtime, and a day's totals are stamped at its local midnight and grow
 * all day. An hourly sync of the last hour alone would miss the night and freeze the day's total at whatever it
 * was at midnight; re-reading the last day costs a few items and every write is idempotent.
 */

export const UNIT_DAYS = 20;

export const suuntoUnits = (start: number, end: number) => dayChunks(start, end, UNIT_DAYS, 'suunto');

/**
 * The account from the access token, a JWT from Suunto's token endpoint, decoded without verification (it came
 * straight from Suunto over TLS; nothing else is trusted from it). Suunto's webhooks name the user by username
 * (the `user` claim), and the webhook worker finds our users by the connection's provider user id: so the
 * username is that id. The `sub` claim is not kept: no Suunto request or notification names a user by it.
 * A token that is not a JWT falls back to the token response's `user` field.
 */
export async function suuntoIdentity(_get: ProviderGet, tokens: TokenSet): Promise<ProviderIdentity> {
  let claims: JWTPayload = {};
  try {
    claims = decodeJwt(tokens.accessToken);
  } catch {
    // Not a JWT: the token response is all there is.
  }
  const username = textOf(claims.user) ?? textOf(tokens.extras.user);
  return { providerUserId: username, providerUsername: username };
}

/** Workouts with their samples into `out`; a workout that does not map is skipped without a samples request. */
export async function addWorkouts(out: PullOutput, get: ProviderGet, workouts: readonly unknown[]) {
  for (const item of workouts) {
    const workout = mapWorkout(item);
    if (!workout) {
      out.skip();
      continue;
    }
    out.event(workout);
    mapWorkoutSamples(out, workout, await fetchWorkoutSamples(get, workout.externalId));
  }
}

export async function pullSuunto(get: ProviderGet, unit: SyncUnit): Promise<PullResult> {
  const out = new PullOutput();
  await addWorkouts(out, get, await listWorkouts(get, unit.start, unit.end));
  const from = Math.max(0, unit.start - DAY_MS);
  for (const kind of KINDS_247) map247(out, kind, await fetch247(get, kind, from, unit.end));
  // From a UTC midnight at least a day back: every zone's midnight of the chunk's first day is after it.
  const statisticsFrom = utcMidnight(from);
  mapDailyStatistics(out, await fetchDailyStatistics(get, statisticsFrom, unit.end));
  return out.result();
}
