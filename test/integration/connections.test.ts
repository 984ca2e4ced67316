import { randomBytes, randomUUID } from 'node:crypto';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { resetEnvCache } from '#shared/config/env.js';
import { encryptTokens, resetTokenVault } from '#shared/crypto/token-vault.js';
import { createUser } from '#shared/identity/users.js';
import type { HealthEvent, HealthScore, SourceRef } from '#shared/model/health-data.js';
import type { ProviderName } from '#shared/model/provider.js';
import { queryAll } from '#shared/store/client.js';
import {
  type Connection,
  getConnection,
  setConnectionStatus,
  upsertConnection,
} from '#shared/store/connections.js';
import { listDataSources, saveDataSources, toDataSource } from '#shared/store/data-sources.js';
import { insertEvent, newStoredEvent } from '#shared/store/events.js';
import { saveScores, toStoredScore } from '#shared/store/health-scores.js';
import { keys } from '#shared/store/keys.js';
import { updateProviderSettings } from '#shared/store/provider-settings.js';
import { listUserSeries } from '#shared/store/series-registry.js';
import { writeSeriesSamples } from '#shared/store/timeseries.js';
import { testApiKey } from '#test/helpers/credentials.js';
import { httpEvent, lambdaContext } from '#test/helpers/events.js';
import { handler } from '../../functions/users.js';

let apiKey: string;

beforeAll(async () => {
  process.env.TOKEN_ENCRYPTION_KEY = randomBytes(32).toString('base64');
  delete process.env.TOKEN_KMS_KEY_ID;
  resetEnvCache();
  resetTokenVault();
  apiKey = await testApiKey('connections');
});

async function call(method: string, path: string) {
  const result = (await handler(
    httpEvent(method, path, { headers: { 'x-open-wearables-api-key': apiKey } }),
    lambdaContext('users'),
  )) as APIGatewayProxyStructuredResultV2;
  return {
    status: result.statusCode!,
    body: result.body ? JSON.parse(result.body) : undefined,
  };
}

async function connect(userId: string, provider: ProviderName, accountId: string | null = `acct-${userId}`) {
  const tokens = {
    accessToken: `at-${randomUUID()}`,
    refreshToken: `rt-${randomUUID()}`,
    expiresAt: Date.now() + 3_600_000,
    scope: 'read',
    extras: {},
  };
  const connection = await upsertConnection(userId, provider, {
    provider_user_id: accountId,
    provider_username: accountId ? `name-${accountId}` : null,
    scope: 'read',
    tokens: await encryptTokens(tokens, { userId, provider }),
    token_expires_at: tokens.expiresAt,
    last_synced_at: '2025-01-02T03:04:05.000Z',
  });
  return { connection, tokens };
}

const source = (provider: ProviderName, deviceModel: string | null = null): SourceRef => ({
  provider,
  deviceModel,
  sourceName: `${provider}-source`,
  softwareVersion: null,
  originalSourceName: null,
});

/** Samples, a workout, a score and the data source records for one provider of one user. */
async function seed(userId: string, provider: ProviderName) {
  const sources = [source(provider), source(provider, 'Device 2')];
  const records = sources.map((s) => toDataSource(userId, s));
  await saveDataSources(userId, records);
  const start = Date.UTC(2025, 0, 2, 8);
  for (const record of records) {
    await writeSeriesSamples(userId, record.key, 'heart_rate', [
      { timestamp: start, value: 60, zoneOffset: null, isDailyTotal: null },
      { timestamp: start + 7_200_000, value: 61, zoneOffset: null, isDailyTotal: null },
    ]);
  }
  const workout: HealthEvent = {
    category: 'workout',
    type: 'running',
    source: sources[0]!,
    start,
    end: start + 1_800_000,
    zoneOffset: null,
    durationSeconds: 1800,
    externalId: null,
    details: {},
  };
  await insertEvent(newStoredEvent(userId, records[0]!.key, workout));
  const score: HealthScore = {
    source: sources[1]!,
    category: 'sleep',
    value: 80,
    qualifier: null,
    recordedAt: start,
    zoneOffset: null,
    components: null,
  };
  await saveScores(userId, [toStoredScore(userId, records[1]!.key, score)]);
}

/** What is left of a user's data, per provider. */
async function dataOf(userId: string) {
  const partition = await queryAll<Record<string, unknown>>({
    KeyConditionExpression: 'PK = :pk',
    ExpressionAttributeValues: { ':pk': keys.userPartition(userId) },
  });
  const sources = await listDataSources(userId);
  const providerOfKey = new Map(sources.map((s) => [s.key, s.provider]));
  const series = await listUserSeries(userId);
  const count = (provider: string) => ({
    sources: sources.filter((s) => s.provider === provider).length,
    series: series.filter((s) => providerOfKey.get(s.sourceKey) === provider).length,
    samples: series
      .filter((s) => providerOfKey.get(s.sourceKey) === provider)
      .reduce((n, s) => n + s.count, 0),
    events: partition.filter((i) => String(i.SK).startsWith('EVENT#') && i.provider === provider).length,
    scores: partition.filter((i) => String(i.SK).startsWith('SCORE#') && i.provider === provider).length,
  });
  return { count, partition };
}

describe('GET /users/{id}/connections', () => {
  it('lists every connection with capabilities, settings and linked users, never tokens', async () => {
    const user = await createUser({});
    const { connection: fitbit, tokens } = await connect(user.id, 'fitbit');
    await connect(user.id, 'garmin', 'garmin-acct');
    await connect(user.id, 'apple', null);
    await updateProviderSettings('oura', { live_sync_mode: 'webhook' });
    await connect(user.id, 'oura');

    const { status, body } = await call('GET', `/api/v1/users/${user.id}/connections`);
    expect(status).toBe(200);
    const byProvider = Object.fromEntries(body.map((c: { provider: string }) => [c.provider, c]));
    expect(Object.keys(byProvider).sort()).toEqual(['apple', 'fitbit', 'garmin', 'oura']);
    expect(byProvider.fitbit).toEqual({
      id: fitbit.id,
      user_id: user.id,
      provider: 'fitbit',
      provider_user_id: `acct-${user.id}`,
      provider_username: `name-acct-${user.id}`,
      scope: 'read',
      status: 'active',
      status_reason: null,
      last_synced_at: '2025-01-02T03:04:05Z',
      created_at: expect.stringMatching(/Z$/),
      updated_at: expect.stringMatching(/Z$/),
      icon_url: '/static/provider-icons/fitbit.svg',
      max_historical_days: null,
      rest_pull: true,
      webhook_stream: false,
      webhook_ping: false,
      webhook_callback: false,
      live_sync_mode: 'pull',
      linked_user_ids: [],
    });
    expect(byProvider.garmin).toMatchObject({
      provider: 'garmin',
      max_historical_days: 365,
      rest_pull: false,
      webhook_stream: true,
      webhook_callback: true,
      live_sync_mode: 'webhook',
    });
    expect(byProvider.apple).toMatchObject({ provider: 'apple', live_sync_mode: null, rest_pull: false });
    expect(byProvider.oura).toMatchObject({
      provider: 'oura',
      webhook_ping: true,
      live_sync_mode: 'webhook',
    });
    const text = JSON.stringify(body);
    for (const secret of [tokens.accessToken, tokens.refreshToken, 'token_expires_at', '"tokens"']) {
      expect(text).not.toContain(secret);
    }
  });

  it('linked_user_ids: other users with an active connection to the same provider account', async () => {
    const [a, b, c] = await Promise.all([createUser({}), createUser({}), createUser({})]);
    await connect(a.id, 'whoop', 'shared-account');
    await connect(b.id, 'whoop', 'shared-account');
    const { connection: third } = await connect(c.id, 'whoop', 'shared-account');
    await setConnectionStatus(third, 'revoked');
    const { body } = await call('GET', `/api/v1/users/${a.id}/connections`);
    expect(body[0].linked_user_ids).toEqual([b.id]);
  });

  it('shows every status; an unknown user has none; a bad id is a 400', async () => {
    const user = await createUser({});
    const { connection } = await connect(user.id, 'polar');
    await setConnectionStatus(connection, 'expired');
    expect((await call('GET', `/api/v1/users/${user.id}/connections`)).body[0].status).toBe('expired');
    expect(await call('GET', `/api/v1/users/${randomUUID()}/connections`)).toEqual({ status: 200, body: [] });
    expect((await call('GET', '/api/v1/users/nope/connections')).status).toBe(400);
  });
});

describe('DELETE /users/{id}/connections/{provider}', () => {
  it('revokes and destroys the tokens; idempotent; the account link is gone', async () => {
    const [user, other] = await Promise.all([createUser({}), createUser({})]);
    await connect(user.id, 'strava', 'strava-shared');
    await connect(other.id, 'strava', 'strava-shared');
    expect(await call('DELETE', `/api/v1/users/${user.id}/connections/strava`)).toEqual({
      status: 204,
      body: undefined,
    });
    const stored = (await getConnection(user.id, 'strava')) as Connection;
    expect(stored).toMatchObject({ status: 'revoked', tokens: null, token_expires_at: null });
    expect((await call('DELETE', `/api/v1/users/${user.id}/connections/strava`)).status).toBe(204);
    expect((await call('GET', `/api/v1/users/${other.id}/connections`)).body[0].linked_user_ids).toEqual([]);
    // The other user's connection is untouched.
    expect((await getConnection(other.id, 'strava'))!.status).toBe('active');
  });

  it('works on expired connections and SDK providers', async () => {
    const user = await createUser({});
    const { connection } = await connect(user.id, 'oura');
    await setConnectionStatus(connection, 'expired');
    expect((await call('DELETE', `/api/v1/users/${user.id}/connections/oura`)).status).toBe(204);
    expect((await getConnection(user.id, 'oura'))!.status).toBe('revoked');
    await connect(user.id, 'apple', null);
    expect((await call('DELETE', `/api/v1/users/${user.id}/connections/apple`)).status).toBe(204);
    expect((await getConnection(user.id, 'apple'))!.status).toBe('revoked');
  });

  it('404 without a connection (the user id in the text), 400 for an invalid provider', async () => {
    const user = await createUser({});
    expect(await call('DELETE', `/api/v1/users/${user.id}/connections/fitbit`)).toEqual({
      status: 404,
      body: { detail: `Connection with ID: ${user.id} not found.` },
    });
    const invalid = await call('DELETE', `/api/v1/users/${user.id}/connections/nope`);
    expect(invalid.status).toBe(400);
    expect(invalid.body.detail).toMatch(/^Input should be 'apple', 'samsung'/);
  });
});

describe('DELETE /users/{id}/connections/{provider}/data', () => {
  it("deletes all of that provider's data and revokes; other providers and users keep theirs", async () => {
    const [user, other] = await Promise.all([createUser({}), createUser({})]);
    await connect(user.id, 'fitbit');
    await connect(user.id, 'ultrahuman');
    await connect(other.id, 'fitbit');
    for (const [id, provider] of [
      [user.id, 'fitbit'],
      [user.id, 'ultrahuman'],
      [other.id, 'fitbit'],
    ] as const) {
      await seed(id, provider);
    }
    const full = { sources: 2, series: 2, samples: 4, events: 1, scores: 1 };
    expect((await dataOf(user.id)).count('fitbit')).toEqual(full);

    expect((await call('DELETE', `/api/v1/users/${user.id}/connections/fitbit/data`)).status).toBe(204);
    const after = await dataOf(user.id);
    expect(after.count('fitbit')).toEqual({ sources: 0, series: 0, samples: 0, events: 0, scores: 0 });
    expect(after.count('ultrahuman')).toEqual(full);
    expect((await dataOf(other.id)).count('fitbit')).toEqual(full);
    // No orphaned event pointers; the chunk partitions of that provider's sources are gone too.
    const pointers = after.partition.filter((i) => String(i.SK).startsWith('EVENTID#'));
    expect(pointers).toHaveLength(1);
    expect((await getConnection(user.id, 'fitbit'))!).toMatchObject({ status: 'revoked', tokens: null });
    expect((await getConnection(user.id, 'ultrahuman'))!.status).toBe('active');
    const chunks = await queryAll<Record<string, unknown>>({
      KeyConditionExpression: 'PK = :pk',
      ExpressionAttributeValues: { ':pk': `TS#${user.id}#heart_rate` },
    });
    const ultrahumanKeys = new Set(
      (await listDataSources(user.id)).filter((s) => s.provider === 'ultrahuman').map((s) => s.key),
    );
    expect(chunks.length).toBeGreaterThan(0);
    expect(chunks.every((c) => ultrahumanKeys.has(String(c.SK).split('#')[1]!))).toBe(true);
  });

  it('works on a revoked connection; 404 without one', async () => {
    const user = await createUser({});
    await connect(user.id, 'polar');
    await seed(user.id, 'polar');
    expect((await call('DELETE', `/api/v1/users/${user.id}/connections/polar`)).status).toBe(204);
    expect((await call('DELETE', `/api/v1/users/${user.id}/connections/polar/data`)).status).toBe(204);
    expect((await dataOf(user.id)).count('polar')).toEqual({
      sources: 0,
      series: 0,
      samples: 0,
      events: 0,
      scores: 0,
    });
    expect(await call('DELETE', `/api/v1/users/${user.id}/connections/whoop/data`)).toEqual({
      status: 404,
      body: { detail: `Connection with ID: ${user.id} not found.` },
    });
  });
});
