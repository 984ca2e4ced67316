import * as z from 'zod/mini';
import { CAP, cappedString } from '#shared/http/validation.js';

/**
 * The mobile SDK push body (`SyncRequest`, contract 6.2). The envelope is validated as a whole; items one by
 * one, so that one bad item is dropped and counted instead of failing the batch (the iOS SDK discards a whole
 * chunk on any 4xx). Datetimes become epoch milliseconds and zone offsets `±HH:MM`. Unknown keys are ignored.
 * Every string is capped (`cappedString`) before any pattern or transform reads it.
 */

const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*([Zz]|[+-]\d{2}(?::?\d{2})?)?$/;
const ZONE_OFFSET = /^([+-])(\d{2}):?(\d{2})?$/;

/** `Z`, `±HH`, `±HHMM` or `±HH:MM` as minutes east of UTC; null when malformed. */
export function zoneOffsetMinutes(offset: string): number | null {
  if (offset === 'Z' || offset === 'z') return 0;
  const match = ZONE_OFFSET.exec(offset);
  if (!match) return null;
  const [, sign, hours = '', minutes = '00'] = match;
  if (Number(hours) > 23 || Number(minutes) > 59) return null;
  return (sign === '-' ? -1 : 1) * (Number(hours) * 60 + Number(minutes));
}

const formatZoneOffset = (minutes: number) => {
  const abs = Math.abs(minutes);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${minutes < 0 ? '-' : '+'}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
};

/**
 * An ISO-8601 datetime as epoch ms. Any number of fractional digits (Android sends nanoseconds; truncated to
 * ms); a missing offset means UTC. Impossible dates (Feb 30, 24:00) are rejected.
 */
export function parseIsoDateTime(text: string): number | null {
  const match = ISO_DATE_TIME.exec(text.trim());
  if (!match) return null;
  const [, year, month, day, hour, minute, second = '00', fraction = '', offset = 'Z'] = match;
  const iso = `${year}-${month}-${day}T${hour}:${minute}:${second}.${fraction.padEnd(3, '0').slice(0, 3)}Z`;
  const utc = Date.parse(iso);
  const offsetMinutes = zoneOffsetMinutes(offset);
  if (Number.isNaN(utc) || new Date(utc).toISOString() !== iso || offsetMinutes === null) return null;
  return utc - offsetMinutes * 60_000;
}

const isoDateTime = (message = 'Input should be an ISO-8601 datetime') =>
  z.pipe(
    cappedString(CAP.datetime),
    z.transform((text: string, ctx) => {
      const ms = parseIsoDateTime(text);
      if (ms !== null) return ms;
      ctx.issues.push({ code: 'custom', message, input: text });
      return z.NEVER;
    }),
  );
const dateTime = isoDateTime();

/** Unambiguous (every digit has one place to go), so matching is linear: `1.`, `.5`, `1.5e3`, `-2`. */
export const DECIMAL_TEXT = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A finite number; numeric strings are accepted too, as the reference's Decimal fields do. */
const decimal = z.union([
  z.number(),
  z.pipe(
    z.pipe(cappedString(CAP.datetime).check(z.trim(), z.regex(DECIMAL_TEXT)), z.transform(Number)),
    z.number(),
  ),
]);

const text = z.pipe(
  z.nullish(cappedString(CAP.text)),
  z.transform((value) => value ?? null),
);

/** Descriptive text: blank counts as absent, and a malformed value is treated as absent instead of failing. */
const lenientText = z.pipe(
  z.catch(z.nullish(cappedString(CAP.text)), null),
  z.transform((value) => value?.trim() || null),
);

/** Offsets are informational, so a malformed one becomes null rather than sinking the item. */
const zoneOffset = z.pipe(
  z.catch(z.nullish(cappedString(CAP.datetime)), null),
  z.transform((value) => {
    const minutes = value ? zoneOffsetMinutes(value.trim()) : null;
    return minutes === null ? null : formatZoneOffset(minutes);
  }),
);

const toCamelCase = (key: string) => key.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());

/** snake_case keys are accepted as aliases; when both spellings are sent the camelCase one wins. */
function withCamelCaseKeys(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const entries = Object.entries(value).sort(([a], [b]) => Number(b.includes('_')) - Number(a.includes('_')));
  return Object.fromEntries(entries.map(([key, field]) => [toCamelCase(key), field]));
}

const operatingSystemVersion = z.pipe(
  z.transform(withCamelCaseKeys),
  z.object({ majorVersion: z.int(), minorVersion: z.int(), patchVersion: z.int() }),
);

/**
 * Provenance (`SourceInfo`): only the fields it is derived from are read. A malformed source or field is
 * treated as absent, so provenance never costs a health record.
 */
const sourceInfo = z.pipe(
  z.transform(withCamelCaseKeys),
  z.object({
    appId: lenientText,
    name: lenientText,
    bundleIdentifier: lenientText,
    productType: lenientText,
    deviceName: lenientText,
    deviceModel: lenientText,
    operatingSystemVersion: z.catch(z.nullish(operatingSystemVersion), null),
  }),
);

const source = z.pipe(
  z.catch(z.nullish(sourceInfo), null),
  z.transform((value) => value ?? null),
);

export const metricRecordSchema = z.object({
  id: text,
  type: text,
  startDate: dateTime,
  endDate: dateTime,
  zoneOffset,
  source,
  value: decimal,
  unit: text,
});

export const sleepRecordSchema = z
  .object({
    id: text,
    stage: z.pipe(
      cappedString(CAP.id),
      z.transform((stage) => stage.trim().toLowerCase()),
    ),
    startDate: dateTime,
    endDate: dateTime,
    zoneOffset,
    source,
  })
  .check(z.refine((segment) => segment.endDate > segment.startDate, 'endDate must be after startDate'));

const workoutStatisticSchema = z.object({ type: cappedString(CAP.name), unit: text, value: decimal });

/** A statistic that does not parse is ignored on its own: one odd value should not cost the whole workout. */
const workoutStatistics = z.pipe(
  z.nullish(z.array(z.unknown())),
  z.transform((items) =>
    (items ?? []).flatMap((item) => {
      const parsed = workoutStatisticSchema.safeParse(item);
      return parsed.success ? [parsed.data] : [];
    }),
  ),
);

export const workoutSchema = z
  .object({
    id: text,
    type: text,
    startDate: dateTime,
    endDate: dateTime,
    zoneOffset,
    source,
    values: workoutStatistics,
  })
  .check(z.refine((workout) => workout.endDate >= workout.startDate, 'endDate must not be before startDate'));

export type SourceInfo = z.output<typeof sourceInfo>;
export type MetricRecord = z.output<typeof metricRecordSchema>;
export type SleepRecord = z.output<typeof sleepRecordSchema>;
export type WorkoutStatistic = z.output<typeof workoutStatisticSchema>;
export type Workout = z.output<typeof workoutSchema>;

const requiredError = (field: string, kind: string) => ({
  error: (issue: { input?: unknown }) =>
    issue.input === undefined ? `${field} is required` : `${field} must be ${kind}`,
});

export const SYNC_TYPES = ['historical', 'live'] as const;
export type SyncType = (typeof SYNC_TYPES)[number];

const itemList = (field: string) =>
  z.pipe(
    z.nullish(z.array(z.unknown(), requiredError(field, 'an array'))),
    z.transform((items) => items ?? []),
  );

const envelopeSchema = z.object(
  {
    provider: z.string(requiredError('provider', 'a string')).check(z.maxLength(CAP.id, { abort: true })),
    sdkVersion: z.string(requiredError('sdkVersion', 'a string')).check(z.maxLength(CAP.id, { abort: true })),
    syncTimestamp: z.pipe(
      z.string(requiredError('syncTimestamp', 'a string')).check(z.maxLength(CAP.datetime, { abort: true })),
      isoDateTime('syncTimestamp must be an ISO-8601 datetime'),
    ),
    // Newer SDKs (iOS 0.15) name the sync session a batch belongs to; anything unusable reads as absent.
    syncSessionId: z.pipe(
      z.catch(z.nullish(cappedString(CAP.id)), null),
      z.transform((id) => id?.trim() || null),
    ),
    syncType: z.pipe(
      z.catch(z.nullish(z.enum(SYNC_TYPES)), null),
      z.transform((type) => type ?? null),
    ),
    data: z.pipe(
      z.nullish(
        z.object(
          {
            records: itemList('data.records'),
            sleep: itemList('data.sleep'),
            workouts: itemList('data.workouts'),
          },
          requiredError('data', 'an object'),
        ),
      ),
      z.transform((data) => data ?? { records: [], sleep: [], workouts: [] }),
    ),
  },
  { error: 'The sync payload must be a JSON object' },
);

export interface SyncRequest {
  provider: string;
  sdkVersion: string;
  syncTimestamp: number;
  syncSessionId: string | null;
  syncType: SyncType | null;
  records: MetricRecord[];
  sleep: SleepRecord[];
  workouts: Workout[];
  /** Items that failed validation. */
  dropped: number;
  /** Items present in the payload, before validation. */
  received: { records: number; workouts: number; sleep: number };
}

function validItems<T>(schema: z.ZodMiniType<T>, items: unknown[]): { valid: T[]; dropped: number } {
  const valid = items.flatMap((item) => {
    const parsed = schema.safeParse(item);
    return parsed.success ? [parsed.data] : [];
  });
  return { valid, dropped: items.length - valid.length };
}

export function parseSyncRequest(
  body: unknown,
): { ok: true; request: SyncRequest } | { ok: false; error: string } {
  const envelope = envelopeSchema.safeParse(body);
  if (!envelope.success)
    return { ok: false, error: `Invalid sync payload: ${envelope.error.issues[0]?.message}` };
  const { data, ...header } = envelope.data;
  const records = validItems(metricRecordSchema, data.records);
  const sleep = validItems(sleepRecordSchema, data.sleep);
  const workouts = validItems(workoutSchema, data.workouts);
  return {
    ok: true,
    request: {
      ...header,
      records: records.valid,
      sleep: sleep.valid,
      workouts: workouts.valid,
      dropped: records.dropped + sleep.dropped + workouts.dropped,
      received: { records: data.records.length, workouts: data.workouts.length, sleep: data.sleep.length },
    },
  };
}
