import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** Document-client and low-level names alike: the middleware sees the low-level ones (`GetItemCommand`). */
const READS = new Set([
  'GetCommand',
  'GetItemCommand',
  'QueryCommand',
  'BatchGetCommand',
  'BatchGetItemCommand',
  'ScanCommand',
  'TransactGetCommand',
  'TransactGetItemsCommand',
]);

type Capacity = { CapacityUnits?: number };

/**
 * Counts DynamoDB capacity units of every command the client sends, by asking each one to return its
 * consumed capacity. Read and write units are told apart by the command.
 */
const meters = new WeakMap<DynamoDBDocumentClient, ReturnType<typeof createMeter>>();

export function meterCapacity(client: DynamoDBDocumentClient) {
  if (!meters.has(client)) meters.set(client, createMeter(client));
  return meters.get(client)!;
}

function createMeter(client: DynamoDBDocumentClient) {
  const totals = { read: 0, write: 0 };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      (args.input as Record<string, unknown>).ReturnConsumedCapacity = 'TOTAL';
      const result = await next(args);
      const consumed = (result.output as { ConsumedCapacity?: Capacity | Capacity[] }).ConsumedCapacity;
      const units = [consumed ?? []].flat().reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0);
      totals[READS.has(context.commandName ?? '') ? 'read' : 'write'] += units;
      return result;
    },
    { step: 'initialize', name: 'benchCapacityMeter' },
  );
  return {
    snapshot: () => ({ ...totals }),
    since: (before: { read: number; write: number }) => ({
      read: totals.read - before.read,
      write: totals.write - before.write,
    }),
  };
}
