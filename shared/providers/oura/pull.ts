import { isObject, textOf } from '#shared/providers/json.js';
import {
  collectionPath,
  DOCUMENT_COLLECTIONS,
  DOCUMENT_MAPPERS,
  type DocumentCollection,
  HEART_RATE_PATH,
  isDocumentCollection,
  PAGING,
  PERSONAL_INFO_PATH,
  scopedGet,
} from '#shared/providers/oura/collections.js';
import { instantOf } from '#shared/providers/oura/common.js';
import { mapHeartRate, mapPersonalInfo } from '#shared/providers/oura/daily.js';
import { PullOutput } from '#shared/providers/output.js';
import { allPages } from '#shared/providers/pages.js';
import { calendarDay, DAY_MS, isoDate, utcMidnight } from '#shared/providers/time.js';
import type { ProviderGet, ProviderIdentity, PullResult, SyncUnit } from '#shared/providers/types.js';
import { dayChunks } from '#shared/providers/units.js';
import { idText } from '#shared/providers/values.js';

/**
 * Oura pull (providers.md 4.5). A window is cut into UTC chunks of at most 30 days (`heartrate` refuses longer
 * ranges), and each chunk into one unit per collection, keyed `<collection>:<first UTC date>` (`sleep:2024-01-01`,
 * `heartrate:2024-01-01`), so a checkpoint or a rate limit repeats one collection's chunk, not the window; the
 * last chunk adds `personal_info:<date>` (weight and height, at most one reading a day).
 *
 * The document collections take calendar days, sent date-only (`start_date`/`end_date`, as Oura documents them;
 * the reference's `end_date=…T23:59:59` is discrepancy 14). A document belongs to the chunk its `day` (the
 * wearer's local date) falls in, widened by a day on each side: a wearer east or west of UTC has a local day that
 * a UTC window does not cover, and a live sync must see the day being revised. The query is one more day wider
 * still, because Oura has been seen treating `start_date` as exclusive and a date-only `end_date` as midnight.
 * Documents on the overlap days of two chunks are read twice; saving them again changes nothing.
 */

export const UNIT_DAYS = 30;
const DAY_MARGIN = 1;
const PULLED = [...DOCUMENT_COLLECTIONS, 'heartrate'] as const;

export function ouraUnits(start: number, end: number): SyncUnit[] {
  const chunks = dayChunks(start, end, UNIT_DAYS, 'oura');
  const units = chunks.flatMap((chunk) =>
    PULLED.map((name) => ({ key: `${name}:${isoDate(chunk.start)}`, start: chunk.start, end: chunk.end })),
  );
  const last = chunks.at(-1);
  if (last) units.push({ key: `personal_info:${isoDate(last.end - 1)}`, start: last.start, end: last.end });
  return units;
}

/** `GET /v2/usercollection/personal_info` -> `id`, and the email as the name when the `email` scope was granted. */
export async function ouraIdentity(get: ProviderGet): Promise<ProviderIdentity> {
  const info = await get(PERSONAL_INFO_PATH);
  if (!isObject(info)) return { providerUserId: null, providerUsername: null };
  return { providerUserId: idText(info.id), providerUsername: textOf(info.email) };
}

async function pullDocuments(
  get: ProviderGet,
  collection: DocumentCollection,
  unit: SyncUnit,
): Promise<PullResult> {
  const from = utcMidnight(unit.start) - DAY_MARGIN * DAY_MS;
  const to = utcMidnight(unit.end - 1) + DAY_MARGIN * DAY_MS;
  const documents = await allPages(
    get,
    collectionPath(collection),
    { start_date: isoDate(from - DAY_MS), end_date: isoDate(to + DAY_MS) },
    PAGING,
  );
  const out = new PullOutput();
  for (const document of documents) {
    const day = isObject(document) ? calendarDay(document.day) : null;
    if (day !== null && day >= from && day <= to) DOCUMENT_MAPPERS[collection](document, out);
  }
  return out.result();
}

/** 5-minute heart rate of `[unit.start, unit.end)`: Oura's bounds are datetimes, at most 30 days apart. */
async function pullHeartRate(get: ProviderGet, unit: SyncUnit): Promise<PullResult> {
  const items = await allPages(
    get,
    HEART_RATE_PATH,
    { start_datetime: new Date(unit.start).toISOString(), end_datetime: new Date(unit.end).toISOString() },
    PAGING,
  );
  const out = new PullOutput();
  for (const item of items) {
    const at = isObject(item) ? instantOf(item.timestamp)?.at : undefined;
    if (at !== undefined && at >= unit.start && at < unit.end) mapHeartRate(item, out);
  }
  return out.result();
}

/** Weight and height as Oura has them now, stamped at the start of the window's last UTC day. */
async function pullPersonalInfo(get: ProviderGet, unit: SyncUnit): Promise<PullResult> {
  const out = new PullOutput();
  mapPersonalInfo(await get(PERSONAL_INFO_PATH), utcMidnight(unit.end - 1), out);
  return out.result();
}

export function pullOura(userGet: ProviderGet, unit: SyncUnit): Promise<PullResult> {
  const get = scopedGet(userGet);
  const name = unit.key.slice(0, unit.key.indexOf(':'));
  if (name === 'heartrate') return pullHeartRate(get, unit);
  if (name === 'personal_info') return pullPersonalInfo(get, unit);
  if (isDocumentCollection(name)) return pullDocuments(get, name, unit);
  throw new Error(`not an Oura sync unit: ${unit.key}`);
}
