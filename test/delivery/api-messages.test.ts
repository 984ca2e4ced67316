import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { eventTypeCatalogue } from '#shared/delivery/catalogue.js';
import { messageIdOf } from '#shared/delivery/ids.js';
import { deliveryJob } from '#shared/delivery/types.js';
import { deleteUser } from '#shared/identity/users.js';
import { UserGone } from '#shared/store/user-guard.js';
import { recordAttempt } from '#shared/store/webhook-attempts.js';
import {
  deliveryState,
  getMessage,
  listMessages,
  markDispatched,
  messageOf,
  putMessage,
} from '#shared/store/webhook-messages.js';
import { drainQueue, useLocalQueues } from '#test/helpers/local-queues.js';
import { scanTable } from '#test/helpers/table.js';
import { newUserId } from '#test/helpers/users.js';
import { call, ENDPOINTS, newDeveloper } from './api-client.js';

const queues = useLocalQueues();
const MESSAGES = '/api/v1/webhooks/messages';
let alice: { id: string; token: string };
let bob: { id: string; token: string };

beforeAll(async () => {
  [alice, bob] = [await newDeveloper(), await newDeveloper()];
});

const newEndpoint = async (json: Record<string, unknown> = {}) =>
  (
    await call('POST', ENDPOINTS, {
      token: alice.token,
      json: { url: 'https://hooks.example.com/', ...json },
    })
  ).body as { id: string };

const takeDeliveries = () =>
  drainQueue(queues.get().urls.webhookDeliveries, (body) => deliveryJob.parse(body));

const event = (id: string, timestamp: string, userId: string | null = null) => ({
  id,
  type: 'workout.created',
  userId,
  timestamp,
  data: { id, user_id: userId },
});

describe('GET /webhooks/event-types', () => {
  it('is public and answers the catalogue', async () => {
    const { status, body } = await call('GET', '/api/v1/webhooks/event-types');
    expect(status).toBe(200);
    expect(body).toEqual(eventTypeCatalogue());
    expect(body).toContainEqual(expect.objectContaining({ name: 'workout.created', child_events: null }));
    const group = body.find((entry: { name: string }) => entry.name === 'heart_rate.created');
    expect(group.child_events).toContain('series.heart_rate.created');
  });
});

describe('POST /webhooks/endpoints/{id}/test', () => {
  it('stores a test message and queues one manual delivery to this endpoint only', async () => {
    const endpoint = await newEndpoint();
    await newEndpoint();
    const { status, body } = await call('POST', `${ENDPOINTS}/${endpoint.id}/test`, { token: alice.token });
    expect(status).toBe(200);
    expect(body).toEqual({
      message: 'Test event sent successfully.',
      message_id: expect.stringMatching(/^msg_/),
    });

    const jobs = await takeDeliveries();
    expect(jobs).toEqual([
      {
        endpoint_id: endpoint.id,
        message_id: body.message_id,
        user_id: null,
        attempt: 1,
        due_at: expect.any(Number),
        trigger: 'manual',
      },
    ]);
    const message = (await getMessage(null, body.message_id))!;
    expect(message).toMatchObject({ event_type: 'workout.created', dispatched: true, owner_id: alice.id });
    expect(JSON.parse(message.body)).toEqual({
      type: 'workout.created',
      timestamp: message.timestamp,
      data: expect.objectContaining({ test: true, endpoint_id: endpoint.id }),
    });
    expect(await deliveryState(endpoint.id, body.message_id)).toMatchObject({
      status: 'pending',
      attempts: 0,
    });
  });

  it("uses the requested type, or the endpoint's first filtered type when the requested one is filtered out", async () => {
    const endpoint = await newEndpoint({ filter_types: ['sleep.created', 'sync.failed'] });
    const path = `${ENDPOINTS}/${endpoint.id}/test`;
    const sent = async (json?: unknown) => {
      const { body } = await call('POST', path, { token: alice.token, json });
      return (await getMessage(null, body.message_id))!.event_type;
    };
    expect(await sent()).toBe('sleep.created');
    expect(await sent({ event_type: 'sync.failed' })).toBe('sync.failed');
    expect(await sent({ event_type: 'workout.created' })).toBe('sleep.created');
    expect(await call('POST', path, { token: alice.token, json: { event_type: 'nope' } })).toEqual({
      status: 400,
      body: { detail: "Unknown event type: 'nope'." },
    });
    await takeDeliveries();
  });

  it("shows a developer's test messages to them only; event messages to every developer", async () => {
    const endpoint = await newEndpoint();
    const { body } = await call('POST', `${ENDPOINTS}/${endpoint.id}/test`, { token: alice.token });
    const shared = messageOf(event(`workout.created.${endpoint.id}`, new Date().toISOString()));
    await putMessage(shared, 30);
    const ids = async (token: string) =>
      (await call('GET', MESSAGES, { token, query: { limit: '250' } })).body.data.map(
        (m: { id: string }) => m.id,
      );
    expect(await ids(alice.token)).toEqual(expect.arrayContaining([body.message_id, shared.id]));
    expect(await ids(bob.token)).toContain(shared.id);
    expect(await ids(bob.token)).not.toContain(body.message_id);
    await takeDeliveries();
  });
});

describe('message store', () => {
  it('puts a message once per event id (stable msg_ id), and never for a deleted user', async () => {
    const userId = await newUserId();
    const message = messageOf(event('workout.created.w1', '2026-01-02T03:04:05.000Z', userId));
    expect(message.id).toBe(messageIdOf('workout.created.w1'));
    expect(message.channels).toEqual([`user.${userId}`]);
    expect(await putMessage(message, 30)).toBe(true);
    expect(await putMessage(message, 30)).toBe(false);
    const userless = messageOf(event('sync.failed.x1', '2026-01-02T03:04:05.000Z'));
    expect(await putMessage(userless, 30)).toBe(true);
    expect(await putMessage(userless, 30)).toBe(false);
    expect(await getMessage(null, userless.id)).toEqual(userless);
    await markDispatched(userId, message.id);
    expect(await getMessage(userId, message.id)).toEqual({ ...message, dispatched: true });

    await deleteUser(userId);
    const later = messageOf(event('workout.created.w2', '2026-01-02T03:04:06.000Z', userId));
    await expect(putMessage(later, 30)).rejects.toBeInstanceOf(UserGone);
    expect(await getMessage(userId, message.id)).toBeUndefined();
  });

  it('keeps the body apart from the indexed item; listing never reads it; erasure removes both', async () => {
    const userId = await newUserId();
    const message = messageOf(event('workout.created.b1', '2026-01-03T00:00:00.000Z', userId));
    await putMessage(message, 30);
    const mine = (await scanTable()).filter((item) => item.PK === `USER#${userId}`);
    const indexed = mine.find((item) => item.SK === `WHMSG#${message.id}`)!;
    const body = mine.find((item) => item.SK === `WHMSGBODY#${message.id}`)!;
    expect(indexed).toMatchObject({ GSI1PK: 'WHMSGS', ttl: expect.any(Number) });
    expect(indexed).not.toHaveProperty('payload');
    expect(body).not.toHaveProperty('GSI1PK');
    expect(body.ttl).toBe(indexed.ttl);
    expect(gunzipSync(body.payload as Uint8Array).toString('utf8')).toBe(message.body);

    const page = await listMessages(alice.id, { limit: 250 });
    expect(page.data.find((listed) => listed.id === message.id)).toEqual({
      id: message.id,
      event_id: message.event_id,
      event_type: message.event_type,
      timestamp: message.timestamp,
      user_id: userId,
      channels: message.channels,
      dispatched: false,
    });

    await deleteUser(userId);
    const left = (await scanTable()).filter((item) => item.PK === `USER#${userId}`);
    expect(left.filter((item) => String(item.SK).startsWith('WHMSG'))).toEqual([]);
  });

  it('keeps at most 1 KB of a response, never splitting a character', async () => {
    const attempt = await recordAttempt(
      {
        endpoint_id: 'ep_cut',
        message_id: 'msg_x',
        user_id: null,
        event_type: 'workout.created',
        url: 'https://hooks.example.com/',
        response_status_code: 500,
        response: 'é'.repeat(2_000),
        response_duration_ms: 12,
        status: 'failed',
        trigger: 'scheduled',
        attempt: 1,
        timestamp: new Date().toISOString(),
      },
      30,
    );
    expect(Buffer.byteLength(attempt.response)).toBe(1_024);
    expect(attempt.response).toBe('é'.repeat(512));
    expect(attempt.id).toMatch(/^atmpt_[a-z2-7]{27}$/);
  });
});

describe('GET /webhooks/endpoints/{id}/attempts', () => {
  it('lists attempts newest first in Svix camelCase with their message, filtered by status and event type', async () => {
    const endpoint = await newEndpoint();
    const userId = await newUserId();
    const workout = messageOf(event('workout.created.a1', '2026-02-01T00:00:00.000Z', userId));
    const sleep = {
      ...messageOf(event('sleep.created.s1', '2026-02-01T00:00:01.000Z')),
      event_type: 'sleep.created',
    };
    await putMessage(workout, 30);
    await putMessage(sleep, 30);
    const attempt = (message: typeof workout, status: 'success' | 'failed', second: number) =>
      recordAttempt(
        {
          endpoint_id: endpoint.id,
          message_id: message.id,
          user_id: message.user_id,
          event_type: message.event_type,
          url: 'https://hooks.example.com/',
          response_status_code: status === 'success' ? 200 : null,
          response: status === 'success' ? 'ok' : 'timed out',
          response_duration_ms: 40,
          status,
          trigger: 'scheduled',
          attempt: 1,
          timestamp: `2026-02-01T00:00:0${second}.000Z`,
        },
        30,
      );
    const failed = await attempt(workout, 'failed', 2);
    const succeeded = await attempt(workout, 'success', 3);
    await attempt(sleep, 'success', 4);

    const path = `${ENDPOINTS}/${endpoint.id}/attempts`;
    const all = (await call('GET', path, { token: alice.token })).body;
    expect(all.done).toBe(true);
    expect(all.data.map((a: { id: string }) => a.id)).toHaveLength(3);
    expect(all.data[2]).toEqual({
      id: failed.id,
      endpointId: endpoint.id,
      msgId: workout.id,
      url: 'https://hooks.example.com/',
      response: 'timed out',
      responseStatusCode: 0,
      responseDurationMs: 40,
      status: 2,
      statusText: 'fail',
      triggerType: 0,
      timestamp: '2026-02-01T00:00:02Z',
      msg: {
        id: workout.id,
        eventType: 'workout.created',
        eventId: 'workout.created.a1',
        timestamp: '2026-02-01T00:00:00Z',
        channels: [`user.${userId}`],
        tags: null,
        payload: JSON.parse(workout.body),
      },
    });
    const ids = async (query: Record<string, string | string[]>) =>
      (await call('GET', path, { token: alice.token, query })).body.data.map((a: { id: string }) => a.id);
    expect(await ids({ status: '2' })).toEqual([failed.id]);
    expect(await ids({ status: '0', event_types: 'workout.created' })).toEqual([succeeded.id]);
    expect(await ids({ event_types: ['workout.created', 'sync.failed'] })).toEqual([succeeded.id, failed.id]);
    expect(await ids({ status: '1' })).toEqual([]);

    await deleteUser(userId);
    const afterErasure = (await call('GET', path, { token: alice.token, query: { status: '2' } })).body
      .data[0];
    expect(afterErasure.msg).toBeUndefined();
  });

  it('validates limit, status and the iterator', async () => {
    const path = `${ENDPOINTS}/${(await newEndpoint()).id}/attempts`;
    const invalid: Array<Record<string, string>> = [
      { limit: '0' },
      { limit: '251' },
      { status: '4' },
      { iterator: 'garbage!' },
    ];
    for (const query of invalid) {
      expect((await call('GET', path, { token: alice.token, query })).status, JSON.stringify(query)).toBe(
        400,
      );
    }
    expect((await call('GET', path, { token: alice.token, query: { before: 'soon' } })).body.detail).toMatch(
      /Invalid datetime format/,
    );
  });
});
