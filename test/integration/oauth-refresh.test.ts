import { randomBytes, randomUUID } from 'node:crypto';
import { DeleteCommand, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { resetEnvCache } from '#shared/config/env.js';
import { decryptTokens, encryptTokens, resetTokenVault } from '#shared/crypto/token-vault.js';
import { createUser } from '#shared/identity/users.js';
import {
  ConnectionExpiredError,
  ConnectionRevokedError,
  ProviderNotConfiguredError,
  TokenEndpointUnavailableError,
  TokenRefreshBusyError,
} from '#shared/oauth/errors.js';
import { freshAccessToken, freshTokens } from '#shared/oauth/fresh-token.js';
import { acquireRefreshLease } from '#shared/oauth/refresh-lease.js';
import type { TokenSet } from '#shared/providers/types.js';
import { db } from '#shared/store/client.js';
import { activeEntryKey } from '#shared/store/connection-index.js';
import {
  type Connection,
  getConnection,
  setConnectionStatus,
  upsertConnection,
} from '#shared/store/connections.js';
import { keys } from '#shared/store/keys.js';
import { type RunningOAuthFake, startOAuthFake } from '#test/fakes/oauth-fake.js';

let fake: RunningOAuthFake;

/** Fitbit semantics: Basic client auth and rotating, single-use refresh tokens. */
beforeAll(async () => {
  fake = await startOAuthFake({
    clients: [{ clientId: 'fitbit-id', clientSecret: 'fitbit-secret' }],
    clientAuth: 'basic',
    refreshRotation: 'rotate',
  });
  Object.assign(process.env, {
    FITBIT_CLIENT_ID: 'fitbit-id',
    FITBIT_CLIENT_SECRET: 'fitbit-secret',
    FITBIT_TOKEN_URL: fake.tokenUrl,
    FITBIT_API_BASE_URL: fake.url,
    TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  });
  delete process.env.TOKEN_KMS_KEY_ID;
  delete process.env.OURA_CLIENT_ID;
  delete process.env.OURA_CLIENT_SECRET;
  resetEnvCache();
  resetTokenVault();
});
afterAll(() => fake.stop());
beforeEach(() => {
  fake.oauth.refreshRotation = 'rotate';
  fake.oauth.resetCounters();
});

/** A connection whose tokens come from the fake and expire in `expiresInMs` (inside the 5-minute margin by default). */
async function connect(
  options: { expiresInMs?: number; provider?: 'fitbit' | 'oura'; refresh?: boolean } = {},
) {
  const user = await createUser({});
  const issued = fake.oauth.issueTokens(`acct-${randomUUID()}`) as {
    access_token: string;
    refresh_token: string;
  };
  const tokens: TokenSet = {
    accessToken: issued.access_token,
    refreshToken: options.refresh === false ? null : issued.refresh_token,
    expiresAt: Date.now() + (options.expiresInMs ?? 60_000),
    scope: 'activity heartrate',
    extras: { user_id: 'FB-1' },
  };
  const connection = await upsertConnection(user.id, options.provider ?? 'fitbit', {
    provider_user_id: `acct-${user.id}`,
    provider_username: null,
    scope: tokens.scope,
    tokens: await encryptTokens(tokens, { userId: user.id, provider: options.provider ?? 'fitbit' }),
    token_expires_at: tokens.expiresAt,
  });
  return { user, tokens, connection };
}

const bindingOf = (connection: Connection) => ({ userId: connection.user_id, provider: connection.provider });

async function rawItem(connection: Connection) {
  const { doc, table } = db();
  const out = await doc.send(
    new GetCommand({
      TableName: table,
      Key: { PK: keys.userPartition(connection.user_id), SK: `CONN#${connection.provider}` },
    }),
  );
  return out.Item!;
}

/** The connection's entry in the dispatcher's index (shared/store/connection-index.ts), if any. */
async function indexEntry(connection: Connection) {
  const { doc, table } = db();
  const out = await doc.send(
    new GetCommand({ TableName: table, Key: activeEntryKey(connection.user_id, connection.provider) }),
  );
  return out.Item;
}

/** Makes the stored access token due for a refresh (as time passing would). */
async function expireInStore(connection: Connection) {
  const { doc, table } = db();
  await doc.send(
    new UpdateCommand({
      TableName: table,
      Key: { PK: keys.userPartition(connection.user_id), SK: `CONN#${connection.provider}` },
      UpdateExpression: 'SET token_expires_at = :now',
      ExpressionAttributeValues: { ':now': Date.now() },
    }),
  );
  return (await getConnection(connection.user_id, connection.provider))!;
}

describe('freshAccessToken', () => {
  it('returns the stored token without a request while it is valid for more than 5 minutes', async () => {
    const { connection, tokens } = await connect({ expiresInMs: 10 * 60_000 });
    expect(await freshAccessToken(connection)).toBe(tokens.accessToken);
    expect(fake.oauth.counters.token).toBe(0);
  });

  it('refreshes a token that expires within 5 minutes and stores the result encrypted', async () => {
    const { connection, tokens } = await connect({ expiresInMs: 4 * 60_000 });
    const fresh = await freshTokens(connection);
    expect(fresh.tokens.accessToken).not.toBe(tokens.accessToken);
    expect(fake.oauth.isAccessTokenValid(fresh.tokens.accessToken)).toBe(true);
    expect(fresh.tokens.refreshToken).not.toBe(tokens.refreshToken);
    expect(fresh.tokens.extras.user_id).toBe('FB-1');
    expect(fake.oauth.tokenRequests[0]!.authorization).toMatch(/^Basic /);

    const stored = (await getConnection(connection.user_id, 'fitbit'))!;
    expect(stored.status).toBe('active');
    expect(stored.token_version).toBe(connection.token_version + 1);
    expect(stored.token_expires_at).toBe(fresh.tokens.expiresAt);
    expect(await decryptTokens(stored.tokens!, bindingOf(stored))).toEqual(fresh.tokens);
    expect(JSON.stringify(await rawItem(connection))).not.toContain(fresh.tokens.accessToken);
    expect(await rawItem(connection)).not.toHaveProperty('refresh_lease_owner');
  });

  it('five concurrent callers with a rotating provider: one refresh, one token, still active', async () => {
    const { connection, tokens } = await connect();
    const results = await Promise.all(Array.from({ length: 5 }, () => freshAccessToken(connection)));
    expect(fake.oauth.counters.token).toBe(1);
    expect(fake.oauth.counters.refreshes).toBe(1);
    expect(fake.oauth.counters.invalidGrant).toBe(0);
    expect(new Set(results).size).toBe(1);
    expect(results[0]).not.toBe(tokens.accessToken);
    expect(fake.oauth.isAccessTokenValid(results[0]!)).toBe(true);
    const stored = (await getConnection(connection.user_id, 'fitbit'))!;
    expect(stored.status).toBe('active');
    expect((await decryptTokens(stored.tokens!, bindingOf(stored))).accessToken).toBe(results[0]);
    // The rotated refresh token is the one stored: the next refresh succeeds.
    const later = await freshAccessToken(await expireInStore(stored));
    expect(later).not.toBe(results[0]);
    expect(fake.oauth.counters.refreshes).toBe(2);
    expect(fake.oauth.counters.invalidGrant).toBe(0);
  });

  it('twenty concurrent callers on several connections: one refresh per connection', async () => {
    const connections = await Promise.all([connect(), connect(), connect(), connect()]);
    const calls = connections.flatMap(({ connection }) =>
      Array.from({ length: 5 }, () =>
        freshAccessToken(connection).then((t) => [connection.user_id, t] as const),
      ),
    );
    const results = await Promise.all(calls);
    expect(fake.oauth.counters.refreshes).toBe(4);
    expect(fake.oauth.counters.invalidGrant).toBe(0);
    for (const { connection } of connections) {
      expect(new Set(results.filter(([id]) => id === connection.user_id).map(([, t]) => t)).size).toBe(1);
    }
  });

  it('a stale caller (old connection object) uses the token another worker already refreshed', async () => {
    const { connection } = await connect();
    const first = await freshAccessToken(connection);
    expect(await freshAccessToken(connection)).toBe(first);
    expect(fake.oauth.counters.refreshes).toBe(1);
  });

  it('keeps the refresh token when the provider does not rotate', async () => {
    fake.oauth.refreshRotation = 'omit';
    const { connection, tokens } = await connect();
    const fresh = await freshTokens(connection);
    expect(fresh.tokens.refreshToken).toBe(tokens.refreshToken);
    const again = await freshTokens(await expireInStore(fresh.connection));
    expect(again.tokens.refreshToken).toBe(tokens.refreshToken);
    expect(fake.oauth.counters.refreshes).toBe(2);
  });

  it('invalid_grant: the connection is revoked, out of the active index, ConnectionRevokedError', async () => {
    const { connection } = await connect();
    expect(await indexEntry(connection)).toMatchObject({
      GSI1PK: expect.stringMatching(/^ACTIVECONN#fitbit#/),
    });
    expect((await rawItem(connection)).GSI1PK).toBeUndefined();
    fake.oauth.failNextRefresh(400, { error: 'invalid_grant', error_description: 'Refresh token invalid' });
    const error = await freshAccessToken(connection).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionRevokedError);
    expect((error as Error).message).toBe('Refresh token rejected for fitbit; reconnection required');
    const stored = await rawItem(connection);
    expect(stored.status).toBe('revoked');
    expect(await indexEntry(connection)).toBeUndefined();
    expect(stored.refresh_lease_owner).toBeUndefined();
    // Later calls fail fast, without a request.
    fake.oauth.resetCounters();
    await expect(freshAccessToken(connection)).rejects.toBeInstanceOf(ConnectionRevokedError);
    expect(fake.oauth.counters.token).toBe(0);
  });

  it('invalid_grant on a connection an earlier release indexed itself: out of the index too', async () => {
    const { connection } = await connect();
    const { doc, table } = db();
    const entry = (await indexEntry(connection))!;
    await doc.send(
      new UpdateCommand({
        TableName: table,
        Key: keys.connection(connection.user_id, 'fitbit'),
        UpdateExpression: 'SET GSI1PK = :pk, GSI1SK = :sk',
        ExpressionAttributeValues: { ':pk': entry.GSI1PK, ':sk': entry.GSI1SK },
      }),
    );
    await doc.send(
      new DeleteCommand({ TableName: table, Key: activeEntryKey(connection.user_id, 'fitbit') }),
    );
    fake.oauth.failNextRefresh(400, { error: 'invalid_grant' });
    await expect(freshAccessToken(connection)).rejects.toBeInstanceOf(ConnectionRevokedError);
    const stored = await rawItem(connection);
    expect(stored.status).toBe('revoked');
    expect(stored.GSI1PK).toBeUndefined();
  });

  it('a user who revoked the app at the provider (401 invalid_grant) also revokes', async () => {
    const { connection } = await connect();
    fake.oauth.failNextRefresh(401, { error: 'invalid_grant' });
    await expect(freshAccessToken(connection)).rejects.toBeInstanceOf(ConnectionRevokedError);
    expect((await getConnection(connection.user_id, 'fitbit'))!.status).toBe('revoked');
  });

  it.each([
    500, 503, 429,
  ])('a token endpoint outage (%i) is transient: status untouched, the next attempt refreshes', async (status) => {
    const { connection } = await connect();
    fake.oauth.failNextRefresh(status);
    const error = await freshAccessToken(connection).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TokenEndpointUnavailableError);
    // Transient like a busy refresh: the sync and webhook workers retry it later.
    expect(error).toBeInstanceOf(TokenRefreshBusyError);
    expect((error as Error).message).toContain('fitbit token endpoint unavailable');
    const stored = await rawItem(connection);
    expect(stored.status).toBe('active');
    expect(await indexEntry(connection)).toBeDefined();
    const token = await freshAccessToken(connection);
    expect(token).not.toBe((await decryptTokens(connection.tokens!, bindingOf(connection))).accessToken);
    expect((await getConnection(connection.user_id, 'fitbit'))!.status).toBe('active');
  });

  it('an unreachable token endpoint is transient too', async () => {
    const { connection } = await connect();
    process.env.FITBIT_TOKEN_URL = 'http://127.0.0.1:9/token';
    resetEnvCache();
    try {
      await expect(freshAccessToken(connection)).rejects.toBeInstanceOf(TokenEndpointUnavailableError);
    } finally {
      process.env.FITBIT_TOKEN_URL = fake.tokenUrl;
      resetEnvCache();
    }
    expect((await getConnection(connection.user_id, 'fitbit'))!.status).toBe('active');
  });

  it('other 4xx answers (e.g. invalid_client) are "other failures": expired', async () => {
    const { connection } = await connect();
    fake.oauth.failNextRefresh(401, { error: 'invalid_client' });
    await expect(freshAccessToken(connection)).rejects.toBeInstanceOf(ConnectionExpiredError);
    expect((await getConnection(connection.user_id, 'fitbit'))!.status).toBe('expired');
  });

  it('an expiring token without a refresh token: expired', async () => {
    const { connection } = await connect({ refresh: false });
    const error = await freshAccessToken(connection).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionExpiredError);
    expect((error as Error).message).toBe('Token expired and no refresh token available for fitbit');
    expect(fake.oauth.counters.token).toBe(0);
  });

  it('disconnected and tokenless connections fail without a request', async () => {
    const { connection } = await connect();
    const revoked = await setConnectionStatus(connection, 'revoked', { clearTokens: true });
    await expect(freshAccessToken(revoked)).rejects.toBeInstanceOf(ConnectionRevokedError);
    // A stale object that still looks active: the re-read under the lease sees the disconnect.
    await expect(freshAccessToken(connection)).rejects.toBeInstanceOf(ConnectionRevokedError);
    expect(fake.oauth.counters.token).toBe(0);
  });

  it('a crashed holder blocks others only until its lease lapses', async () => {
    const { connection } = await connect();
    const lapsesAt = Date.now() + 400;
    expect(await acquireRefreshLease(connection, 'crashed-worker', lapsesAt)).toBe(true);
    // Waits as long as it takes the lease to lapse (bounded well below the test's timeout).
    const token = await freshAccessToken(connection, { waitMs: 20_000 });
    // Blocked until the lapse: the one refresh was sent after it, not while the crashed holder had the lease.
    expect(fake.oauth.tokenRequests).toHaveLength(1);
    expect(fake.oauth.tokenRequests[0]!.receivedAt).toBeGreaterThan(lapsesAt);
    expect(fake.oauth.isAccessTokenValid(token)).toBe(true);
    expect(fake.oauth.counters.refreshes).toBe(1);
  });

  it('gives up with TokenRefreshBusyError (transient, status untouched) when the lease stays taken', async () => {
    const { connection } = await connect();
    await acquireRefreshLease(connection, 'slow-worker', Date.now() + 60_000);
    await expect(freshAccessToken(connection, { waitMs: 300 })).rejects.toBeInstanceOf(TokenRefreshBusyError);
    expect((await getConnection(connection.user_id, 'fitbit'))!.status).toBe('active');
    expect(fake.oauth.counters.token).toBe(0);
  });

  it('a reconnect during a refresh wins: the refresher does not overwrite it nor use its own result', async () => {
    const { connection, user } = await connect();
    // The refresh request is slow; meanwhile the user reconnects (a new OAuth callback).
    fake.oauth.resetCounters();
    const reconnectTokens: TokenSet = {
      accessToken: 'at-from-reconnect',
      refreshToken: 'rt-from-reconnect',
      expiresAt: Date.now() + 3_600_000,
      scope: null,
      extras: {},
    };
    const slow = freshAccessToken(connection);
    await upsertConnection(user.id, 'fitbit', {
      provider_user_id: connection.provider_user_id,
      provider_username: null,
      scope: null,
      tokens: await encryptTokens(reconnectTokens, { userId: user.id, provider: 'fitbit' }),
      token_expires_at: reconnectTokens.expiresAt,
    });
    const token = await slow;
    const stored = (await getConnection(user.id, 'fitbit'))!;
    expect(stored.status).toBe('active');
    // Either the refresh finished before the reconnect (and was then replaced), or it lost its CAS: in both
    // cases the stored tokens are the reconnect's, and a caller never gets tokens that were not stored.
    expect((await decryptTokens(stored.tokens!, bindingOf(stored))).accessToken).toBe('at-from-reconnect');
    expect([token === 'at-from-reconnect', fake.oauth.isAccessTokenValid(token)]).toContain(true);
  });

  it('an unconfigured provider is not a refresh failure: nothing is sent, the status stays', async () => {
    const { connection } = await connect({ provider: 'oura' });
    await expect(freshAccessToken(connection)).rejects.toBeInstanceOf(ProviderNotConfiguredError);
    expect((await getConnection(connection.user_id, 'oura'))!.status).toBe('active');
  });
});
