import { decodeCursor, encodeCursor, invalidCursor } from '#shared/data/cursor.js';

export interface CursorPage<T> {
  data: T[];
  pagination: {
    next_cursor: string | null;
    previous_cursor: string | null;
    has_more: boolean;
    total_count: number | null;
  };
}

/**
 * Keyset paging over a fully sorted list. A cursor names the last item a page showed (by its sort key, not its
 * position), so inserts between requests never repeat or skip an item; `prev_` cursors page backwards.
 * `sortKey` must be unique and consistent with `items`' order; `compare` orders two keys like the list.
 */
export function keysetPage<T>(
  items: T[],
  options: {
    cursor?: string | undefined;
    limit: number;
    sortKey: (item: T) => string[];
    compare: (a: string[], b: string[]) => number;
    withTotal?: boolean;
  },
): CursorPage<T> {
  const { cursor, limit, sortKey, compare } = options;
  const total = options.withTotal === false ? null : items.length;
  let start = 0;
  let end = items.length;
  let backwards = false;
  if (cursor) {
    const parts = decodeCursor(cursor);
    if (parts[0] !== 'next' && parts[0] !== 'prev') throw invalidCursor(cursor);
    backwards = parts[0] === 'prev';
    const key = parts.slice(1);
    if (backwards) end = items.findIndex((item) => compare(sortKey(item), key) >= 0);
    else start = items.findIndex((item) => compare(sortKey(item), key) > 0);
    if (end < 0) end = items.length;
    if (start < 0) start = items.length;
  }
  const window = backwards ? items.slice(Math.max(0, end - limit), end) : items.slice(start, start + limit);
  const first = window[0];
  const last = window.at(-1);
  const moreAfter = backwards ? end < items.length : start + limit < items.length;
  const moreBefore = backwards ? end - limit > 0 : start > 0;
  return {
    data: window,
    pagination: {
      next_cursor: last && moreAfter ? encodeCursor(['next', ...sortKey(last)]) : null,
      previous_cursor: cursor && first && moreBefore ? encodeCursor(['prev', ...sortKey(first)]) : null,
      has_more: moreAfter,
      total_count: total,
    },
  };
}

/** Lexicographic comparison of string keys whose first part is an ISO time (sorts as text). */
export const compareKeys = (a: string[], b: string[]) => {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? '';
    const y = b[i] ?? '';
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
};
