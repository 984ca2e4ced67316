/**
 * The data side of the fake WHOOP (whoop.ts): one member's records, the v2 routes over them, collection paging as
 * WHOOP pages (`start`/`end`, newest first, `limit` 1-25, `nextToken` -> `next_token`) and the app-wide rate limits
 * with WHOOP's headers (`X-RateLimit-Limit: 100, 100;window=60, 10000;window=86400`, `-Remaining`, `-Reset` in
 * seconds).
 */
import { ForcedRateLimit } from '#test/fakes/provider-fake.js';
import type {
  WhoopBody,
  WhoopCycle,
  WhoopRecovery,
  WhoopSleep,
  WhoopWorkout,
} from '#test/fakes/whoop-data.js';

export interface WhoopMember {
  profile: { user_id: number; email: string; first_name: string; last_name: string };
  body: WhoopBody;
  cycles: Map<number, WhoopCycle>;
  sleeps: Map<string, WhoopSleep>;
  /** By cycle id: a cycle has at most one recovery. */
  recoveries: Map<number, WhoopRecovery>;
  workouts: Map<string, WhoopWorkout>;
}

export const newMember = (userId: number): WhoopMember => ({
  profile: { user_id: userId, email: `member${userId}@example.com`, first_name: 'Fake', last_name: 'Member' },
  body: { height_meter: 1.83, weight_kilogram: 82.1, max_heart_rate: 196 },
  cycles: new Map(),
  sleeps: new Map(),
  recoveries: new Map(),
  workouts: new Map(),
});

export interface Answer {
  status: number;
  body: unknown;
}

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
const MAX_LIMIT = 25;

export const errorBody = (message: string) => ({ message });
const startOf = (record: { start: string }) => Date.parse(record.start);

/** WHOOP's two app-wide windows (a minute, a UTC day), and 429s forced on demand. */
export class WhoopRateMeter {
  limits: { minute: number; day: number };
  readonly forced = new ForcedRateLimit();
  private usage = { minute: -1, day: -1, inMinute: 0, inDay: 0 };

  constructor(limits: { minute?: number; day?: number } = {}) {
    this.limits = { minute: limits.minute ?? 100, day: limits.day ?? 10_000 };
  }

  reset(): void {
    this.usage = { minute: -1, day: -1, inMinute: 0, inDay: 0 };
    this.forced.next(0);
  }

  /** Counts one request at `time`: its rate-limit headers, and whether it is refused. */
  take(time: number): { refused: boolean; headers: Record<string, string> } {
    const minute = Math.floor(time / MINUTE_MS);
    const day = Math.floor(time / DAY_MS);
    if (this.usage.day !== day) this.usage = { minute, day, inMinute: 0, inDay: 0 };
    else if (this.usage.minute !== minute) this.usage = { ...this.usage, minute, inMinute: 0 };
    this.usage.inMinute++;
    this.usage.inDay++;
    const minuteLeft = this.limits.minute - this.usage.inMinute;
    const dayLeft = this.limits.day - this.usage.inDay;
    // The headers describe the limit the app is closest to.
    const closest = minuteLeft <= dayLeft ? 'minute' : 'day';
    const resetAt = closest === 'minute' ? (minute + 1) * MINUTE_MS : (day + 1) * DAY_MS;
    const refused = this.forced.take() !== null || minuteLeft < 0 || dayLeft < 0;
    return {
      refused,
      headers: {
        'x-ratelimit-limit': `${this.limits[closest]}, ${this.limits.minute};window=60, ${this.limits.day};window=86400`,
        'x-ratelimit-remaining': String(Math.max(0, Math.min(minuteLeft, dayLeft))),
        'x-ratelimit-reset': String(Math.ceil((resetAt - time) / 1000)),
      },
    };
  }
}

type Span = { start: string; end?: string | undefined };

/** A collection page: the records overlapping [start, end) (end default now), newest first, `limit` at a time. */
function page<T>(records: Iterable<T>, url: URL, now: number, spanOf: (record: T) => Span): Answer {
  const q = url.searchParams;
  const limit = Number(q.get('limit') ?? 10);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT)
    return { status: 400, body: errorBody(`limit must be an integer from 1 to ${MAX_LIMIT}`) };
  const start = q.has('start') ? Date.parse(q.get('start')!) : Number.NEGATIVE_INFINITY;
  const end = q.has('end') ? Date.parse(q.get('end')!) : now;
  if (Number.isNaN(start) || Number.isNaN(end))
    return { status: 400, body: errorBody('start and end must be ISO-8601 date-times') };
  const token = q.get('nextToken');
  const offset = token === null ? 0 : Number(Buffer.from(token, 'base64url').toString('utf8'));
  if (!Number.isInteger(offset) || offset < 0) return { status: 400, body: errorBody('invalid nextToken') };
  const matching = [...records]
    .map((record) => ({ record, span: spanOf(record) }))
    .filter(({ span }) => startOf(span) < end && (span.end ? Date.parse(span.end) : now) >= start)
    .sort((a, b) => startOf(b.span) - startOf(a.span))
    .map(({ record }) => record);
  const more = offset + limit < matching.length;
  return {
    status: 200,
    body: {
      records: matching.slice(offset, offset + limit),
      next_token: more ? Buffer.from(String(offset + limit)).toString('base64url') : null,
    },
  };
}

const own = (record: Span) => record;

/** A GET of the v2 API (path after `/developer`) as member `m`. */
export function whoopGet(m: WhoopMember, path: string, url: URL, now: number): Answer {
  const notFound = { status: 404, body: errorBody('Not Found') };
  if (path === '/v2/user/profile/basic') return { status: 200, body: m.profile };
  if (path === '/v2/user/measurement/body') return { status: 200, body: m.body };
  if (path === '/v2/cycle') return page(m.cycles.values(), url, now, own);
  // A recovery belongs to its cycle's time.
  if (path === '/v2/recovery')
    return page(m.recoveries.values(), url, now, (r) => m.cycles.get(r.cycle_id) ?? { start: r.created_at });
  if (path === '/v2/activity/sleep') return page(m.sleeps.values(), url, now, own);
  if (path === '/v2/activity/workout') return page(m.workouts.values(), url, now, own);
  const cycle = /^\/v2\/cycle\/(\d+)(\/recovery)?$/.exec(path);
  if (cycle) {
    const id = Number(cycle[1]);
    const found = cycle[2] ? m.recoveries.get(id) : m.cycles.get(id);
    return found ? { status: 200, body: found } : notFound;
  }
  const byId = /^\/v2\/activity\/(sleep|workout)\/([0-9a-f-]{36})$/.exec(path);
  if (byId) {
    const found = byId[1] === 'sleep' ? m.sleeps.get(byId[2]!) : m.workouts.get(byId[2]!);
    return found ? { status: 200, body: found } : notFound;
  }
  return notFound;
}
