import { randomUUID } from 'node:crypto';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { SourcePriorities } from '#shared/model/sources.js';
import { nowIso } from '#shared/model/time.js';
import { db, queryAll } from '#shared/store/client.js';

/**
 * The operator's source priorities (contract 10.1, `/priorities/*`): global, one small partition, one item per
 * provider or device type that was ever set. Readers load the whole partition with one query per request, so a
 * change applies to the next read in every function (no cache).
 */

export type PriorityKind = 'provider' | 'device_type';

export interface StoredPriority {
  kind: PriorityKind;
  name: string;
  priority: number;
  id: string;
  created_at: string;
  updated_at: string;
}

const PARTITION = 'PRIORITIES';
const SK_PREFIX: Record<PriorityKind, string> = { provider: 'PROVIDER#', device_type: 'DEVICETYPE#' };
const priorityKey = (kind: PriorityKind, name: string) => ({
  PK: PARTITION,
  SK: `${SK_PREFIX[kind]}${name}`,
});

/** Every stored priority, strongly consistent: a read right after a PUT sees it. */
export async function listStoredPriorities(): Promise<StoredPriority[]> {
  const items = await queryAll({
    KeyConditionExpression: 'PK = :pk',
    ExpressionAttributeValues: { ':pk': PARTITION },
    ConsistentRead: true,
  });
  return items.map((item) => ({
    kind: item.kind as PriorityKind,
    name: item.name as string,
    priority: item.priority as number,
    id: item.id as string,
    created_at: item.created_at as string,
    updated_at: item.updated_at as string,
  }));
}

/** The stored priorities as the rankings use them (absent entries keep their defaults). */
export async function loadSourcePriorities(): Promise<SourcePriorities> {
  const priorities: SourcePriorities = { provider: {}, deviceType: {} };
  for (const p of await listStoredPriorities()) {
    if (p.kind === 'provider') Object.assign(priorities.provider, { [p.name]: p.priority });
    else Object.assign(priorities.deviceType, { [p.name]: p.priority });
  }
  return priorities;
}

/**
 * Upserts priorities of one kind in one transaction (all or none); an entry keeps its id and creation time. A
 * name listed twice takes its last priority.
 */
export async function putPriorities(
  kind: PriorityKind,
  entries: Array<{ name: string; priority: number }>,
): Promise<void> {
  const byName = new Map(entries.map((e) => [e.name, e.priority]));
  if (byName.size === 0) return;
  const now = nowIso();
  const { doc, table } = db();
  await doc.send(
    new TransactWriteCommand({
      TransactItems: [...byName].map(([name, priority]) => ({
        Update: {
          TableName: table,
          Key: priorityKey(kind, name),
          UpdateExpression:
            'SET kind = :kind, #name = :name, priority = :priority, updated_at = :now, ' +
            'id = if_not_exists(id, :id), created_at = if_not_exists(created_at, :now)',
          ExpressionAttributeNames: { '#name': 'name' },
          ExpressionAttributeValues: {
            ':kind': kind,
            ':name': name,
            ':priority': priority,
            ':now': now,
            ':id': randomUUID(),
          },
        },
      })),
    }),
  );
}
