/** A small deterministic generator (mulberry32): the same seed gives the same synthetic data everywhere. */
export interface Random {
  /** In [0, 1). */
  next(): number;
  between(lo: number, hi: number): number;
  int(lo: number, hi: number): number;
  pick<T>(items: readonly T[]): T;
  chance(percent: number): boolean;
}

/** mulberry32 from a 32-bit state: values in [0, 1). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export function seededRandom(seed: number): Random {
  const next = mulberry32(seed);
  const between = (lo: number, hi: number) => lo + (hi - lo) * next();
  return {
    next,
    between,
    int: (lo, hi) => Math.floor(between(Math.min(lo, hi), Math.max(lo, hi) + 1)),
    pick: (items) => items[Math.floor(next() * items.length)]!,
    chance: (percent) => next() * 100 < percent,
  };
}

/** A per-user stream: users of one seed differ, and each is reproducible on its own. */
export const userRandom = (seed: number, userIndex: number) =>
  seededRandom(Math.imul(seed ^ 0x9e3779b9, 31) + userIndex * 0x85ebca6b);
