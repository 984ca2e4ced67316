/**
 * The data endpoints of the fake Polar (providers.md 4.2), for one user's dataset at time `now`: the recent lists
 * (exercises uploaded in the last 30 days, nights and recharges of the last 28), the per-date records (404, or 204 for
 * an activity day), and the date-range endpoints (at most 28 days, not before 365 days ago: 400).
 */
import type { PolarDataset, PolarRecord } from '#test/fakes/polar-data.js';
import { polarError } from '#test/fakes/polar-webhooks.js';

export type PolarAnswer = { status: number; body?: unknown };

export const notAllowed: PolarAnswer = { status: 405, body: polarError(405, 'Method not allowed') };

const DAY = 86_400_000;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

const dateOf = (record: PolarRecord) => String(record.date ?? String(record.start_time ?? '').slice(0, 10));
const byDate = (records: PolarRecord[], date: string) => records.find((r) => dateOf(r) === date);

const single = (record: PolarRecord | undefined, none: number): PolarAnswer =>
  record
    ? { status: 200, body: record }
    : { status: none, ...(none === 404 ? { body: polarError(404, 'Not found') } : {}) };

function exerciseView(exercise: PolarRecord, url: URL): PolarRecord {
  const { samples, heart_rate_zones, ...rest } = exercise;
  return {
    ...rest,
    ...(url.searchParams.get('samples') === 'true' ? { samples } : {}),
    ...(url.searchParams.get('zones') === 'true' ? { heart_rate_zones } : {}),
  };
}

/** A GET of a data endpoint. */
export function dataRoute(data: PolarDataset, path: string, url: URL, now: number): PolarAnswer {
  const today = new Date(now).toISOString().slice(0, 10);
  const daysAgo = (date: string) =>
    (Date.parse(`${today}T00:00:00Z`) - Date.parse(`${date}T00:00:00Z`)) / DAY;
  const recent = (records: PolarRecord[]) => records.filter((r) => daysAgo(dateOf(r)) < 28);

  /** `from`/`to` of a date-range endpoint: an error message, or the inclusive dates. */
  function range(): string | { from: string; to: string } {
    const from = url.searchParams.get('from') ?? new Date(now - 28 * DAY).toISOString().slice(0, 10);
    const to = url.searchParams.get('to') ?? today;
    if (!DATE.test(from) || !DATE.test(to) || to < from) return 'Invalid date range';
    if (daysAgo(from) > 365) return 'From date cannot be older than 365 days';
    if (daysAgo(from) - daysAgo(to) > 28) return 'The maximum range between from and to is 28 days';
    return { from, to };
  }

  if (path === '/v3/exercises')
    return {
      status: 200,
      body: data.exercises
        .filter((e) => now - Date.parse(String(e.upload_time)) < 30 * DAY)
        .map((e) => exerciseView(e, url)),
    };
  const exercise = /^\/v3\/exercises\/([\w-]+)$/.exec(path);
  if (exercise) {
    const found = data.exercises.find((e) => e.id === exercise[1]);
    return single(found && exerciseView(found, url), 404);
  }
  if (path === '/v3/users/sleep') return { status: 200, body: { nights: recent(data.nights) } };
  if (path === '/v3/users/sleep/available')
    return {
      status: 200,
      body: {
        available: recent(data.nights).map((n) => ({
          date: n.date,
          start_time: n.sleep_start_time,
          end_time: n.sleep_end_time,
        })),
      },
    };
  if (path === '/v3/users/nightly-recharge')
    return { status: 200, body: { recharges: recent(data.recharges) } };
  const dated = /^\/v3\/users\/(sleep|nightly-recharge|activities|continuous-heart-rate)\/(.+)$/.exec(path);
  if (dated) {
    const [, kind, date] = dated as unknown as [string, string, string];
    if (!DATE.test(date)) return { status: 400, body: polarError(400, 'Invalid date') };
    if (kind === 'sleep') return single(byDate(data.nights, date), 404);
    if (kind === 'nightly-recharge') return single(byDate(data.recharges, date), 404);
    if (kind === 'activities') return single(byDate(data.activities, date), 204);
    return single(byDate(data.heartRates, date), 404);
  }
  if (path === '/v3/users/activities' || path === '/v3/users/continuous-heart-rate') {
    const dates = range();
    if (typeof dates === 'string') return { status: 400, body: polarError(400, dates) };
    const inRange = (r: PolarRecord) => dateOf(r) >= dates.from && dateOf(r) <= dates.to;
    return path === '/v3/users/activities'
      ? { status: 200, body: data.activities.filter(inRange) }
      : { status: 200, body: { heart_rates: data.heartRates.filter(inRange) } };
  }
  if (path === '/v3/users/physical-info') return single(data.physicalInfo ?? undefined, 204);
  return { status: 404, body: polarError(404, 'Not found') };
}
