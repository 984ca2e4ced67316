import * as z from 'zod/mini';
import { QUEUES } from '#shared/jobs/queues.js';
import { SCHEDULES } from '#shared/jobs/schedules.js';
import { type ScopedFunction, WRITE_SCOPES } from '#shared/store/write-scopes.js';

// CDK context values that are more than a scalar (read by lib/config.ts): JSON objects, on/off, reserved concurrency.

/** Reserved concurrency of each API function: what one area may take of the account's concurrency. */
const API_RESERVED: Record<string, number> = {
  users: 20,
  tokens: 20,
  // The mobile push: every phone of every user, in bursts; the mobile ingress's authorizer sees the same.
  sdk: 100,
  'sdk-authorizer': 100,
  data: 50,
  meta: 10,
  oauth: 20,
  sync: 10,
  // Provider webhooks come in bursts (Garmin batches, a backfill arriving) and must be answered in 2 s (Strava).
  webhooks: 20,
  // Integrator endpoint management; the dashboard's stats, priorities, seed and archival: developers, not hot paths.
  outgoing: 10,
  admin: 10,
};

/**
 * A worker needs at least the concurrent batches its queues may deliver (each queue's `maxConcurrency`) plus one
 * per schedule invoking it; fewer would throttle its own event sources.
 */
function workerReserved(worker: string): number {
  const batches = Object.values(QUEUES)
    .filter((queue) => queue.worker === worker)
    .reduce((sum, queue) => sum + queue.maxConcurrency, 0);
  return batches + Object.values(SCHEDULES).filter((schedule) => schedule.worker === worker).length;
}

export const DEFAULT_RESERVED_CONCURRENCY = Object.fromEntries(
  (Object.keys(WRITE_SCOPES) as ScopedFunction[]).map((name) => {
    const reserved = API_RESERVED[name] ?? workerReserved(name);
    // Lambda refuses every invocation of a function reserved at 0: an API function missing above would be dead.
    if (reserved < 1)
      throw new Error(`${name}: no default reserved concurrency (an API function not in API_RESERVED?)`);
    return [name, reserved];
  }),
) as Record<ScopedFunction, number>;

const functionNames = Object.keys(WRITE_SCOPES);

/** A JSON object from `-c key='{...}'`; anything else as given, for zod to refuse. */
export function json(value: unknown): unknown {
  if (typeof value !== 'string' || !value.trim().startsWith('{')) return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** `-c reservedConcurrency='{"sdk":200}'` (merged over the defaults) or `off`; cdk.json may hold the object. */
export const reservedConcurrency = z.pipe(
  z._default(
    z.pipe(
      z.transform(json),
      z.union([
        z.literal('off'),
        z.record(z.string(), z.coerce.number().check(z.int(), z.gte(1), z.lte(10_000))).check(
          z.refine((given) => Object.keys(given).every((name) => functionNames.includes(name)), {
            message: `reservedConcurrency names functions: ${functionNames.join(', ')}`,
          }),
        ),
      ]),
    ),
    {},
  ),
  z.transform((value) => (value === 'off' ? null : { ...DEFAULT_RESERVED_CONCURRENCY, ...value })),
);

/** An on/off setting: `true`/`false` from cdk.json, `'true'`/`'false'` from `-c key=value`. */
export const contextBoolean = (fallback: boolean) =>
  z.pipe(
    z._default(z.union([z.boolean(), z.enum(['true', 'false'])]), fallback),
    z.transform((value) => value === true || value === 'true'),
  );
