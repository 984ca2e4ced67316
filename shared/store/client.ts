import { type ConsumedCapacity, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  paginateQuery,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { baseEnvSchema, env } from '#shared/config/env.js';
import { retryTransactionConflicts } from '#shared/store/contention.js';
import { checkTableActions, checkWriteScope, writtenPartitionKeys } from '#shared/store/write-scopes.js';
import { traceClient } from '#tracer';

export type Item = Record<string, unknown>;
export type Key = { PK: string; SK: string };

let documentClient: DynamoDBDocumentClient | undefined;
let clientEndpoint: string | undefined;

/**
 * The one DynamoDB access style: the lib-dynamodb document client, created lazily so that modules can be
 * imported (by CDK synth, by the OpenAPI generator) without AWS configuration. `AWS_ENDPOINT_URL_DYNAMODB`
 * points it at DynamoDB Local in the sandbox and tests; the client is rebuilt when that endpoint changes.
 */
export function db(): { doc: DynamoDBDocumentClient; table: string } {
  const endpoint = process.env.AWS_ENDPOINT_URL_DYNAMODB;
  if (!documentClient || clientEndpoint !== endpoint) {
    documentClient?.destroy();
    documentClient = DynamoDBDocumentClient.from(traceClient(new DynamoDBClient({})), {
      marshallOptions: { removeUndefinedValues: true },
    });
    // Only the sandbox runs functions under their table access (store/write-scopes.ts); elsewhere this checks nothing.
    documentClient.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as Record<string, unknown>;
        checkTableActions(context.commandName ?? '', input);
        checkWriteScope(writtenPartitionKeys(context.commandName ?? '', input));
        return next(args);
      },
      { step: 'initialize', name: 'tableAccess' },
    );
    documentClient.middlewareStack.add(retryTransactionConflicts as never, {
      step: 'initialize',
      name: 'retryTransactionConflicts',
      priority: 'high',
    });
    clientEndpoint = endpoint;
  }
  return { doc: documentClient, table: env(baseEnvSchema).TABLE_NAME };
}

/** Every page of a query, concatenated. Callers bound the partition they read. */
export async function queryAll<T = Item>(input: Omit<QueryCommandInput, 'TableName'>): Promise<T[]> {
  const { doc, table } = db();
  const items: T[] = [];
  for await (const page of paginateQuery({ client: doc }, { ...input, TableName: table })) {
    items.push(...((page.Items ?? []) as T[]));
  }
  return items;
}

type WriteRequest = { PutRequest: { Item: Item } } | { DeleteRequest: { Key: Key } };

/** BatchWrite in groups of 25, retrying unprocessed items with backoff until none remain. */
export async function writeBatches(requests: WriteRequest[]): Promise<void> {
  const { doc, table } = db();
  for (let i = 0; i < requests.length; i += 25) {
    let pending = requests.slice(i, i + 25);
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 25 * 2 ** attempt)));
      const out = await doc.send(new BatchWriteCommand({ RequestItems: { [table]: pending } }));
      pending = (out.UnprocessedItems?.[table] ?? []) as WriteRequest[];
    }
  }
}

export const deleteKeys = (itemKeys: Key[]) =>
  writeBatches(itemKeys.map((Key) => ({ DeleteRequest: { Key } })));

export function isConditionFailure(error: unknown): boolean {
  const name = (error as { name?: string } | undefined)?.name;
  return name === 'ConditionalCheckFailedException' || name === 'TransactionCanceledException';
}

/** The identity of an item (or key) as a string: `batchGet` maps its items by it. */
export const keyId = (key: Key | Item) => `${key.PK}\n${key.SK}`;

/** The units of a `ReturnConsumedCapacity` answer. */
export const capacity = (consumed: ConsumedCapacity | ConsumedCapacity[] | undefined): number =>
  [consumed ?? []].flat().reduce((total, c) => total + (c.CapacityUnits ?? 0), 0);

const BATCH_GET_LIMIT = 100;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
export const jitteredBackoff = (attempt: number) => sleep(Math.random() * Math.min(500, 10 * 2 ** attempt));

/** Strongly consistent Get, with the read units it took. */
export async function getItem(key: Key): Promise<{ item: Item | undefined; rcu: number }> {
  const { doc, table } = db();
  const out = await doc.send(
    new GetCommand({ TableName: table, Key: key, ConsistentRead: true, ReturnConsumedCapacity: 'TOTAL' }),
  );
  return { item: out.Item, rcu: capacity(out.ConsumedCapacity) };
}

/**
 * How a write path reads what it compares with before writing. Strongly consistent unless `consistent` is false:
 * an eventually consistent read costs half, and is asked for only where a stale answer can cost a retry but never
 * a write (shared/ingest/persist.ts `savePullResult`).
 */
export interface ReadOptions {
  consistent?: boolean;
}

/** BatchGet of any number of keys (strongly consistent by default), retrying unprocessed keys with backoff. */
export async function batchGet(
  itemKeys: Key[],
  { consistent = true }: ReadOptions = {},
): Promise<{ items: Map<string, Item>; rcu: number }> {
  const { doc, table } = db();
  const items = new Map<string, Item>();
  let rcu = 0;
  for (let i = 0; i < itemKeys.length; i += BATCH_GET_LIMIT) {
    let pending: Key[] = itemKeys.slice(i, i + BATCH_GET_LIMIT);
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 0) await jitteredBackoff(attempt);
      const out = await doc.send(
        new BatchGetCommand({
          RequestItems: { [table]: { Keys: pending, ConsistentRead: consistent } },
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      rcu += capacity(out.ConsumedCapacity);
      for (const item of out.Responses?.[table] ?? []) items.set(keyId(item), item);
      pending = (out.UnprocessedKeys?.[table]?.Keys ?? []) as Key[];
    }
  }
  return { items, rcu };
}
