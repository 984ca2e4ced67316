import { type NativeAttributeValue, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { badRequest } from '#shared/http/errors.js';
import { isoAt } from '#shared/model/time.js';
import { db, type Item } from '#shared/store/client.js';

/**
 * Svix-style listing (contract 1.5: `limit`, `iterator`, `before`, `after` → `data`, `done`, `iterator`,
 * `prevIterator`), newest first, over sort keys `<prefix><ISO timestamp>#<id>`. `iterator` continues towards older
 * items; `prevIterator` (marked by a leading `-`) goes back towards newer ones. Both are opaque.
 */
export interface SvixQuery {
  limit: number;
  iterator?: string;
  /** Epoch ms: only items strictly before. */
  before?: number;
  /** Epoch ms: only items at or after. */
  after?: number;
}

export interface SvixPage<T> {
  data: T[];
  done: boolean;
  iterator: string | null;
  prevIterator: string | null;
}

export interface PagedSource {
  index?: 'GSI1';
  partition: string;
  prefix: string;
  /** A filter on non-key attributes, applied before the limit. */
  filter?: {
    expression: string;
    names?: Record<string, string>;
    values?: Record<string, NativeAttributeValue>;
  };
}

const BACKWARD = '-';
/** Sorts after every ISO timestamp. */
const HIGHEST = '~';
const MAX_KEY_LENGTH = 256;

const encode = (key: string) => Buffer.from(key, 'utf8').toString('base64url');

function decode(iterator: string, prefix: string): { key: string; backward: boolean } {
  const backward = iterator.startsWith(BACKWARD);
  const text = backward ? iterator.slice(1) : iterator;
  const key = Buffer.from(text, 'base64url').toString('utf8');
  if (!key.startsWith(prefix) || key.length > MAX_KEY_LENGTH || encode(key) !== text) {
    throw badRequest(`Invalid iterator: '${iterator}'.`);
  }
  return { key, backward };
}

export async function svixPage(source: PagedSource, query: SvixQuery): Promise<SvixPage<Item>> {
  const { prefix } = source;
  const position = query.iterator ? decode(query.iterator, prefix) : undefined;
  const backward = position?.backward ?? false;
  // ISO timestamps start with a digit: `0` sorts before them all (and a key bound may not be empty).
  let low = `${prefix}${query.after === undefined ? '0' : isoAt(query.after)}`;
  let high = query.before === undefined ? `${prefix}${HIGHEST}` : `${prefix}${isoAt(query.before)}`;
  if (position && backward && position.key > low) low = position.key;
  if (position && !backward && position.key < high) high = position.key;
  // Nothing (more) this way: the position is kept, so a client polling for newer items keeps its place.
  const empty = {
    data: [],
    done: true,
    iterator: backward ? null : (query.iterator ?? null),
    prevIterator: backward ? (query.iterator ?? null) : null,
  };
  if (low >= high) return empty;

  const [pkName, skName] = source.index ? ['GSI1PK', 'GSI1SK'] : ['PK', 'SK'];
  const { doc, table } = db();
  const wanted = query.limit + 1;
  const found: Item[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await doc.send(
      new QueryCommand({
        TableName: table,
        IndexName: source.index,
        KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :low AND :high',
        FilterExpression: source.filter?.expression,
        ExpressionAttributeNames: { '#pk': pkName, '#sk': skName, ...source.filter?.names },
        ExpressionAttributeValues: {
          ':pk': source.partition,
          ':low': low,
          ':high': high,
          ...source.filter?.values,
        },
        ScanIndexForward: backward,
        Limit: source.filter ? 250 : wanted + 1,
        ExclusiveStartKey: start,
      }),
    );
    // BETWEEN includes both bounds: `high` is exclusive, and an iterator's own item was already shown.
    const fresh = (out.Items ?? []).filter((item) => item[skName] !== high && item[skName] !== position?.key);
    found.push(...fresh);
    start = out.LastEvaluatedKey;
  } while (start && found.length < wanted);

  const more = found.length > query.limit;
  const page = found.slice(0, query.limit);
  if (backward) page.reverse();
  if (page.length === 0) return empty;
  return {
    data: page,
    done: !more,
    iterator: encode(page.at(-1)![skName] as string),
    prevIterator: `${BACKWARD}${encode(page[0]![skName] as string)}`,
  };
}
