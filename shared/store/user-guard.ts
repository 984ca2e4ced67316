import type { ConsumedCapacity } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { HttpError } from '#shared/http/errors.js';
import { db } from '#shared/store/client.js';
import { keys } from '#shared/store/keys.js';

/**
 * Nothing is written for a user who is deleted or missing, and that is a condition on the write itself, not a
 * read before it: every item that starts something new in a user's space (a data source, an event, a score, a
 * series registry, a connection, a token...) is written in a transaction with a check on the user's profile.
 * Erasure marks the profile deleted first (`deleted_at`), so from that moment on every such write fails with
 * `UserGone`. Updates of existing items require the item to exist, so they cannot resurrect erased ones;
 * time-series chunks are covered by their series registry (see timeseries.ts). The sync status, a day of
 * bookkeeping written on every push, checks the profile after its plain writes instead (sync/status.ts).
 */
export const LIVE_USER = 'attribute_exists(PK) AND attribute_not_exists(deleted_at)';

/** The user is deleted (or never existed): nothing was written. A 404 wherever it reaches the API. */
export class UserGone extends HttpError {
  override name = 'UserGone';
  constructor(readonly userId: string) {
    super(404, `User with ID: ${userId} not found.`);
  }
}

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** A transaction holds at most 100 items; one is the guard. */
export const GUARDED_ITEMS_PER_TRANSACTION = 99;

export const liveUserCheck = (table: string, userId: string): TransactItem => ({
  ConditionCheck: { TableName: table, Key: keys.user(userId), ConditionExpression: LIVE_USER },
});

/** True when a transaction was cancelled by its first item, the user guard. */
function guardFailed(error: unknown): boolean {
  const { name, CancellationReasons } = error as {
    name?: string;
    CancellationReasons?: Array<{ Code?: string }>;
  };
  return (
    name === 'TransactionCanceledException' && CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed'
  );
}

const capacityOf = (consumed: ConsumedCapacity[] | undefined) =>
  (consumed ?? []).reduce((total, c) => total + (c.CapacityUnits ?? 0), 0);

/**
 * Writes `items` (at most 99) in one transaction guarded by the user's profile; resolves to the write units it
 * consumed. Any other item's own condition failing rethrows the original error, for the caller to handle.
 */
export async function writeForUser(userId: string, items: TransactItem[]): Promise<number> {
  if (items.length > GUARDED_ITEMS_PER_TRANSACTION) {
    throw new RangeError(`a guarded transaction takes at most ${GUARDED_ITEMS_PER_TRANSACTION} items`);
  }
  const { doc, table } = db();
  try {
    const out = await doc.send(
      new TransactWriteCommand({
        TransactItems: [liveUserCheck(table, userId), ...items],
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
    return capacityOf(out.ConsumedCapacity);
  } catch (error) {
    if (guardFailed(error)) throw new UserGone(userId);
    throw error;
  }
}

/** Puts many unconditional items for a user, guarded, 99 per transaction. */
export async function putForUser(userId: string, items: Array<Record<string, unknown>>): Promise<void> {
  const { table } = db();
  for (let i = 0; i < items.length; i += GUARDED_ITEMS_PER_TRANSACTION) {
    const group = items.slice(i, i + GUARDED_ITEMS_PER_TRANSACTION);
    await writeForUser(
      userId,
      group.map((Item) => ({ Put: { TableName: table, Item } })),
    );
  }
}
