/**
 * Figures over every user (`GET /dashboard/stats`, the storage estimate of `GET /settings/archival`) read the
 * partitions of at most `SAMPLED_USERS` users, a random sample past that, and scale the totals up: bounded work in
 * a request, approximate figures, as the reference's are.
 */
export const SAMPLED_USERS = 300;

/** `n` of the items at random (Fisher-Yates on a copy); all of them, shuffled, when there are no more. */
export function sample<T>(items: readonly T[], n: number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy.slice(0, n);
}

/**
 * Such a figure kept `ms` per process (every caller sees the same): `get` answers the kept one, else what `compute`
 * starts (a failure is not kept); `forget` makes the next `get` compute again (tests).
 */
export function cachedFigure<T>(ms: number) {
  let cached: { until: number; value: Promise<T> } | undefined;
  return {
    get(now: number, compute: () => Promise<T>): Promise<T> {
      if (!cached || cached.until <= now) {
        const value = compute();
        cached = { until: now + ms, value };
        value.catch(() => {
          cached = undefined;
        });
      }
      return cached.value;
    },
    forget() {
      cached = undefined;
    },
  };
}
