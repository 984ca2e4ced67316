import { ProviderRequestError } from '#shared/providers/http.js';
import { isObject, type JsonObject, textOf } from '#shared/providers/json.js';
import { epochMs } from '#shared/providers/time.js';
import type { ProviderGet, SyncUnit } from '#shared/providers/types.js';

/**
 * SensorBio's cursor collections (`/v1/activities`, `/v1/biometrics`): `last-timestamp=<ms>&limit=` answers the
 * records after that timestamp, oldest first, as `{"data": [...], "links": {"next": ...}}`; the next cursor is
 * the last record's `timestamp`.
 *
 * The reference starts every sync at `last-timestamp=0` and walks the user's whole history (providers.md 6, risk
 * 4). Here a walk covers one unit: it starts just before the unit and stops at the first page reaching its end,
 * so a day costs its own pages whatever the account's age.
 */

/** The reference's page size; the API documents no maximum. */
export const PAGE_LIMIT = 50;
/** A day of one-minute biometrics is 29 pages: far more means the cursor is not advancing sensibly. */
export const MAX_PAGES = 200;

const hasNext = (body: JsonObject) => isObject(body.links) && textOf(body.links.next) !== null;

/**
 * The records of `path` whose `timestamp` is in `[unit.start, unit.end)`. Stops when a page is empty, reaches
 * the unit's end, does not move the cursor, or has no `links.next`; more than MAX_PAGES pages is a
 * ProviderRequestError (nothing is dropped silently). Records without a usable timestamp are skipped.
 */
export async function recordsWithin(get: ProviderGet, path: string, unit: SyncUnit): Promise<JsonObject[]> {
  const records: JsonObject[] = [];
  // `last-timestamp` is exclusive: one ms before the unit includes a record stamped exactly at its start.
  let cursor = unit.start - 1;
  for (let page = 0; page < MAX_PAGES; page++) {
    const body = await get(path, { 'last-timestamp': cursor, limit: PAGE_LIMIT });
    const data = isObject(body) && Array.isArray(body.data) ? body.data : [];
    let latest = cursor;
    for (const record of data) {
      const timestamp = isObject(record) ? epochMs(record.timestamp) : null;
      if (timestamp === null) continue;
      latest = Math.max(latest, timestamp);
      if (timestamp >= unit.start && timestamp < unit.end) records.push(record as JsonObject);
    }
    if (latest <= cursor || latest >= unit.end - 1 || !hasNext(body as JsonObject)) return records;
    cursor = latest;
  }
  throw new ProviderRequestError(0, `${path} still had more pages after ${MAX_PAGES} for ${unit.key}`);
}
