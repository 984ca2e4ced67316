import { randomUUID } from 'node:crypto';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetEnvCache } from '#shared/config/env.js';
import { USER_AGENT } from '#shared/delivery/post.js';
import { type DeliveryJob, type DomainEvent, eventIdOf } from '#shared/delivery/types.js';
import { eraseUserData } from '#shared/store/erase-user.js';
import { tombstoneUser } from '#shared/store/users.js';
import { ATTEMPT_RESPONSE_BYTES, listAttempts } from '#shared/store/webhook-attempts.js';
import { createEndpoint, deleteEndpoint } from '#shared/store/webhook-endpoint-management.js';
import { endpointSecret, type WebhookEndpoint } from '#shared/store/webhook-endpoints.js';
import { deliveryState } from '#shared/store/webhook-messages.js';
import { newUserId } from '#test/helpers/users.js';
import { runDeliveries, runFanout, useDeliveryQueue } from './engine-helpers.js';
import { type Receiver, startReceiver } from './engine-receiver.js';

const queue = useDeliveryQueue();
const OWNER = randomUUID();

let receiver: Receiver;

const setEnv = (variables: Record<string, string | undefined>) => {
  for (const [key, value] of Object.entries(variables)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  resetEnvCache();
};

const event = (userId: string, type = 'workout.created'): DomainEvent => ({
  id: eventIdOf(type, randomUUID()),
  type,
  userId,
  timestamp: new Date().toISOString(),
  data: { user_id: userId, note: 'héllo' },
});

/** A fresh user with one endpoint (user filter: only this user's events reach it). */
async function setup(path: string): Promise<{ userId: string; endpoint: WebhookEndpoint }> {
  const userId = await newUserId();
  const endpoint = await createEndpoint(OWNER, {
    url: receiver.url(path),
    description: '',
    filter_types: null,
    user_id: userId,
  });
  return { userId, endpoint };
}

async function jobFor(userId: string, e = event(userId)): Promise<DeliveryJob> {
  await runFanout([e]);
  const sent = queue.take();
  expect(sent).toHaveLength(1);
  return sent[0]!.job;
}

const attemptsOf = async (endpoint: WebhookEndpoint) => (await listAttempts(endpoint.id, { limit: 50 })).data;

beforeAll(async () => {
  setEnv({ WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_TIMEOUT_SECONDS: '1' });
  receiver = await startReceiver();
});

afterAll(async () => {
  setEnv({ WEBHOOK_ALLOW_PRIVATE: undefined, WEBHOOK_TIMEOUT_SECONDS: undefined });
  await receiver.close();
});

describe('a delivery', () => {
  it('POSTs the stored body with both header spellings, verified by svix and standardwebhooks', async () => {
    const { userId, endpoint } = await setup('/signed');
    const e = event(userId);
    await runDeliveries([await jobFor(userId, e)]);
    const [request] = receiver.requests.filter((r) => r.path === '/signed');
    expect(request!.headers).toMatchObject({ 'content-type': 'application/json', 'user-agent': USER_AGENT });
    expect(JSON.parse(request!.body)).toEqual({ type: e.type, timestamp: e.timestamp, data: e.data });
    const secret = await endpointSecret(endpoint);
    const headers = request!.headers as Record<string, string>;
    expect(new SvixWebhook(secret).verify(request!.body, headers)).toEqual(JSON.parse(request!.body));
    expect(new StandardWebhook(secret).verify(request!.body, headers)).toEqual(JSON.parse(request!.body));
    expect(headers['svix-id']).toBe(headers['webhook-id']);
    const [attempt] = await attemptsOf(endpoint);
    expect(attempt).toMatchObject({ status: 'success', response_status_code: 200, trigger: 'scheduled' });
    expect(attempt!.response_duration_ms).toBeGreaterThanOrEqual(0);
  });

  it('a receiver that never answers fails at the timeout and is retried', async () => {
    const { userId, endpoint } = await setup('/hang');
    receiver.script('/hang', 'hang');
    const job = await jobFor(userId);
    await runDeliveries([job]);
    const [attempt] = await attemptsOf(endpoint);
    expect(attempt).toMatchObject({ status: 'failed', response_status_code: null });
    expect(attempt!.response).toMatch(/timed out/);
    expect(queue.take().map(({ job: next }) => next.attempt)).toEqual([2]);
    expect(await deliveryState(endpoint.id, job.message_id)).toMatchObject({
      status: 'pending',
      attempts: 1,
    });
  });

  it('stores at most 1 KB of the answer', async () => {
    const { userId, endpoint } = await setup('/chatty');
    receiver.script('/chatty', { status: 200, body: 'é'.repeat(4_000) });
    await runDeliveries([await jobFor(userId)]);
    const [attempt] = await attemptsOf(endpoint);
    expect(attempt!.status).toBe('success');
    expect(Buffer.byteLength(attempt!.response)).toBeLessThanOrEqual(ATTEMPT_RESPONSE_BYTES);
    expect(Buffer.byteLength(attempt!.response)).toBeGreaterThan(ATTEMPT_RESPONSE_BYTES - 4);
    expect(attempt!.response).toMatch(/^é+$/);
  });

  it('the status code settles it: a 2xx whose answer never ends is delivered, with what arrived', async () => {
    // Were the attempt waiting for the end of the answer, it would fail at this timeout.
    setEnv({ WEBHOOK_TIMEOUT_SECONDS: '20' });
    try {
      const { userId, endpoint } = await setup('/endless');
      receiver.script('/endless', { status: 202, body: 'accepted, still talking', endless: true });
      await runDeliveries([await jobFor(userId)]);
      const [attempt] = await attemptsOf(endpoint);
      expect(attempt).toMatchObject({
        status: 'success',
        response_status_code: 202,
        response: 'accepted, still talking',
      });
      expect(queue.take()).toEqual([]);
    } finally {
      setEnv({ WEBHOOK_TIMEOUT_SECONDS: '1' });
    }
  });

  it('a 5xx whose answer never ends is a failure with its status code', async () => {
    setEnv({ WEBHOOK_TIMEOUT_SECONDS: '20' });
    try {
      const { userId, endpoint } = await setup('/endless-500');
      receiver.script('/endless-500', { status: 503, body: 'overloaded', endless: true });
      await runDeliveries([await jobFor(userId)]);
      const [attempt] = await attemptsOf(endpoint);
      expect(attempt).toMatchObject({ status: 'failed', response_status_code: 503, response: 'overloaded' });
      expect(queue.take().map(({ job }) => job.attempt)).toEqual([2]);
    } finally {
      setEnv({ WEBHOOK_TIMEOUT_SECONDS: '1' });
    }
  });

  it('a connection refused is a failure without a status code', async () => {
    const userId = await newUserId();
    const endpoint = await createEndpoint(OWNER, {
      url: 'http://127.0.0.1:9/closed',
      description: '',
      filter_types: null,
      user_id: userId,
    });
    await runDeliveries([await jobFor(userId)]);
    const [attempt] = await attemptsOf(endpoint);
    expect(attempt).toMatchObject({ status: 'failed', response_status_code: null });
    expect(queue.take()).toHaveLength(1);
  });

  it('without WEBHOOK_ALLOW_PRIVATE a loopback endpoint is never contacted', async () => {
    const { userId, endpoint } = await setup('/private');
    const job = await jobFor(userId);
    setEnv({ WEBHOOK_ALLOW_PRIVATE: 'false' });
    try {
      await runDeliveries([job]);
    } finally {
      setEnv({ WEBHOOK_ALLOW_PRIVATE: 'true' });
    }
    expect(receiver.requests.filter((r) => r.path === '/private')).toEqual([]);
    const [attempt] = await attemptsOf(endpoint);
    expect(attempt).toMatchObject({ status: 'failed', response_status_code: null });
    expect(attempt!.response).toMatch(/https/);
    queue.take();
  });
});

describe('nothing to deliver', () => {
  it("an erased user's message is not delivered", async () => {
    const { userId, endpoint } = await setup('/erased');
    const job = await jobFor(userId);
    await tombstoneUser(userId);
    expect(await eraseUserData(userId, Number.POSITIVE_INFINITY)).toBe('done');
    await runDeliveries([job]);
    expect(receiver.requests.filter((r) => r.path === '/erased')).toEqual([]);
    expect(await attemptsOf(endpoint)).toEqual([]);
    expect(queue.take()).toEqual([]);
  });

  it('a deleted endpoint gets nothing', async () => {
    const { userId, endpoint } = await setup('/deleted');
    const job = await jobFor(userId);
    expect(await deleteEndpoint(OWNER, endpoint.id)).toBe(true);
    await runDeliveries([job]);
    expect(receiver.requests.filter((r) => r.path === '/deleted')).toEqual([]);
    expect(queue.take()).toEqual([]);
  });
});

describe('isolation', () => {
  it('the records of a batch run side by side: a hanging endpoint does not hold a healthy one', async () => {
    setEnv({ WEBHOOK_TIMEOUT_SECONDS: '20' });
    try {
      const dead = await setup('/held');
      const healthy = await setup('/healthy');
      receiver.script('/held', 'hang');
      const jobs = [await jobFor(dead.userId), await jobFor(healthy.userId)];
      let batchDone = false;
      const held = receiver.next('/held');
      const batch = runDeliveries(jobs).finally(() => {
        batchDone = true;
      });
      await held;
      await receiver.next('/healthy', 0);
      // Handled one after the other, the dead attempt would have ended (and been recorded) before this request.
      expect(await attemptsOf(dead.endpoint)).toEqual([]);
      // The healthy delivery is recorded while the dead one's attempt is still open.
      for (;;) {
        const [attempt] = await attemptsOf(healthy.endpoint);
        if (attempt) {
          expect(attempt.status).toBe('success');
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(batchDone).toBe(false);
      await receiver.close();
      receiver = await startReceiver();
      await batch;
      expect((await attemptsOf(dead.endpoint))[0]).toMatchObject({
        status: 'failed',
        response_status_code: null,
      });
      queue.take();
    } finally {
      setEnv({ WEBHOOK_TIMEOUT_SECONDS: '1' });
    }
  });
});
