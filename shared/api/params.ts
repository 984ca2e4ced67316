import * as z from 'zod/mini';
import { HttpError } from '#shared/http/errors.js';
import { CAP, cappedString } from '#shared/http/validation.js';

const ISO = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(?:Z|[+-]\d{2}:?\d{2})?$/i;

/** Query times outside [1970-01-01, 10000-01-01) are refused: they cannot be stored or rendered as ISO 8601. */
const EARLIEST_MS = 0;
const END_OF_TIME_MS = Date.UTC(10_000, 0, 1);

const inRange = (ms: number) => Number.isFinite(ms) && ms >= EARLIEST_MS && ms < END_OF_TIME_MS;

function parse(trimmed: string): number | undefined {
  if (trimmed !== '' && Number.isFinite(Number(trimmed))) return Math.round(Number(trimmed) * 1000);
  if (!ISO.test(trimmed)) return undefined;
  const hasZone = /(?:Z|[+-]\d{2}:?\d{2})$/i.test(trimmed) && trimmed.length > 10;
  const normalised = trimmed.replace(' ', 'T');
  return Date.parse(
    hasZone ? normalised : normalised.length === 10 ? `${normalised}T00:00:00Z` : `${normalised}Z`,
  );
}

/**
 * Date/time query parameters (contract 1.4): a number is Unix seconds (fractions allowed), otherwise ISO 8601
 * (date only, naive or with offset; naive means UTC). Parsed to epoch milliseconds.
 */
export function parseDateTimeParam(value: string): number {
  const ms = parse(value.trim());
  if (ms !== undefined && inRange(ms)) return ms;
  throw new HttpError(
    400,
    `Invalid datetime format: '${value}'. Expected ISO 8601 format or Unix timestamp.`,
  );
}

export const dateTimeParam = () =>
  z.pipe(
    cappedString(CAP.datetime),
    z.transform((value: string) => parseDateTimeParam(value)),
  );

/** A query parameter that may be repeated (`types=a&types=b`): always an array. */
export const repeatable = <T extends z.ZodMiniType>(item: T) =>
  z.pipe(
    z.transform((value: unknown) => (value === undefined ? [] : Array.isArray(value) ? value : [value])),
    z.array(item).check(z.maxLength(200)),
  );
