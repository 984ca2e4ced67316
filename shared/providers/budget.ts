import { type FetchHooks, RateLimitedError } from '#shared/providers/http.js';
import type { RequestBudget } from '#shared/providers/types.js';
import { readUsage, recordUsage, takeToken } from '#shared/store/rate-budgets.js';

const QUARTER_HOUR_MS = 15 * 60_000;
const DAY_MS = 86_400_000;
/** Requests kept in hand below a reported limit: other workers' requests are in flight while we read. */
const HEADROOM = 0.02;

/** `200,2000` and `12,340` as [short, daily] windows; null when absent or malformed. */
export function reportedUsage(headers: Headers, now: number) {
  const read = (prefix: string) => {
    const limits = headers.get(`${prefix}-limit`)?.split(',').map(Number);
    const usages = headers.get(`${prefix}-usage`)?.split(',').map(Number);
    if (!limits || !usages || limits.length < 2 || usages.length < 2) return null;
    if (![...limits, ...usages].every((n) => Number.isFinite(n) && n >= 0)) return null;
    return {
      short: {
        start: Math.floor(now / QUARTER_HOUR_MS) * QUARTER_HOUR_MS,
        limit: limits[0]!,
        usage: usages[0]!,
      },
      daily: { start: Math.floor(now / DAY_MS) * DAY_MS, limit: limits[1]!, usage: usages[1]! },
    };
  };
  // Strava's read limits (GETs) are the tighter ones when it sends them.
  return read('x-readratelimit') ?? read('x-ratelimit');
}

const WINDOW_MS = { short: QUARTER_HOUR_MS, daily: DAY_MS } as const;

function headerHooks(provider: string): FetchHooks {
  return {
    async before() {
      const now = Date.now();
      const windows = await readUsage(provider, ['short', 'daily']);
      for (const name of ['short', 'daily'] as const) {
        const window = windows[name];
        if (!window) continue;
        const current = Math.floor(now / WINDOW_MS[name]) * WINDOW_MS[name];
        if (window.start === current && window.usage >= window.limit * (1 - HEADROOM)) {
          throw new RateLimitedError(current + WINDOW_MS[name]);
        }
      }
    },
    async after(response) {
      const usage = reportedUsage(response.headers, Date.now());
      if (!usage) return;
      await Promise.all([
        recordUsage(provider, 'short', usage.short),
        recordUsage(provider, 'daily', usage.daily),
      ]);
    },
  };
}

function bucketHooks(provider: string, perMinute: number): FetchHooks {
  return {
    async before() {
      const retryAt = await takeToken(provider, perMinute);
      if (retryAt > 0) throw new RateLimitedError(retryAt);
    },
    async after() {},
  };
}

/** The hooks enforcing a provider's declared budget; none when it declares none. */
export function budgetHooks(provider: string, budget: RequestBudget | undefined): FetchHooks | undefined {
  if (!budget) return undefined;
  return budget.kind === 'bucket' ? bucketHooks(provider, budget.perMinute) : headerHooks(provider);
}
