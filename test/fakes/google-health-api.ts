/**
 * The data-point operations of the fake Google Health API (providers.md 4.9), independent of the product code:
 * each type's record shape and operations, AIP-160 time filters (only `>=` and `<`, joined by `AND`, on the fields
 * the API filters that shape by), page tokens, and `rollUp` windows with each type's range cap.
 */
import type { GooglePoint } from '#test/fakes/google-health-data.js';

type Shape = 'interval' | 'sample' | 'date' | 'sleep' | 'exercise';

interface TypeSpec {
  valueKey: string;
  shape: Shape;
  /** `list`/`reconcile` refused (total calories is read by rollUp only). */
  rollUpOnly?: boolean;
  /** The rollUp output: `<field>` of the value, summed or averaged (dotted path into the point's value). */
  rollUp?: { out: string; from: string; how: 'sum' | 'avg' };
  maxRangeDays?: number;
}

export const TYPES: Readonly<Record<string, TypeSpec>> = {
  steps: { valueKey: 'steps', shape: 'interval', rollUp: { out: 'countSum', from: 'count', how: 'sum' } },
  distance: {
    valueKey: 'distance',
    shape: 'interval',
    rollUp: { out: 'millimetersSum', from: 'millimeters', how: 'sum' },
  },
  'total-calories': {
    valueKey: 'totalCalories',
    shape: 'interval',
    rollUpOnly: true,
    rollUp: { out: 'kcalSum', from: 'kcal', how: 'sum' },
    maxRangeDays: 14,
  },
  'hydration-log': {
    valueKey: 'hydrationLog',
    shape: 'interval',
    rollUp: { out: 'amountConsumed.millilitersSum', from: 'amountConsumed.milliliters', how: 'sum' },
  },
  'heart-rate': {
    valueKey: 'heartRate',
    shape: 'sample',
    rollUp: { out: 'beatsPerMinuteAvg', from: 'beatsPerMinute', how: 'avg' },
    maxRangeDays: 14,
  },
  'run-vo2-max': {
    valueKey: 'runVo2Max',
    shape: 'sample',
    rollUp: { out: 'rateAvg', from: 'runVo2Max', how: 'avg' },
  },
  'daily-resting-heart-rate': { valueKey: 'dailyRestingHeartRate', shape: 'date' },
  'heart-rate-variability': { valueKey: 'heartRateVariability', shape: 'sample' },
  weight: {
    valueKey: 'weight',
    shape: 'sample',
    rollUp: { out: 'weightGramsAvg', from: 'weightGrams', how: 'avg' },
  },
  'body-fat': {
    valueKey: 'bodyFat',
    shape: 'sample',
    rollUp: { out: 'bodyFatPercentageAvg', from: 'percentage', how: 'avg' },
  },
  'core-body-temperature': {
    valueKey: 'coreBodyTemperature',
    shape: 'sample',
    rollUp: { out: 'temperatureCelsiusAvg', from: 'celsius', how: 'avg' },
  },
  'blood-glucose': {
    valueKey: 'bloodGlucose',
    shape: 'sample',
    rollUp: {
      out: 'bloodGlucoseMilligramsPerDeciliterAvg',
      from: 'bloodGlucoseMilligramsPerDeciliter',
      how: 'avg',
    },
  },
  'daily-respiratory-rate': { valueKey: 'dailyRespiratoryRate', shape: 'date' },
  'oxygen-saturation': { valueKey: 'oxygenSaturation', shape: 'sample' },
  sleep: { valueKey: 'sleep', shape: 'sleep' },
  exercise: { valueKey: 'exercise', shape: 'exercise' },
};

/** A refusal in Google's error format. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly statusText: string,
    message: string,
    readonly reason?: string,
  ) {
    super(message);
  }
  get body() {
    return {
      error: {
        code: this.status,
        message: this.message,
        status: this.statusText,
        ...(this.reason
          ? { details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: this.reason }] }
          : {}),
      },
    };
  }
}

const invalid = (message: string, reason?: string) => new ApiError(400, 'INVALID_ARGUMENT', message, reason);
const badFilter = (message: string) => invalid(message, 'INVALID_DATA_POINT_FILTER');

const at = (object: unknown, path: string): unknown =>
  path
    .split('.')
    .reduce<unknown>(
      (o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined),
      object,
    );

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;
const CIVIL = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}:\d{2})?$/;
const seconds = (text: unknown) => Number(/^(-?\d+(?:\.\d+)?)s$/.exec(String(text))?.[1] ?? Number.NaN);

/** Physical ms of a point field, or its civil (local wall-clock) ms read as UTC. */
function timeField(value: unknown, timePath: string, offsetPath: string, civil: boolean): number {
  const ms = Date.parse(String(at(value, timePath)));
  return civil ? ms + seconds(at(value, offsetPath)) * 1000 : ms;
}

/** The filterable fields of a shape: how to read each from a point's value, and the literal it compares with. */
function fieldsOf(
  shape: Shape,
): Record<string, { kind: 'physical' | 'civil' | 'date'; read: (v: unknown) => number | string }> {
  const interval = (name: string, civil: boolean) => (v: unknown) =>
    timeField(v, `interval.${name}Time`, `interval.${name}UtcOffset`, civil);
  switch (shape) {
    case 'interval':
      return {
        'interval.start_time': { kind: 'physical', read: interval('start', false) },
        'interval.civil_start_time': { kind: 'civil', read: interval('start', true) },
      };
    case 'sample':
      return {
        'sample_time.physical_time': {
          kind: 'physical',
          read: (v) => timeField(v, 'sampleTime.physicalTime', '', false),
        },
        'sample_time.civil_time': {
          kind: 'civil',
          read: (v) => timeField(v, 'sampleTime.physicalTime', 'sampleTime.utcOffset', true),
        },
      };
    case 'date':
      return {
        date: {
          kind: 'date',
          read: (v) => {
            const d = at(v, 'date') as { year: number; month: number; day: number };
            return `${d.year}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
          },
        },
      };
    case 'sleep':
      return {
        'interval.end_time': { kind: 'physical', read: interval('end', false) },
        'interval.civil_end_time': { kind: 'civil', read: interval('end', true) },
      };
    case 'exercise':
      return { 'interval.civil_start_time': { kind: 'civil', read: interval('start', true) } };
  }
}

const literalOf = (kind: 'physical' | 'civil' | 'date', text: string): number | string => {
  if (kind === 'date') {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) throw badFilter(`date literal expected: ${text}`);
    return text;
  }
  if (!(kind === 'physical' ? RFC3339 : CIVIL).test(text)) throw badFilter(`malformed time literal: ${text}`);
  return kind === 'physical'
    ? Date.parse(text)
    : Date.parse(`${text.length === 10 ? `${text}T00:00:00` : text}Z`);
};

/** A predicate over points of `dataType` for an AIP-160 filter (empty: every point). */
export function filterPredicate(dataType: string, filter: string): (point: GooglePoint) => boolean {
  const spec = TYPES[dataType]!;
  if (filter.trim() === '') return () => true;
  const prefix = dataType.replaceAll('-', '_');
  const fields = fieldsOf(spec.shape);
  const tests = filter.split(/\s+AND\s+/).map((clause) => {
    const match = /^\s*([A-Za-z0-9_.-]+)\s*(>=|<|<=|>|=)\s*"([^"]*)"\s*$/.exec(clause);
    if (!match) throw badFilter(`cannot parse filter clause: ${clause}`);
    const [, name, op, text] = match as unknown as [string, string, string, string];
    if (op !== '>=' && op !== '<') throw badFilter(`unsupported operator ${op}`);
    if (!name.startsWith(`${prefix}.`)) throw badFilter(`unknown filter field ${name}`);
    const field = fields[name.slice(prefix.length + 1)];
    if (!field) throw badFilter(`unsupported filter field ${name}`);
    const literal = literalOf(field.kind, text);
    return (p: GooglePoint) => {
      const value = field.read(p[spec.valueKey]);
      return op === '>=' ? value >= literal : value < literal;
    };
  });
  return (p) => tests.every((test) => test(p));
}

/** Sort key: the time a point is filed under. */
export function timeOf(dataType: string, p: GooglePoint): number {
  const spec = TYPES[dataType]!;
  const value = p[spec.valueKey];
  if (spec.shape === 'date') {
    const d = at(value, 'date') as { year: number; month: number; day: number };
    return Date.UTC(d.year, d.month - 1, d.day);
  }
  return Date.parse(
    String(at(value, spec.shape === 'sample' ? 'sampleTime.physicalTime' : 'interval.startTime')),
  );
}

/** `[start, end]` of a point, as a notification names it. */
export function spanOf(dataType: string, p: GooglePoint): [number, number] {
  const spec = TYPES[dataType]!;
  const start = timeOf(dataType, p);
  if (spec.shape === 'sample') return [start, start];
  if (spec.shape === 'date') return [start, start + 86_400_000];
  return [start, Date.parse(String(at(p[spec.valueKey], 'interval.endTime')))];
}

const encodeToken = (offset: number) => Buffer.from(`o:${offset}`).toString('base64url');
function decodeToken(token: string): number {
  const match = /^o:(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  if (!match) throw invalid('invalid page token');
  return Number(match[1]);
}

/** One page of `points` (already filtered and sorted). */
export function page<T>(items: T[], pageSize: number, pageToken: string | null) {
  const from = pageToken ? decodeToken(pageToken) : 0;
  const slice = items.slice(from, from + pageSize);
  const next = from + pageSize < items.length ? encodeToken(from + pageSize) : undefined;
  return { slice, next };
}

/** `pageSize`: default 1440 (25 for sessions), at most 10000 (25 for sessions). */
export function pageSizeOf(dataType: string, requested: unknown): number {
  const session = TYPES[dataType]!.shape === 'sleep' || TYPES[dataType]!.shape === 'exercise';
  if (requested === undefined || requested === null || requested === '') return session ? 25 : 1440;
  const size = Number(requested);
  if (!Number.isInteger(size) || size < 0) throw invalid('pageSize must be a non-negative integer');
  return Math.min(size === 0 ? 1440 : size, session ? 25 : 10_000);
}

/** `POST ...:rollUp`: windows of `windowSize` over `range`, the type's value summed or averaged. */
export function rollUp(dataType: string, points: GooglePoint[], body: unknown) {
  const spec = TYPES[dataType]!;
  const how = spec.rollUp;
  if (!how) throw invalid(`rollUp is not supported for ${dataType}`);
  const request = (body ?? {}) as Record<string, unknown>;
  const range = (request.range ?? {}) as Record<string, unknown>;
  const start = RFC3339.test(String(range.startTime)) ? Date.parse(String(range.startTime)) : Number.NaN;
  const end = RFC3339.test(String(range.endTime)) ? Date.parse(String(range.endTime)) : Number.NaN;
  if (!Number.isFinite(start) || !Number.isFinite(end) || end <= start) throw invalid('range is required');
  const maxDays = spec.maxRangeDays ?? 90;
  if (end - start > maxDays * 86_400_000)
    throw invalid(`The maximum range for ${dataType} is ${maxDays} days`);
  const windowMs = seconds(request.windowSize) * 1000;
  if (!(windowMs > 0)) throw invalid('windowSize is required');
  const windows: Record<string, unknown>[] = [];
  for (let from = start; from < end; from += windowMs) {
    const to = Math.min(from + windowMs, end);
    const values = points
      .filter((p) => {
        const t = timeOf(dataType, p);
        return t >= from && t < to;
      })
      .map((p) => Number(at(p[spec.valueKey], how.from)))
      .filter(Number.isFinite);
    if (values.length === 0) continue;
    const sum = values.reduce((a, b) => a + b, 0);
    const value = how.how === 'sum' ? sum : sum / values.length;
    const out = how.out.split('.');
    const nested = out.reduceRight<unknown>(
      (inner, key) => ({ [key]: inner }),
      Math.round(value * 1000) / 1000,
    );
    windows.push({
      startTime: new Date(from).toISOString(),
      endTime: new Date(to).toISOString(),
      [spec.valueKey]: nested,
    });
  }
  const size = Math.min(Number(request.pageSize) > 0 ? Number(request.pageSize) : 1440, 10_000);
  const token = typeof request.pageToken === 'string' && request.pageToken !== '' ? request.pageToken : null;
  const { slice, next } = page(windows, size, token);
  return { rollupDataPoints: slice, ...(next ? { nextPageToken: next } : {}) };
}
