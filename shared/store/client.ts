import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  DynamoDBDocumentClient,
  paginateQuery,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { baseEnvSchema, env } from '#shared/config/env.js';
import { retryTransactionConflicts } from '#shared/store/contention.js';
import { checkWriteScope, writtenPartitionKeys } from '#shared/store/write-scopes.js';

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
    documentClient = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
      marshallOptions: { removeUndefinedValues: true },
    });
    // Only the sandbox runs functions under a write scope (store/write-scopes.ts); elsewhere this checks nothing.
    documentClient.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as Record<string, unknown>;
        checkWriteScope(writtenPartitionKeys(context.commandName ?? '', input));
        return next(args);
      },
      { step: 'initialize', name: 'writeScope' },
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
