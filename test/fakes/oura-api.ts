/**
 * The collection reads of the fake Oura API (providers.md 4.5): documents by `start_date`/`end_date` (dates, both
 * included; a datetime counts as its date), heart rate by `start_datetime`/`end_datetime` (at most 30 days apart,
 * 400 beyond), both answered `{"data": [...], "next_token": …}` and paged by an opaque `next_token`.
 */
import type { ServerResponse } from 'node:http';
import { sendJson } from '#test/fakes/oauth-fake.js';
import type { OuraDocument, OuraHeartRate } from '#test/fakes/oura-data.js';
import { ouraProblem } from '#test/fakes/oura-webhooks.js';

const DATE = /^(\d{4}-\d{2}-\d{2})(?:T[\d:.]+(?:Z|[+-]\d{2}:\d{2})?)?$/;
const DAY_MS = 86_400_000;
const MAX_HEART_RATE_SPAN_MS = 30 * DAY_MS;

const pageToken = (offset: number) => Buffer.from(JSON.stringify({ offset })).toString('base64url');

function offsetOf(token: string | null): number | null {
  if (token === null) return 0;
  try {
    const offset = (JSON.parse(Buffer.from(token, 'base64url').toString()) as { offset?: unknown }).offset;
    return typeof offset === 'number' && Number.isInteger(offset) && offset >= 0 ? offset : null;
  } catch {
    return null;
  }
}

function page<T>(res: ServerResponse, items: T[], url: URL, size: number) {
  const offset = offsetOf(url.searchParams.get('next_token'));
  if (offset === null) return sendJson(res, 400, ouraProblem(400, 'Bad Request', 'invalid next_token'));
  const next = offset + size < items.length ? pageToken(offset + size) : null;
  sendJson(res, 200, { data: items.slice(offset, offset + size), next_token: next });
}

/** Without dates Oura answers yesterday and today. */
export function listDocuments(
  res: ServerResponse,
  url: URL,
  documents: OuraDocument[],
  now: number,
  pageSize: number,
) {
  const [start, end] = [url.searchParams.get('start_date'), url.searchParams.get('end_date')].map((value) =>
    value === null ? null : (DATE.exec(value)?.[1] ?? 'invalid'),
  );
  if (start === 'invalid' || end === 'invalid')
    return sendJson(res, 422, ouraProblem(422, 'Validation Error', 'dates must be YYYY-MM-DD'));
  const last = end ?? new Date(now).toISOString().slice(0, 10);
  const first = start ?? new Date(Date.parse(last) - DAY_MS).toISOString().slice(0, 10);
  if (first > last)
    return sendJson(res, 400, ouraProblem(400, 'Bad Request', 'start_date is after end_date'));
  const selected = documents
    .filter((d) => d.day >= first && d.day <= last)
    .sort((a, b) => a.day.localeCompare(b.day) || a.id.localeCompare(b.id));
  page(res, selected, url, pageSize);
}

/** Without datetimes Oura answers the last 24 hours. */
export function listHeartRate(
  res: ServerResponse,
  url: URL,
  samples: OuraHeartRate[],
  now: number,
  pageSize: number,
) {
  const parse = (name: string) => {
    const value = url.searchParams.get(name);
    return value === null ? null : Date.parse(value);
  };
  const end = parse('end_datetime') ?? now;
  const start = parse('start_datetime') ?? end - DAY_MS;
  if (!Number.isFinite(start) || !Number.isFinite(end))
    return sendJson(res, 422, ouraProblem(422, 'Validation Error', 'datetimes must be ISO 8601'));
  if (end - start > MAX_HEART_RATE_SPAN_MS)
    return sendJson(res, 400, ouraProblem(400, 'Bad Request', 'range must be at most 30 days'));
  const selected = samples.filter((s) => {
    const at = Date.parse(s.timestamp);
    return at >= start && at <= end;
  });
  page(res, selected, url, pageSize);
}
