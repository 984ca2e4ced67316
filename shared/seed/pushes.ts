import type { SdkProvider } from '#shared/model/provider.js';
import { isoAt } from '#shared/model/time.js';

/** Synthetic SDK pushes, grouped by provider and cut at RECORDS_PER_PUSH items (shared/seed/generate.ts). */

export const DAY = 86_400_000;
/** Per push: well under the 10 MB upload limit and the worker's time. */
export const RECORDS_PER_PUSH = 4_000;

export interface SdkPush {
  provider: SdkProvider;
  body: {
    provider: SdkProvider;
    sdkVersion: string;
    syncTimestamp: string;
    syncType: 'historical';
    data: PushData;
  };
}
export interface PushData {
  records: object[];
  workouts: object[];
  sleep: object[];
}
export interface SeededUser {
  first_name: string;
  last_name: string;
  pushes: SdkPush[];
}

export const round = (value: number, integer?: boolean) =>
  integer ? Math.round(value) : Math.round(value * 100) / 100;

type Dated = { date_range_months: number; date_from: string | null; date_to: string | null };

/** How far back a seed may reach: the reference's own cap of `date_range_months`. */
export const MAX_MONTHS_BACK = 24;
/** A month of `date_range_months` is 30 days; day-aligned. */
export const monthsBack = (now: number, months: number) => Math.floor((now - months * 30 * DAY) / DAY) * DAY;

/** `[start, end)` of a config's window as asked: its dates, else the last `date_range_months` up to now. */
export function requestedWindow(config: Dated, now: number) {
  const end = config.date_to ? Math.min(Date.parse(config.date_to) + DAY, now) : now;
  const start = config.date_from ? Date.parse(config.date_from) : end - config.date_range_months * 30 * DAY;
  return { start: Math.floor(start / DAY) * DAY, end };
}

/** The window generated: as asked, never more than MAX_MONTHS_BACK months back (the route refuses more). */
export function windowOf(config: Dated, now: number) {
  const { start, end } = requestedWindow(config, now);
  return { start: Math.max(start, monthsBack(now, MAX_MONTHS_BACK)), end };
}

export class Pushes {
  private readonly data = new Map<SdkProvider, PushData[]>();
  constructor(private readonly now: number) {}

  add(provider: SdkProvider, field: keyof PushData, items: object[]) {
    const list = this.data.get(provider) ?? [];
    this.data.set(provider, list);
    let current = list.at(-1);
    const size = (p: PushData) => p.records.length + p.workouts.length + p.sleep.length;
    if (!current || size(current) + items.length > RECORDS_PER_PUSH) {
      current = { records: [], workouts: [], sleep: [] };
      list.push(current);
    }
    current[field].push(...items);
  }

  all(): SdkPush[] {
    return [...this.data].flatMap(([provider, list]) =>
      list.map((data) => ({
        provider,
        body: {
          provider,
          sdkVersion: 'seed-1',
          syncTimestamp: isoAt(this.now),
          syncType: 'historical' as const,
          data,
        },
      })),
    );
  }
}
