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
