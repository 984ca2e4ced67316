/**
 * The data actions of the fake Withings API over one user's records, answering `{status, body}` envelopes as
 * Withings does: `/measure` getmeas, `/v2/measure` getactivity / getintradayactivity / getworkouts, `/v2/sleep`
 * getsummary / get, `/v2/user` getdevice. Windows, `lastupdate`, `data_fields` and `offset` paging behave as
 * documented; a window of more than 24 hours is cut to its first 24 for the two high-frequency actions.
 */
import {
  intradayEntry,
  sleepSegments,
  type WithingsDataset,
  type WithingsRecord,
} from '#test/fakes/withings-data.js';
import type { Envelope } from '#test/fakes/withings-notify.js';

export interface WithingsUser extends WithingsDataset {
  userid: number;
  timezone: string;
  /** Seed of the derived intraday samples. */
  seed: string;
  intradayStepSeconds: number;
}

const INVALID = (what: string): Envelope => ({ status: 503, body: {}, error: `Invalid Params: ${what}` });
const NOT_IMPLEMENTED: Envelope = { status: 2554, body: {}, error: 'Not implemented' };
const DAY_SECONDS = 86_400;

const numberParam = (params: URLSearchParams, name: string) => {
  const text = params.get(name);
  return text === null || text === '' || !/^-?\d+$/.test(text) ? null : Number(text);
};

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** `startdateymd`..`enddateymd` on `date`, or `lastupdate` on `modified`; null when neither is valid. */
function dayFilter(params: URLSearchParams): ((r: WithingsRecord) => boolean) | null {
  const lastupdate = numberParam(params, 'lastupdate');
  if (lastupdate !== null) return (r) => (r.modified as number) >= lastupdate;
  const from = params.get('startdateymd') ?? '';
  const to = params.get('enddateymd') ?? '';
  if (!DATE.test(from) || !DATE.test(to)) return null;
  return (r) => (r.date as string) >= from && (r.date as string) <= to;
}

/** Fields of a daily activity that come only when `data_fields` names them (or names nothing). */
const ACTIVITY_METRICS = new Set(
  'steps,distance,elevation,soft,moderate,intense,active,calories,totalcalories,hr_average,hr_min,hr_max'.split(
    ',',
  ),
);

/**
 * A record with only the requested `data_fields` (all of them when none are named) among `optional` fields
 * (default: every field).
 */
function onlyFields(record: WithingsRecord, params: URLSearchParams, optional?: Set<string>): WithingsRecord {
  const fields = params.get('data_fields');
  if (!fields) return record;
  const wanted = new Set(fields.split(','));
  return Object.fromEntries(
    Object.entries(record).filter(
      ([key]) => wanted.has(key) || (optional !== undefined && !optional.has(key)),
    ),
  );
}

/** `offset` paging: `more` 1/0 for getmeas, true/false for the v2 actions. */
function page<T>(items: T[], params: URLSearchParams, size: number, numeric: boolean) {
  const offset = Math.max(0, numberParam(params, 'offset') ?? 0);
  const more = offset + size < items.length;
  return {
    slice: items.slice(offset, offset + size),
    more: numeric ? (more ? 1 : 0) : more,
    offset: more ? offset + size : 0,
  };
}

function getmeas(user: WithingsUser, params: URLSearchParams, size: number): Envelope {
  const types = (params.get('meastypes') ?? params.get('meastype') ?? '')
    .split(',')
    .filter(Boolean)
    .map(Number);
  const category = numberParam(params, 'category');
  const lastupdate = numberParam(params, 'lastupdate');
  const start = numberParam(params, 'startdate');
  const end = numberParam(params, 'enddate');
  const groups = user.measureGroups
    .filter((g) => category === null || g.category === category)
    .filter((g) =>
      lastupdate !== null
        ? (g.modified as number) >= lastupdate
        : (start === null || (g.date as number) >= start) && (end === null || (g.date as number) <= end),
    )
    .map(
      (g): WithingsRecord => ({
        ...g,
        measures: (g.measures as Array<{ type: number }>).filter(
          (m) => types.length === 0 || types.includes(m.type),
        ),
      }),
    )
    .filter((g) => (g.measures as unknown[]).length > 0)
    .sort((a, b) => (b.date as number) - (a.date as number));
  const { slice, more, offset } = page(groups, params, size, true);
  return {
    status: 0,
    body: {
      updatetime: Math.floor(Date.now() / 1000),
      timezone: user.timezone,
      measuregrps: slice,
      more,
      offset,
    },
  };
}

/** getactivity, getworkouts, getsummary: records of days, `data_fields` applying to `fields` of each. */
function dailyList(
  records: WithingsRecord[],
  params: URLSearchParams,
  size: number,
  key: string,
  nested: boolean,
): Envelope {
  const filter = dayFilter(params);
  if (!filter) return INVALID('startdateymd/enddateymd or lastupdate');
  const selected = records
    .filter(filter)
    .map((r) =>
      nested
        ? { ...r, data: onlyFields(r.data as WithingsRecord, params) }
        : onlyFields(r, params, ACTIVITY_METRICS),
    );
  const { slice, more, offset } = page(selected, params, size, false);
  return { status: 0, body: { [key]: slice, more, offset } };
}

/** `startdate`..`enddate`, cut to 24 hours; null when absent. */
function highFrequencyWindow(params: URLSearchParams): { start: number; end: number } | null {
  const start = numberParam(params, 'startdate');
  const end = numberParam(params, 'enddate');
  if (start === null || end === null || end < start) return null;
  return { start, end: Math.min(end, start + DAY_SECONDS) };
}

function intraday(user: WithingsUser, params: URLSearchParams): Envelope {
  const window = highFrequencyWindow(params);
  if (!window) return INVALID('startdate/enddate');
  const days = new Set(user.intradayDays);
  const step = user.intradayStepSeconds;
  const series: Record<string, WithingsRecord> = {};
  for (let at = Math.ceil(window.start / step) * step; at <= window.end; at += step) {
    if (!days.has(new Date(at * 1000).toISOString().slice(0, 10))) continue;
    const entry = intradayEntry(user.seed, at);
    if (entry) series[at] = onlyFields(entry, withDevice(params));
  }
  return { status: 0, body: { series } };
}

/** The device fields always come with intraday entries, whatever `data_fields` names. */
function withDevice(params: URLSearchParams): URLSearchParams {
  const fields = params.get('data_fields');
  return fields ? new URLSearchParams({ data_fields: `${fields},deviceid,model,model_id` }) : params;
}

function sleepGet(user: WithingsUser, params: URLSearchParams): Envelope {
  const window = highFrequencyWindow(params);
  if (!window) return INVALID('startdate/enddate');
  const wanted = new Set((params.get('data_fields') ?? '').split(',').filter(Boolean));
  const series = user.sleeps
    .filter((s) => (s.startdate as number) < window.end && (s.enddate as number) > window.start)
    .flatMap(sleepSegments)
    .filter((seg) => (seg.startdate as number) < window.end && (seg.enddate as number) > window.start)
    .map((seg) =>
      Object.fromEntries(
        Object.entries(seg).filter(([key, value]) => typeof value !== 'object' || wanted.has(key)),
      ),
    );
  return { status: 0, body: { series, model: 32 } };
}

/** One data action of `user`; `size` is the page size of the paged ones. */
export function dataAction(
  user: WithingsUser,
  path: string,
  action: string,
  params: URLSearchParams,
  size: number,
): Envelope {
  const route = `${path} ${action}`;
  switch (route) {
    case '/measure getmeas':
      return getmeas(user, params, size);
    case '/v2/measure getactivity':
      return dailyList(user.activities, params, size, 'activities', false);
    case '/v2/measure getworkouts':
      return dailyList(user.workouts, params, size, 'series', true);
    case '/v2/measure getintradayactivity':
      return intraday(user, params);
    case '/v2/sleep getsummary':
      return dailyList(user.sleeps, params, size, 'series', true);
    case '/v2/sleep get':
      return sleepGet(user, params);
    case '/v2/user getdevice':
      return {
        status: 0,
        body: { devices: [{ type: 'Activity Tracker', model: 'ScanWatch', model_id: 93, battery: 'high' }] },
      };
    default:
      return NOT_IMPLEMENTED;
  }
}
