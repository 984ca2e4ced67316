import { ProviderRequestError } from '#shared/providers/http.js';
import { isObject } from '#shared/providers/json.js';
import type { ProviderGet } from '#shared/providers/types.js';

/** A collection's cursor paging: where the items and the next cursor are, and what the cursor parameter is called. */
export interface CursorPaging {
  /** Query parameter carrying the cursor (`next_token` Oura, `nextToken` WHOOP). */
  cursorParam: string;
  /** Response field of the next cursor (`next_token`). */
  nextField: string;
  /** Response field of the items (`data`, `records`). */
  itemsField: string;
  /** Pages one call may read (default 500): a provider that keeps answering cursors cannot loop a worker forever. */
  maxPages?: number;
}

const DEFAULT_MAX_PAGES = 500;

/**
 * Every item of a cursor-paged collection: the first page with `query`, then each next cursor until the provider
 * answers none (or an empty one, or the one just sent). A body that is not an object, or items that are not an
 * array, read as an empty page. More than `maxPages` pages is a ProviderRequestError (nothing is dropped silently).
 */
export async function allPages(
  get: ProviderGet,
  path: string,
  query: Record<string, string | number>,
  paging: CursorPaging,
): Promise<unknown[]> {
  const items: unknown[] = [];
  let cursor: string | undefined;
  const maxPages = paging.maxPages ?? DEFAULT_MAX_PAGES;
  for (let page = 0; page < maxPages; page++) {
    const body = await get(path, cursor ? { ...query, [paging.cursorParam]: cursor } : query);
    if (!isObject(body)) return items;
    const found = body[paging.itemsField];
    if (Array.isArray(found)) items.push(...found);
    const next = body[paging.nextField];
    if (typeof next !== 'string' || next === '' || next === cursor) return items;
    cursor = next;
  }
  // Stopping here would silently drop the rest: fail the unit instead, so the run reports it.
  throw new ProviderRequestError(0, `${path} still had more pages after ${maxPages}`);
}
