import { mulberry32 } from '#shared/seed/random.js';

/** The seed generator's mulberry32 over a string hash (FNV-1a): the same seed always yields the same sequence. */
export function seededRandom(seed: string | number): () => number {
  const text = String(seed);
  let state = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) state = Math.imul(state ^ text.charCodeAt(i), 0x01000193);
  return mulberry32(state);
}

export interface RandomTools {
  next: () => number;
  /** Uniform in [low, high). */
  between: (low: number, high: number) => number;
  /** An integer in [low, high]. */
  int: (low: number, high: number) => number;
  chance: (probability: number) => boolean;
  pick: <T>(items: readonly T[]) => T;
  /** A pick by `weight`. */
  weighted: <T extends { weight: number }>(items: readonly T[]) => T;
}

export function randomTools(seed: string | number): RandomTools {
  const next = seededRandom(seed);
  const between = (low: number, high: number) => low + (high - low) * next();
  return {
    next,
    between,
    int: (low, high) => Math.floor(between(low, high + 1)),
    chance: (probability) => next() < probability,
    pick: (items) => items[Math.floor(next() * items.length)]!,
    weighted: (items) => {
      let roll = next() * items.reduce((sum, item) => sum + item.weight, 0);
      for (const item of items) {
        roll -= item.weight;
        if (roll <= 0) return item;
      }
      return items[0]!;
    },
  };
}

export const round = (value: number, places = 0) => {
  const factor = 10 ** places;
  return Math.round(value * factor) / factor;
};
