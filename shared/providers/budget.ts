import { type FetchHooks, RateLimitedError } from '#shared/providers/http.js';
import type { RequestBudget } from '#shared/providers/types.js';
import { readUsage, recordUsage, takeTokens, type UsageWindow } from '#shared/store/rate-budgets.js';

const QUARTER_HOUR_MS = 15 * 60_000;
const DAY_MS = 86_400_000;
/** Requests kept in hand below a reported limit: other workers' requests are in flight while we read. */
const HEADROOM = 0.02;

const COUNT = /^\d+$/;

/** `200,2000` (limits) and `12,340` (usage) as a 15-minute and a daily window; null when absent or malformed. */
function windowsOf(headers: Headers, prefix: string, now: number) {
  const parts = (name: string) =>
    headers
      .get(`${prefix}-${name}`)
      ?.split(',')
      .map((p) => p.trim());
  const limits = parts('limit');
  const usages = parts('usage');
  if (limits?.length !== 2 || usages?.length !== 2) return null;
  if (![...limits, ...usages].every((p) => COUNT.test(p))) return null;
  const [shortLimit, dailyLimit] = limits.map(Number) as [number, number];
  const [shortUsage, dailyUsage] = usages.map(Number) as [number, number];
  return {
    short: {
      start: Math.floor(now / QUARTER_HOUR_MS) * QUARTER_HOUR_MS,
      limit: shortLimit,
      usage: shortUsage,
    },
    daily: { start: Math.floor(now / DAY_MS) * DAY_MS, limit: dailyLimit, usage: dailyUsage },
  };
}

/**
 * The usage windows a response reports: Strava's overall limits (`X-RateLimit-*`) and, when sent, its tighter
 * limits for reads (`X-ReadRateLimit-*`), each as a 15-minute and a daily window.
 */
export function reportedUsage(headers: Headers, now: number): Record<string, UsageWindow> | null {
  const overall = windowsOf(headers, 'x-ratelimit', now);
  const read = windowsOf(headers, 'x-readratelimit', now);
  if (!overall && !read) return null;
  return {
    ...(overall ? { short: overall.short, daily: overall.daily } : {}),
    ...(read ? { read_short: read.short, read_daily: read.daily } : {}),
  };
}

const WINDOW_MS: Record<string, number> = {
  short: QUARTER_HOUR_MS,
  daily: DAY_MS,
  read_short: QUARTER_HOUR_MS,
  read_daily: DAY_MS,
};
const WINDOW_NAMES = Object.keys(WINDOW_MS);

function headerHooks(provider: string): FetchHooks {
  return {
    async before() {
      const now = Date.now();
      const windows = await readUsage(provider, WINDOW_NAMES);
      // Every spent window of the current period; wait for the latest of their resets.
      let retryAt = 0;
      for (const name of WINDOW_NAMES) {
        const window = windows[name];
        if (!window) continue;
        const length = WINDOW_MS[name]!;
        const current = Math.floor(now / length) * length;
        if (window.start === current && window.usage >= window.limit * (1 - HEADROOM)) {
          retryAt = Math.max(retryAt, current + length);
        }
      }
      if (retryAt > 0) throw new RateLimitedError(retryAt);
    },
    async after(response) {
      const usage = reportedUsage(response.headers, Date.now());
      if (!usage) return;
      await Promise.all(Object.entries(usage).map(([name, window]) => recordUsage(provider, name, window)));
    },
  };
}

/**
 * How long a request may wait in-process for the bucket to refill (a token comes every 60/perMinute seconds):
 * many workers sharing a bucket would otherwise hand their runs back to the queue at every empty moment.
 */
const MAX_BUCKET_WAIT_MS = 5_000;

/**
 * Tokens one client claims at once at most, when the bucket has them to spare (rate-budgets.ts `takeTokens`). A
 * client's claims grow from one (1, 2, 4, 8...), so one that makes a single request (a webhook's fetch, a
 * passthrough call) leaves nothing to lapse.
 */
const CLAIM = 8;
/** How long claimed tokens stay usable, at most. */
const MAX_HOLD_MS = 3_000;
/** The share of a bucket its hold may cost (below); a hold shorter than `MIN_HOLD_MS` is not worth claiming for. */
const HOLD_SHARE = 0.05;
const MIN_HOLD_MS = 1_000;

/** The time a bucket client goes by: the system's, or a test's. */
export interface BucketClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

const systemClock: BucketClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * One client's requests within the bucket. Where the bucket is large enough, it claims several tokens in one write
 * and spends them for up to `holdMs`, then lets the rest lapse. A token spent later than it was taken would let a
 * window see more than the bucket allows, by at most the refill of `holdMs`: the bucket every client takes from is
 * that much smaller (at most `HOLD_SHARE` of it), so any 60 s still carry at most its declared burst plus a minute
 * of refill. A small bucket (a burst of 10 at 90 a minute) would lose a fifth of itself to a useful hold, and with
 * it the burst that keeps many workers going under contention: its clients take one token at a time, as before.
 */
export function bucketHooks(
  provider: string,
  perMinute: number,
  burst: number | undefined,
  clock = systemClock,
): FetchHooks {
  const capacity = burst ?? perMinute;
  const msPerToken = 60_000 / perMinute;
  const affordable = Math.min(MAX_HOLD_MS, HOLD_SHARE * capacity * msPerToken);
  const holdMs = affordable >= MIN_HOLD_MS ? affordable : 0;
  const usable = capacity - holdMs / msPerToken;
  let claim = 1;
  let held = 0;
  let heldUntil = 0;
  return {
    async before() {
      if (held > 0 && clock.now() < heldUntil) {
        held--;
        return;
      }
      // Tokens lapsed unspent: this client's requests are further apart than its hold; claim from one again.
      if (held > 0) claim = 1;
      const waitUntil = clock.now() + MAX_BUCKET_WAIT_MS;
      for (;;) {
        const now = clock.now();
        const take = await takeTokens(provider, perMinute, now, usable, claim);
        if (take.taken > 0) {
          held = take.taken - 1;
          heldUntil = now + holdMs;
          if (holdMs > 0) claim = Math.min(CLAIM, claim * 2);
          return;
        }
        if (take.retryAt > waitUntil) throw new RateLimitedError(take.retryAt);
        // Jittered, so workers waiting together do not all retry at the same instant.
        await clock.sleep(Math.max(0, take.retryAt - clock.now()) + Math.random() * 50);
      }
    },
    async after() {},
  };
}

/** The hooks enforcing a provider's declared budget; none when it declares none. */
export function budgetHooks(provider: string, budget: RequestBudget | undefined): FetchHooks | undefined {
  if (!budget) return undefined;
  return budget.kind === 'bucket'
    ? bucketHooks(provider, budget.perMinute, budget.burst)
    : headerHooks(provider);
}
