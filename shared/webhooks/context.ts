import { randomUUID } from 'node:crypto';
import { savePullResult, writingFor } from '#shared/ingest/persist.js';
import { disconnect, liveSyncModeOf } from '#shared/oauth/connections.js';
import { ConnectionRevokedError } from '#shared/oauth/errors.js';
import type { FreshTokens } from '#shared/oauth/fresh-token.js';
import { BUSINESS_METRICS, count, logger } from '#shared/observability.js';
import { UnauthorizedError } from '#shared/providers/http.js';
import type { WebhookModule } from '#shared/providers/module.js';
import type { ProviderGet, PullResult } from '#shared/providers/types.js';
import type { HandledNotification, NotificationContext } from '#shared/providers/webhook-types.js';
import { markUnannounced } from '#shared/store/connection-leases.js';
import type { Connection } from '#shared/store/connections.js';
import { deleteEvent, externalEventId } from '#shared/store/events.js';
import { setConnectionScope } from '#shared/store/provider-accounts.js';
import { getProviderSettings } from '#shared/store/provider-settings.js';
import { UserGone } from '#shared/store/user-guard.js';

/** How the webhook worker reaches tokens and the provider (injectable in tests, like the sync worker's). */
export interface ProviderAccess {
  tokens(connection: Connection): Promise<FreshTokens>;
  refresh(rejected: Connection): Promise<FreshTokens>;
  client(provider: Connection['provider'], accessToken: string): Promise<ProviderGet>;
}

/** What a handler did besides its counts: the summary types that arrived (Garmin backfill progress). */
export interface ContextEffects {
  arrived: Set<string>;
  revoked: boolean;
  saved: HandledNotification;
}

/**
 * After a save that failed, perhaps midway: marks the connection, so that should the delivery be dead-lettered, the
 * next live sync emits all it re-reads (shared/sync/run-support.ts `emitScopeOf`). Only while the provider is
 * polled: in webhook mode no live sync reads marks, and they would pile up.
 */
async function markFailedSave(connection: Connection): Promise<void> {
  try {
    const settings = await getProviderSettings(connection.provider);
    if (liveSyncModeOf(connection.provider, settings) !== 'pull') return;
    await markUnannounced(connection, `webhook#${randomUUID()}`);
  } catch (error) {
    logger.error('a webhook save failed, and so did marking its connection unannounced', {
      provider: connection.provider,
      userId: connection.user_id,
      error: error as Error,
    });
  }
}

/**
 * The NotificationContext of one notification for one of our users: a provider client that obtains the token only
 * when first used (a deregistration never needs one), refreshes once when the provider rejects it, and reports a
 * connection whose refresh the provider refused as UnauthorizedError (what a handler confirming a deauthorisation
 * waits for).
 */
export function notificationContext(
  module: WebhookModule,
  connection: Connection,
  access: ProviderAccess,
): { context: NotificationContext; effects: ContextEffects } {
  const userId = connection.user_id;
  const effects: ContextEffects = {
    arrived: new Set(),
    revoked: false,
    saved: { samples: 0, events: 0, scores: 0, skipped: 0 },
  };
  let current: FreshTokens | undefined;
  let client: ProviderGet | undefined;

  const connect = async (fresh: () => Promise<FreshTokens>) => {
    try {
      current = await fresh();
    } catch (error) {
      // Only a refresh the provider refused proves the access gone; an expired connection may be an outage.
      if (error instanceof ConnectionRevokedError) throw new UnauthorizedError(error.message);
      throw error;
    }
    client = await access.client(connection.provider, current.tokens.accessToken);
    return client;
  };

  const get: ProviderGet = async (pathOrUrl, query, options) => {
    const first = client ?? (await connect(() => access.tokens(connection)));
    try {
      return await first(pathOrUrl, query, options);
    } catch (error) {
      if (!(error instanceof UnauthorizedError)) throw error;
      const second = await connect(() => access.refresh(current?.connection ?? connection));
      return second(pathOrUrl, query, options);
    }
  };

  const context: NotificationContext = {
    userId,
    scope: connection.scope,
    get,
    async save(result: PullResult) {
      const saved = await writingFor(userId, () =>
        savePullResult(userId, result, { identity: module.eventIdentity }),
      ).catch(async (error: unknown) => {
        if (!(error instanceof UserGone)) await markFailedSave(connection);
        throw error;
      });
      effects.saved.samples += saved.samples;
      count(
        BUSINESS_METRICS.samplesIngested,
        { provider: connection.provider, source: 'webhook' },
        saved.samples,
      );
      effects.saved.events += saved.events;
      effects.saved.scores += saved.scores;
    },
    async removeEvent(category, externalId) {
      return deleteEvent(userId, category, externalEventId(userId, module.name, category, externalId));
    },
    async revoke(reason) {
      effects.revoked = true;
      logger.info('connection revoked by the provider', { provider: connection.provider, userId, reason });
      await disconnect(userId, connection.provider, { reason });
    },
    async setScope(scope) {
      await setConnectionScope(userId, connection.provider, scope);
    },
    async arrived(types) {
      for (const type of types) effects.arrived.add(type);
    },
  };
  return { context, effects };
}
