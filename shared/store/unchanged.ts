import { createHash } from 'node:crypto';
import { batchGet, type Item, type Key, keyId, type ReadOptions } from '#shared/store/client.js';

/**
 * Skipping writes that would change nothing. A live sync re-reads the last hours of a provider and a push repeats
 * its data sources: putting an item identical to the stored one changes no byte but costs its write units, twice
 * over inside a guarded transaction, while a strongly consistent read of it costs a fifth of that.
 */

/** Object keys in order, at every depth: DynamoDB keeps no attribute order, so a stored item reads back reordered. */
function ordered(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(ordered);
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return value;
  if (value instanceof Set) return [...value].map(ordered).sort();
  return Object.fromEntries(
    Object.entries(value as Item)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => [k, ordered(v)]),
  );
}

/** A digest of JSON-able content: equal content (attribute order aside), equal digest. */
export const contentHash = (content: unknown): string =>
  createHash('sha256')
    .update(JSON.stringify(ordered(content)))
    .digest('base64url')
    .slice(0, 22);

/** The stored items of `itemKeys` by `keyId`, read in batches (strongly consistently unless asked otherwise). */
export const storedItems = async (itemKeys: Key[], reads?: ReadOptions): Promise<Map<string, Item>> =>
  itemKeys.length === 0 ? new Map() : (await batchGet(itemKeys, reads)).items;

/** Whether putting `item` over `stored` would change nothing. */
export const sameItem = (stored: Item | undefined, item: Item): boolean =>
  stored !== undefined && contentHash(stored) === contentHash(item);

/** The items whose stored copy differs from them (or is missing). */
export async function changedItems<T extends Item & Key>(items: T[], reads?: ReadOptions): Promise<T[]> {
  const stored = await storedItems(
    items.map(({ PK, SK }) => ({ PK, SK })),
    reads,
  );
  return items.filter((item) => !sameItem(stored.get(keyId(item)), item));
}
