import { createHash } from 'node:crypto';
import { HttpError } from '#shared/http/errors.js';
import { addFailure, blockUntil, clearCounter, readCounters, throttleKey } from '#shared/store/throttle.js';

/**
 * Exponential backoff on guessable credentials, per account and per source address, stored in the table so every
 * Lambda instance sees it. After `free` failures within the window, each further failure blocks the key for
 * 1 s, 2 s, 4 s, ... up to 15 minutes; while blocked every attempt is a 429 with `Retry-After`, and the password
 * is not even checked. A success clears the account's counter; an address's counter only decays.
 */
export interface ThrottlePolicy {
  scope: string;
  /** Failures allowed within the window before backoff starts. */
  free: number;
}

export const THROTTLE_WINDOW_MS = 60 * 60_000;
const MAX_BLOCK_MS = 15 * 60_000;

export const POLICIES = {
  loginAccount: { scope: 'login-account', free: 5 },
  // Offices and mobile carriers put many people behind one address: more slack than per account.
  loginAddress: { scope: 'login-ip', free: 20 },
  redeemAddress: { scope: 'redeem-ip', free: 10 },
} satisfies Record<string, ThrottlePolicy>;

export interface Throttled {
  policy: ThrottlePolicy;
  /** Accounts are keyed by a digest: the table keeps no list of the emails someone tried. */
  subject: string;
}

export const accountSubject = (email: string) =>
  createHash('sha256').update(email.trim().toLowerCase()).digest('hex');

const keyOf = ({ policy, subject }: Throttled) => throttleKey(policy.scope, subject);

export const backoffMs = (failures: number, free: number) =>
  failures <= free ? 0 : Math.min(MAX_BLOCK_MS, 1000 * 2 ** (failures - free - 1));

/** A 429 with `Retry-After` when any of the keys is blocked. */
export async function assertNotThrottled(keys: Throttled[], now = Date.now()): Promise<void> {
  const counters = await readCounters(keys.map(keyOf));
  const until = Math.max(0, ...counters.map((c) => c.blocked_until ?? 0));
  if (until <= now) return;
  const seconds = Math.ceil((until - now) / 1000);
  throw new HttpError(429, `Too many failed attempts; retry in ${seconds} seconds`, {
    'retry-after': String(seconds),
  });
}

export async function recordFailure(keys: Throttled[], now = Date.now()): Promise<void> {
  await Promise.all(
    keys.map(async (key) => {
      const failures = await addFailure(keyOf(key), now, THROTTLE_WINDOW_MS);
      const delay = backoffMs(failures, key.policy.free);
      if (delay > 0) await blockUntil(keyOf(key), now + delay);
    }),
  );
}

export const clearFailures = (key: Throttled) => clearCounter(keyOf(key));
