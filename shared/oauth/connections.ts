import { emitCommitted } from '#shared/delivery/emit.js';
import { connectionRevoked } from '#shared/delivery/payloads.js';
import { entityNotFound } from '#shared/http/errors.js';
import { canonicalProvider, type ProviderName } from '#shared/model/provider.js';
import { apiDateTime } from '#shared/model/time.js';
import { webhookUrl } from '#shared/oauth/authorize.js';
import { freshTokens } from '#shared/oauth/fresh-token.js';
import { logger } from '#shared/observability.js';
import { userClient } from '#shared/providers/client.js';
import { providerHooks } from '#shared/providers/hooks.js';
import type { ProviderInfo } from '#shared/providers/info.js';
import {
  defaultLiveSyncMode,
  iconUrl,
  isIntegrated,
  type LiveSyncMode,
  PROVIDER_INFO,
  providerVariables,
} from '#shared/providers/registry.js';
import { deleteKeys, queryAll } from '#shared/store/client.js';
import {
  type Connection,
  getConnection,
  linkedUserIds,
  listConnections,
  setConnectionStatus,
  unlinkAccount,
} from '#shared/store/connections.js';
import { dataSourceSk, listDataSources } from '#shared/store/data-sources.js';
import { keys } from '#shared/store/keys.js';
import { listProviderSettings, type ProviderSettings } from '#shared/store/provider-settings.js';
import { deleteSourceArchives } from '#shared/store/series-archive.js';
import { deleteUserSeries } from '#shared/store/series-erase.js';
import { pendingSleepSk, sleepSlot } from '#shared/store/sleep-pending.js';

const infoOf = (provider: string): ProviderInfo | undefined =>
  isIntegrated(provider) ? PROVIDER_INFO[provider] : undefined;

/** The live mode a provider runs in: the admin setting, else the provider default (contract 4.3, 4.4). */
export function liveSyncModeOf(
  provider: string,
  settings: ProviderSettings | undefined,
): LiveSyncMode | null {
  const info = infoOf(provider);
  return settings?.live_sync_mode ?? (info ? defaultLiveSyncMode(info) : null);
}

/** `UserConnectionWithCapabilities` (contract 4.3). Tokens never leave the server. */
async function connectionView(connection: Connection, settings: ProviderSettings | undefined) {
  const info = infoOf(connection.provider);
  return {
    id: connection.id,
    user_id: connection.user_id,
    provider: connection.provider,
    provider_user_id: connection.provider_user_id,
    provider_username: connection.provider_username,
    scope: connection.scope,
    status: connection.status,
    status_reason: connection.status === 'active' ? null : (connection.status_reason ?? null),
    last_synced_at: apiDateTime(connection.last_synced_at),
    created_at: apiDateTime(connection.created_at),
    updated_at: apiDateTime(connection.updated_at),
    icon_url: iconUrl(connection.provider),
    max_historical_days: info?.maxHistoricalDays ?? null,
    rest_pull: info?.restPull ?? false,
    webhook_stream: info?.webhookStream ?? false,
    webhook_ping: info?.webhookPing ?? false,
    webhook_callback: info?.webhookCallback ?? false,
    live_sync_mode: liveSyncModeOf(connection.provider, settings),
    linked_user_ids: await linkedUserIds(connection),
  };
}

/** Every connection the user ever made, oldest first; an unknown user simply has none. */
export async function connectionViews(userId: string) {
  const [connections, settings] = await Promise.all([listConnections(userId), listProviderSettings()]);
  connections.sort(
    (a, b) => a.created_at.localeCompare(b.created_at) || a.provider.localeCompare(b.provider),
  );
  return Promise.all(connections.map((c) => connectionView(c, settings.get(c.provider))));
}

/** How long a disconnect waits for the provider's deregistration before going on without it. */
const DEREGISTRATION_TIMEOUT_MS = 8_000;

/**
 * The provider's deregistration of a departing connection (Polar's user delete, Withings' unsubscribe), where it
 * has one. Best effort and bounded in time: the user asked to disconnect, and the tokens are destroyed anyway.
 */
async function deregisterAtProvider(connection: Connection): Promise<void> {
  const implementation = isIntegrated(connection.provider) ? providerHooks[connection.provider] : undefined;
  if (!implementation?.disconnecting || connection.status !== 'active' || !connection.tokens) return;
  const attempt = async () => {
    const { tokens } = await freshTokens(connection);
    await implementation.disconnecting!({
      userId: connection.user_id,
      providerUserId: connection.provider_user_id,
      get: await userClient(connection.provider, tokens.accessToken, { budgeted: false }),
      tokens,
      settings: await providerVariables(),
      webhookUrl: webhookUrl(connection.provider),
    });
  };
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('deregistration timed out')), DEREGISTRATION_TIMEOUT_MS);
  });
  try {
    await Promise.race([attempt(), timeout]);
  } catch (error) {
    logger.warn('provider deregistration failed; disconnecting anyway', {
      provider: connection.provider,
      error: (error as Error).name,
      error_message: (error as Error).message.slice(0, 200),
    });
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Disconnect (contract 4.3): status `revoked`, tokens and expiry cleared, the provider-account link removed.
 * Idempotent: an already revoked connection without tokens is left as it is. With `atProvider` (the API's
 * disconnect), the provider's deregistration runs first where it has one; a revocation the provider announced
 * itself skips it. An active connection emits `connection.revoked` (`user_disconnected`, or `deregistration`
 * when the provider announced it); one already out of use announced that when it stopped being active.
 */
export async function disconnect(
  userId: string,
  provider: string,
  { atProvider = false, reason }: { atProvider?: boolean; reason?: string } = {},
): Promise<Connection> {
  const connection = await getConnection(userId, provider);
  if (!connection) throw entityNotFound('Connection', userId);
  if (atProvider) await deregisterAtProvider(connection);
  await unlinkAccount(connection);
  if (connection.status === 'revoked' && connection.tokens === null && connection.token_expires_at === null) {
    return connection;
  }
  const revoked = await setConnectionStatus(connection, 'revoked', {
    clearTokens: true,
    ...(reason ? { reason } : {}),
  });
  if (connection.status === 'active') {
    await emitCommitted(connectionRevoked(connection, atProvider ? 'user_disconnected' : 'deregistration'));
  }
  return revoked;
}

const PROJECTED = ['PK', 'SK', 'id', 'source_key', 'provider'];

/** Items of the user partition under an SK prefix, with just what is needed to select and delete them. */
const partitionItems = (userId: string, prefix: string) =>
  queryAll({
    KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
    ExpressionAttributeValues: { ':pk': keys.userPartition(userId), ':prefix': prefix },
    ProjectionExpression: PROJECTED.map((_, i) => `#a${i}`).join(', '),
    ExpressionAttributeNames: Object.fromEntries(PROJECTED.map((name, i) => [`#a${i}`, name])),
    ConsistentRead: true,
  });

/**
 * Every item of the user's data from one provider: for each of its data sources the time series, then events
 * (with their id pointers), scores and pending SDK sleep state, and the source records last, so that a repeated
 * call after an interruption still finds what is left. Other providers' data is untouched.
 */
export async function deleteProviderData(userId: string, provider: ProviderName): Promise<void> {
  const wanted = canonicalProvider(provider);
  const sources = (await listDataSources(userId)).filter((s) => s.provider === wanted);
  const sourceKeys = new Set(sources.map((s) => s.key));
  const belongs = (item: Record<string, unknown>) =>
    sourceKeys.has(item.source_key as string) || canonicalProvider(item.provider as ProviderName) === wanted;

  for (const key of sourceKeys) {
    await deleteUserSeries(userId, undefined, key);
    await deleteSourceArchives(userId, key);
  }

  const partition = keys.userPartition(userId);
  const events = (await partitionItems(userId, 'EVENT#')).filter(belongs);
  await deleteKeys(
    events.flatMap((e) => [
      { PK: partition, SK: e.SK as string },
      { PK: partition, SK: `EVENTID#${e.id as string}` },
    ]),
  );
  const scores = (await partitionItems(userId, 'SCORE#')).filter(belongs);
  await deleteKeys(scores.map((s) => ({ PK: partition, SK: s.SK as string })));
  const slots = [sleepSlot(wanted), ...sourceKeys];
  await deleteKeys(slots.map((slot) => ({ PK: partition, SK: pendingSleepSk(slot) })));
  await deleteKeys([...sourceKeys].map((key) => ({ PK: partition, SK: dataSourceSk(key) })));
}

/** Disconnect, then delete all of the user's data from that provider (contract 4.3). */
export async function disconnectAndDeleteData(userId: string, provider: ProviderName): Promise<void> {
  await disconnect(userId, provider, { atProvider: true });
  await deleteProviderData(userId, provider);
}
