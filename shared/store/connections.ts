import { randomUUID } from 'node:crypto';
import { GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type ProviderName, SDK_PROVIDERS } from '#shared/model/provider.js';
import { nowIso } from '#shared/model/time.js';
import { db, deleteKeys, isConditionFailure, queryAll } from '#shared/store/client.js';
import { activeEntry, activeEntryKey, dropEntry, moveToEntry } from '#shared/store/connection-index.js';
import { gsi1, keys } from '#shared/store/keys.js';
import { accountUserIds } from '#shared/store/provider-accounts.js';
import { TABLE_KEYS } from '#shared/store/table.js';
import { writeForUser } from '#shared/store/user-guard.js';

export type ConnectionStatus = 'active' | 'revoked' | 'expired';

export interface Connection {
  id: string;
  user_id: string;
  provider: ProviderName;
  provider_user_id: string | null;
  provider_username: string | null;
  scope: string | null;
  status: ConnectionStatus;
  last_synced_at: string | null;
  created_at: string;
  updated_at: string;
  /** Encrypted TokenSet (see shared/crypto/token-vault.ts); absent for SDK providers and after a disconnect. */
  tokens: string | null;
  token_expires_at: number | null;
  /** Bumped on every token change: refreshes are compare-and-swap on it. */
  token_version: number;
  /** One sync at a time per connection: holder and expiry of the lease. */
  sync_lease_owner?: string | null;
  sync_lease_until?: number | null;
  /**
   * Marks of what may have written without emitting (sync runs, failed webhook saves; store/connection-leases.ts):
   * while there is one, a live sync emits all it saves (shared/sync/run-support.ts `emitScopeOf`).
   */
  unannounced?: Set<string>;
  /**
   * The digest of each unit the last live run saved, by unit key (store/connection-leases.ts): a live run skips
   * saving a unit whose pull is the same again. A reconnect starts without them.
   */
  unit_digests?: Record<string, string>;
  /** The `digests_epoch` the digests were read in; `forgetDigests` moves `digests_epoch` on. */
  unit_digests_epoch?: number;
  digests_epoch?: number;
  /** The last push delivery for this connection (provider-accounts.ts); the watchdog's input. */
  last_webhook_at?: string | null;
  /** Why the connection is no longer active, when we know (the provider's API answered 410 Gone). */
  status_reason?: string;
}

const accountKey = (provider: string, providerUserId: string, userId: string) => ({
  PK: `PROVACCOUNT#${provider}#${providerUserId}`,
  SK: `USER#${userId}`,
});

const strip = ({ PK, SK, GSI1PK, GSI1SK, ...rest }: Record<string, unknown>) => rest as unknown as Connection;

/** The connection as stored: not indexed itself, its entry in the dispatcher's index apart (connection-index.ts). */
const item = (connection: Connection) => ({
  ...keys.connection(connection.user_id, connection.provider),
  ...connection,
});

async function connectionItem(
  userId: string,
  provider: string,
): Promise<Record<string, unknown> | undefined> {
  const { doc, table } = db();
  const out = await doc.send(
    new GetCommand({ TableName: table, Key: keys.connection(userId, provider), ConsistentRead: true }),
  );
  return out.Item;
}

export async function getConnection(userId: string, provider: string): Promise<Connection | undefined> {
  const stored = await connectionItem(userId, provider);
  return stored ? strip(stored) : undefined;
}

export async function listConnections(userId: string): Promise<Connection[]> {
  const items = await queryAll({
    KeyConditionExpression: 'PK = :pk AND begins_with(SK, :sk)',
    ExpressionAttributeValues: { ':pk': keys.userPartition(userId), ':sk': 'CONN#' },
    ConsistentRead: true,
  });
  return items.map(strip);
}

/**
 * Creates or re-activates the connection of a successful OAuth callback (or an SDK push) and records which
 * provider account it belongs to, for `linked_user_ids`. Never for a deleted user (UserGone).
 */
export async function upsertConnection(
  userId: string,
  provider: ProviderName,
  fields: Pick<
    Connection,
    'provider_user_id' | 'provider_username' | 'scope' | 'tokens' | 'token_expires_at'
  > & {
    last_synced_at?: string | null;
  },
): Promise<Connection> {
  const existing = await getConnection(userId, provider);
  const now = nowIso();
  const connection: Connection = {
    id: existing?.id ?? randomUUID(),
    user_id: userId,
    provider,
    created_at: existing?.created_at ?? now,
    updated_at: now,
    status: 'active',
    last_synced_at: fields.last_synced_at ?? existing?.last_synced_at ?? null,
    provider_user_id: fields.provider_user_id,
    provider_username: fields.provider_username,
    scope: fields.scope,
    tokens: fields.tokens,
    token_expires_at: fields.token_expires_at,
    token_version: (existing?.token_version ?? 0) + 1,
    ...(existing?.unannounced ? { unannounced: existing.unannounced } : {}),
  };
  const writes: Record<string, unknown>[] = [item(connection), activeEntry(userId, provider)];
  if (connection.provider_user_id) {
    writes.push({
      ...accountKey(provider, connection.provider_user_id, userId),
      [TABLE_KEYS.gsi1.partitionKey]: gsi1.ownedByUser(userId),
      [TABLE_KEYS.gsi1.sortKey]: `PROVACCOUNT#${provider}`,
      user_id: userId,
    });
  }
  const { table } = db();
  await writeForUser(
    userId,
    writes.map((Item) => ({ Put: { TableName: table, Item } })),
  );
  return connection;
}

/** Our other users connected to the same provider account (active connections only). */
export async function linkedUserIds(connection: Connection): Promise<string[]> {
  if (!connection.provider_user_id) return [];
  const linked = await accountUserIds(connection.provider, connection.provider_user_id);
  const others = linked.filter((id) => id !== connection.user_id);
  const connections = await Promise.all(others.map((id) => getConnection(id, connection.provider)));
  return connections.filter((c) => c?.status === 'active').map((c) => c!.user_id);
}

/** Replaces the tokens if nobody else did since `expectedVersion` (a refresh lost to a concurrent one: false). */
export async function replaceTokens(
  connection: Connection,
  tokens: string,
  expiresAt: number,
  scope: string | null,
): Promise<boolean> {
  const { doc, table } = db();
  try {
    await doc.send(
      new UpdateCommand({
        TableName: table,
        Key: keys.connection(connection.user_id, connection.provider),
        UpdateExpression:
          'SET tokens = :t, token_expires_at = :e, #scope = :s, token_version = :next, updated_at = :now',
        ConditionExpression: 'token_version = :v AND #status = :active',
        ExpressionAttributeNames: { '#scope': 'scope', '#status': 'status' },
        ExpressionAttributeValues: {
          ':t': tokens,
          ':e': expiresAt,
          ':s': scope ?? connection.scope,
          ':next': connection.token_version + 1,
          ':v': connection.token_version,
          ':active': 'active',
          ':now': nowIso(),
        },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/**
 * Revoked or expired: out of the dispatcher's index; tokens cleared when asked (user disconnect); the reason kept
 * when given. A connection erased meanwhile stays erased.
 */
export async function setConnectionStatus(
  connection: Connection,
  status: Exclude<ConnectionStatus, 'active'>,
  options: { clearTokens?: boolean; reason?: string } = {},
): Promise<Connection> {
  const { status_reason: _previous, ...rest } = connection;
  const next: Connection = {
    ...rest,
    ...(options.reason ? { status_reason: options.reason } : {}),
    status,
    updated_at: nowIso(),
    ...(options.clearTokens
      ? { tokens: null, token_expires_at: null, token_version: connection.token_version + 1 }
      : {}),
  };
  const { doc, table } = db();
  const { user_id: userId, provider } = connection;
  try {
    await doc.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: table, Item: item(next), ConditionExpression: 'attribute_exists(PK)' } },
          dropEntry(table, userId, provider),
        ],
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
  return next;
}

/** The update of a sync's stamp (`:at`): by itself, or with the lease given back (`releaseLease`). */
export const STAMP_SYNCED = 'last_synced_at = :at, updated_at = :at';

/**
 * How far an SDK connection's `last_synced_at` may lag its latest push (whose exact time `/sync/recent` has): a
 * 15-minute pusher stamps every other push, a session's batches once. Nothing schedules or alerts on it (the
 * watchdog watches provider connections, whose stamp is the sync cursor and stays exact).
 */
export const SDK_STAMP_PRECISION_MS = 30 * 60_000;

export async function stampSynced(userId: string, provider: string, at: string): Promise<void> {
  if ((SDK_PROVIDERS as readonly string[]).includes(provider)) {
    const stored = await connectionItem(userId, provider);
    // No dispatcher pages SDK connections: one of an earlier release, indexed itself, moves at its next push.
    if (stored?.[TABLE_KEYS.gsi1.partitionKey])
      await moveToEntry(keys.connection(userId, provider), userId, provider);
    const last = Date.parse((stored?.last_synced_at as string | null | undefined) ?? '');
    if (Date.parse(at) - last < SDK_STAMP_PRECISION_MS) return;
  }
  const { doc, table } = db();
  await doc.send(
    new UpdateCommand({
      TableName: table,
      Key: keys.connection(userId, provider),
      UpdateExpression: `SET ${STAMP_SYNCED}`,
      ConditionExpression: 'attribute_exists(PK)',
      ExpressionAttributeValues: { ':at': at },
    }),
  );
}

/** Deletes a connection item and its entry in the dispatcher's index. */
export async function deleteConnection(connection: Connection): Promise<void> {
  const { user_id: userId, provider } = connection;
  await deleteKeys([keys.connection(userId, provider), activeEntryKey(userId, provider)]);
  await unlinkAccount(connection);
}

/** Removes a provider account link (the account pointer of a deleted connection). */
export async function unlinkAccount(connection: Connection): Promise<void> {
  if (connection.provider_user_id) {
    await deleteKeys([accountKey(connection.provider, connection.provider_user_id, connection.user_id)]);
  }
}
