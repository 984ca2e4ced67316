import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueTokens } from '#shared/identity/tokens.js';
import { createUser } from '#shared/identity/users.js';
import { processUpload, uploadKey } from '#shared/ingest/sdk-uploads.js';
import { objectStore } from '#shared/store/objects.js';
import { listUserSeries } from '#shared/store/series-registry.js';
import { tombstoneUser } from '#shared/store/users.js';
import { recentSyncEvents } from '#shared/sync/status-read.js';
import { testApiKey } from '#test/helpers/credentials.js';
import { postChunked, startTestSandbox, type TestSandbox } from '#test/helpers/sandbox.js';
import { healthConnectRound } from '#test/helpers/sdk-payloads.js';

/**
 * Issue 8 item 1: the Android SDK streams a round (chunked, no Content-Length) and re-sends it forever on any
 * non-2xx; Health Connect heart-rate rounds pass Lambda's 6 MB at about 14,000 samples, got a 413, and that phone
 * never synced again. The mobile ingress takes up to API Gateway's 10 MB, storage-first.
 */

let sandbox: TestSandbox;
let apiKey: Record<string, string>;
beforeAll(async () => {
  sandbox = await startTestSandbox();
  apiKey = { 'x-open-wearables-api-key': await testApiKey('large-rounds') };
});
afterAll(() => sandbox.stop());

const T0 = Date.UTC(2026, 9, 1);
/** 16,300 heart-rate records, 5 s apart: about 9 MB as the Android SDK 0.11 writes them. */
const NINE_MB_ROUND = healthConnectRound({ start: T0, count: 16_300, intervalMs: 5000 });
const bearer = async (userId: string) => ({
  authorization: `Bearer ${
    (await issueTokens({ token_type: 'sdk', user_id: userId, app_id: 'test-app', credential_version: 0 }))
      .access_token
  }`,
});
const syncPath = (userId: string) => `/api/v1/sdk/users/${userId}/sync`;
const heartRateCount = async (userId: string) =>
  (await listUserSeries(userId)).find((entry) => entry.series === 'heart_rate')?.count ?? 0;

/**
 * Waits until the worker behind the queue has stored what the test expects, at most `withinMs`: the waits of a
 * test add up to less than its timeout, so a slow machine fails on an assertion, never on the timeout.
 */
async function eventually<T>(
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  withinMs = 25_000,
): Promise<T> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() > deadline) return value;
    await sleep(100);
  }
}

const uploadsLeft = async () => {
  const folder = join(process.env.OBJECTS_DIR!, 'uploads', 'sdk-uploads');
  const users = await readdir(folder).catch(() => [] as string[]);
  const files = await Promise.all(users.map((user) => readdir(join(folder, user)).catch(() => [])));
  return files.flat().length;
};

describe('a 9 MB Health Connect round', () => {
  it('is too large for the HTTP API, as Lambda is on AWS', { timeout: 60_000 }, async () => {
    const body = Buffer.from(JSON.stringify(NINE_MB_ROUND));
    expect(body.length).toBeGreaterThan(8.5 * 1024 * 1024);
    const user = await createUser({});
    const answer = await postChunked(`${sandbox.url}${syncPath(user.id)}`, await bearer(user.id), body);
    expect(answer.status).toBe(413);
  });

  it('streamed to the mobile ingress is accepted, stored and ingested in full', {
    timeout: 180_000,
  }, async () => {
    const user = await createUser({});
    const body = Buffer.from(JSON.stringify(NINE_MB_ROUND));
    const answer = await postChunked(`${sandbox.mobileUrl}${syncPath(user.id)}`, await bearer(user.id), body);
    expect(answer).toEqual({
      status: 202,
      json: {
        status_code: 202,
        response: 'Import task queued successfully',
        user_id: user.id,
        dropped_count: 0,
        records_saved: 0,
        workouts_saved: 0,
        sleep_saved: 0,
      },
    });
    expect(
      await eventually(
        () => heartRateCount(user.id),
        (n) => n === 16_300,
        120_000,
      ),
    ).toBe(16_300);
    const [event] = await eventually(
      () => recentSyncEvents(user.id, 5),
      (events) => events.length > 0,
    );
    expect(event).toMatchObject({ source: 'sdk', status: 'success', items_processed: 16_300 });
    expect(await eventually(uploadsLeft, (n) => n === 0)).toBe(0);
  });
});

describe('the mobile ingress', () => {
  it('stores nothing for a caller the SDK route would refuse', async () => {
    const user = await createUser({});
    const other = await createUser({});
    const small = { json: healthConnectRound({ start: T0, count: 3 }) };
    expect(await sandbox.mobileApi('POST', syncPath(user.id), small)).toMatchObject({
      status: 401,
      json: { detail: 'Could not validate credentials' },
    });
    expect(
      await sandbox.mobileApi('POST', syncPath(user.id), { ...small, headers: await bearer(other.id) }),
    ).toMatchObject({ status: 403, json: { detail: 'Token does not match user_id' } });
    expect(
      await sandbox.mobileApi('POST', syncPath(user.id), {
        ...small,
        headers: { 'x-open-wearables-api-key': 'nope' },
      }),
    ).toMatchObject({ status: 401 });
    expect(await uploadsLeft()).toBe(0);
  });

  it('refuses more than 10 MB with a JSON 413', async () => {
    const user = await createUser({});
    const answer = await sandbox.mobileApi('POST', syncPath(user.id), {
      headers: { ...(await bearer(user.id)), 'content-type': 'application/json' },
      raw: Buffer.alloc(10 * 1024 * 1024 + 1, 0x20),
    });
    expect(answer).toMatchObject({
      status: 413,
      json: { detail: 'Request body too large: the limit is 10485760 bytes (10 MB)' },
    });
  });

  it('passes every other path to the HTTP API (one base URL for the SDKs)', async () => {
    const user = await createUser({});
    const read = await sandbox.mobileApi('GET', `/api/v1/users/${user.id}`, { headers: apiKey });
    expect(read).toMatchObject({ status: 200, json: { id: user.id } });
    const logs = await sandbox.mobileApi('POST', `/api/v1/sdk/users/${user.id}/logs`, {
      headers: await bearer(user.id),
      json: {
        sdkVersion: '0.11.0',
        events: [{ eventType: 'device_state', timestamp: new Date().toISOString() }],
      },
    });
    expect(logs.status).toBe(202);
  });

  it('a gzip body is stored as sent and inflated by the worker', { timeout: 60_000 }, async () => {
    const user = await createUser({});
    const body = gzipSync(JSON.stringify(healthConnectRound({ start: T0, count: 40 })));
    const answer = await sandbox.mobileApi('POST', syncPath(user.id), {
      headers: { ...(await bearer(user.id)), 'content-type': 'application/json', 'content-encoding': 'gzip' },
      raw: body,
    });
    expect(answer.status).toBe(202);
    expect(
      await eventually(
        () => heartRateCount(user.id),
        (n) => n === 40,
      ),
    ).toBe(40);
  });

  it('a body that is not JSON is accepted, then recorded as a failed run and dropped', {
    timeout: 60_000,
  }, async () => {
    const user = await createUser({});
    const answer = await sandbox.mobileApi('POST', syncPath(user.id), {
      headers: { ...(await bearer(user.id)), 'content-type': 'application/json' },
      raw: '{"provider": "google", "data": ',
    });
    expect(answer.status).toBe(202);
    const [event] = await eventually(
      () => recentSyncEvents(user.id, 5),
      (events) => events.length > 0,
    );
    expect(event).toMatchObject({ status: 'failed', error: 'Invalid sync payload: the body is not JSON' });
    expect(await eventually(uploadsLeft, (n) => n === 0)).toBe(0);
  });
});

describe('the upload worker', () => {
  const bucket = 'uploads';
  const upload = async (userId: string, requestId: string, count = 50) => {
    const key = uploadKey(userId, requestId);
    const body = Buffer.from(JSON.stringify(healthConnectRound({ start: T0, count })));
    await objectStore().put(bucket, key, body);
    return key;
  };

  it('is idempotent: a redelivered or re-stored upload stores nothing twice', async () => {
    const user = await createUser({});
    const key = await upload(user.id, 'req-1');
    await processUpload(bucket, key);
    await processUpload(bucket, key);
    expect(await objectStore().get(bucket, key)).toBeUndefined();
    await upload(user.id, 'req-1');
    await processUpload(bucket, key);
    expect(await heartRateCount(user.id)).toBe(50);
  });

  it('discards the upload of a user deleted before it was processed: the data never comes back', async () => {
    const user = await createUser({});
    const key = await upload(user.id, 'req-2');
    await tombstoneUser(user.id);
    await processUpload(bucket, key);
    expect(await objectStore().get(bucket, key)).toBeUndefined();
    expect(await listUserSeries(user.id)).toEqual([]);
  });
});
