import { readFileSync } from 'node:fs';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRecordedBusEntries } from '#shared/delivery/event-bus.js';
import { lakeUserPrefix } from '#shared/delivery/lake.js';
import { objectStore } from '#shared/store/objects.js';
import { type Received, type Receiver, startReceiver } from '#test/delivery/engine-receiver.js';
import {
  DEFAULT_OURA_USER,
  type FakeOura,
  generateOuraDays,
  ouraWorkout,
  startFakeOura,
} from '#test/fakes/oura.js';
import { fakeProviderEnv } from '#test/fakes/provider-env.js';
import { type E2eSession, startE2eSession, until } from '#test/helpers/e2e-session.js';

/**
 * Outgoing webhooks end to end over HTTP, against the sandbox and a receiver on 127.0.0.1: a developer registers
 * an endpoint -> an SDK push and an Oura connect + backfill -> the receiver gets connection, sync, workout and
 * series events (with samples), each verified by both the `svix` and the `standardwebhooks` libraries with the
 * endpoint's secret -> a receiver answering 500 is retried on schedule (5 s) and then succeeds -> a rotated
 * secret signs next to the old one -> a receiver that never answers holds only its own delivery -> messages and
 * attempts are listed -> the sandbox's EventBridge bus recorded the same events, and its local data lake holds
 * them. Waits follow the receiver's
 * requests or poll the API, bounded well below each test's timeout.
 */
const WAIT_MS = 150_000;
const ios = JSON.parse(
  readFileSync(new URL('../fixtures/sdk/ios-example.json', import.meta.url), 'utf8'),
) as Record<string, unknown>;

let receiver: Receiver;
let oura: FakeOura;
let sandbox: E2eSession;

beforeAll(async () => {
  receiver = await startReceiver();
  oura = await startFakeOura({ pageSize: 5, heartRatePageSize: 500 });
  const data = generateOuraDays({ days: 3, end: Date.now(), seed: 5 });
  const start = Date.now() - 86_400_000;
  data.documents.workout.push(
    ouraWorkout({ day: new Date(start).toISOString().slice(0, 10), start, minutes: 40, offset: '+01:00' }),
  );
  oura.seed(DEFAULT_OURA_USER, data);
  sandbox = await startE2eSession({
    env: {
      ...fakeProviderEnv('OURA', oura),
      HISTORICAL_SYNC_ON_CONNECT: 'true',
      OW_DATA_LAKE: 'true',
      // The longest allowed, so the never-answering receiver is still open while the healthy one gets everything.
      WEBHOOK_TIMEOUT_SECONDS: '30',
    },
  });
}, 60_000);

afterAll(async () => {
  await receiver?.close();
  await sandbox?.stop();
  await oura?.stop();
});

const ENDPOINTS = '/api/v1/webhooks/endpoints';
// biome-ignore lint/suspicious/noExplicitAny: tests read response fields directly and assert on them.
async function dev(method: string, path: string, json?: unknown, status = 200): Promise<any> {
  const response = await sandbox.api(method, path, { headers: sandbox.bearer, json });
  expect(response.status, `${method} ${path}: ${response.text.slice(0, 300)}`).toBe(status);
  return response.json;
}

async function register(path: string, fields: Record<string, unknown> = {}): Promise<string> {
  const created = await dev('POST', ENDPOINTS, { url: receiver.url(path), ...fields }, 201);
  return created.id as string;
}

const secretOf = async (endpointId: string): Promise<string> =>
  (await dev('GET', `${ENDPOINTS}/${endpointId}/secret`)).key;

async function sdkPush(userId: string): Promise<void> {
  const pushed = await sandbox.api('POST', `/api/v1/sdk/users/${userId}/sync`, {
    headers: sandbox.apiKey,
    json: ios,
  });
  expect(pushed.status).toBe(202);
}

type Body = { type: string; timestamp: string; data: Record<string, unknown> };
const bodyOf = (request: Received) => JSON.parse(request.body) as Body;
const headersOf = (request: Received) => request.headers as Record<string, string>;
const at = (path: string) => receiver.requests.filter((r) => r.path === path);
const typesAt = (path: string) => new Set(at(path).map((r) => bodyOf(r).type));

/** Every request to `path` verifies with both libraries under `secret` (the svix one reads `svix-*` headers). */
function expectVerified(requests: Received[], secret: string): void {
  for (const request of requests) {
    const headers = headersOf(request);
    const { 'webhook-id': id, 'webhook-timestamp': ts, 'webhook-signature': sig } = headers;
    const svixOnly = {
      'svix-id': headers['svix-id']!,
      'svix-timestamp': headers['svix-timestamp']!,
      'svix-signature': headers['svix-signature']!,
    };
    expect(new SvixWebhook(secret).verify(request.body, svixOnly)).toEqual(JSON.parse(request.body));
    const standard = { 'webhook-id': id!, 'webhook-timestamp': ts!, 'webhook-signature': sig! };
    expect(new StandardWebhook(secret).verify(request.body, standard)).toEqual(JSON.parse(request.body));
  }
}

/** Every message the developer sees, page by page (Svix iterators). */
async function allMessages(): Promise<Array<Record<string, unknown> & { id: string; eventId: string }>> {
  const all = [];
  let iterator: string | null = null;
  for (;;) {
    const page = await dev(
      'GET',
      `/api/v1/webhooks/messages?limit=250${iterator ? `&iterator=${iterator}` : ''}`,
    );
    all.push(...page.data);
    if (page.done) return all;
    iterator = page.iterator;
  }
}

/** Resolves once the receiver got every one of `types` at `path`. */
const receivedTypes = (path: string, types: string[]) =>
  until(
    () => `${types.join(', ')} at ${path}; got ${[...typesAt(path)].join(', ')}`,
    async () => (types.every((type) => typesAt(path).has(type)) ? true : undefined),
    WAIT_MS,
  );

describe('outgoing webhooks', () => {
  let main: string;
  let mainSecret: string;
  let sdkUser: string;
  let ouraUser: string;

  it('an endpoint gets connection, sync, workout and series events, each verified by svix and standardwebhooks', async () => {
    main = await register('/main', { description: 'everything' });
    mainSecret = await secretOf(main);
    expect(mainSecret).toMatch(/^whsec_/);

    sdkUser = await sandbox.createUser();
    await sdkPush(sdkUser);
    ouraUser = await sandbox.createUser();
    await sandbox.connect('oura', ouraUser);
    expect((await sandbox.waitForRun(ouraUser, 'oura')).status).toBe('success');

    await receivedTypes('/main', [
      'connection.created',
      'sync.started',
      'sync.completed',
      'workout.created',
      'sleep.created',
      'heart_rate.created',
      'series.heart_rate.created',
    ]);
    const from = (type: string, check: (data: Record<string, unknown>) => boolean) =>
      until(
        `${type} at /main`,
        async () =>
          at('/main')
            .map(bodyOf)
            .find((b) => b.type === type && check(b.data)),
        WAIT_MS,
      );
    await from('connection.created', (data) => data.provider === 'oura' && data.user_id === ouraUser);
    await from('sync.completed', (data) => data.provider === 'oura' && data.user_id === ouraUser);
    await from('connection.created', (data) => data.provider === 'apple' && data.user_id === sdkUser);
    await from('workout.created', (data) => data.user_id === sdkUser);
    await from('workout.created', (data) => data.user_id === ouraUser);
    expectVerified(at('/main'), mainSecret);
    const bodies = at('/main').map(bodyOf);
    const series = bodies.filter(
      (b) => b.type === 'series.heart_rate.created' || b.type === 'heart_rate.created',
    );
    for (const { type, data } of series) {
      const samples = data.samples as Array<Record<string, unknown>>;
      expect(samples.length).toBeGreaterThan(0);
      if (type === 'series.heart_rate.created') expect(data.series_type).toBe('heart_rate');
      for (const sample of samples) expect(sample).toMatchObject({ type: data.series_type, unit: 'bpm' });
      expect(data.sample_count).toBe(samples.length);
    }
    for (const request of at('/main')) {
      expect(request.headers['user-agent']).toBe('open-wearables-webhooks/1');
      expect(request.headers['svix-id']).toBe(request.headers['webhook-id']);
    }
  }, 240_000);

  it('messages and attempts are listed (Svix shapes)', async () => {
    const attempts = await dev('GET', `${ENDPOINTS}/${main}/attempts?limit=250&status=0`);
    const messages = await allMessages();
    // Read after the listings: every attempt listed was made on a request received by now.
    const ids = new Set(at('/main').map((r) => headersOf(r)['webhook-id']));
    const listed = messages.filter((m) => ids.has(m.id));
    expect(listed.length).toBeGreaterThan(0);
    expect(listed[0]).toMatchObject({ payload: null, tags: null });
    expect(listed.map((m) => m.eventType)).toContain('workout.created');

    expect(attempts.data.length).toBeGreaterThan(0);
    expect(attempts.data[0]).toMatchObject({
      endpointId: main,
      url: receiver.url('/main'),
      status: 0,
      statusText: 'success',
      responseStatusCode: 200,
      triggerType: 0,
    });
    for (const attempt of attempts.data) expect(ids.has(attempt.msgId)).toBe(true);
  });

  it('a receiver answering 500 is retried 5 s later with the same id, and the attempts show both', async () => {
    const user = await sandbox.createUser();
    const flaky = await register('/flaky', { user_id: user, filter_types: ['workout.created'] });
    receiver.script('/flaky', { status: 500, body: 'try again' }, { status: 200, body: 'got it' });
    await sdkPush(user);
    const first = await receiver.next('/flaky', 0);
    const second = await receiver.next('/flaky', receiver.requests.indexOf(first) + 1);
    expect(headersOf(second)['webhook-id']).toBe(headersOf(first)['webhook-id']);
    expect(Number(headersOf(second)['webhook-timestamp'])).toBeGreaterThanOrEqual(
      Number(headersOf(first)['webhook-timestamp']) + 5,
    );
    expectVerified([first, second], await secretOf(flaky));

    const attempts = await until(
      'two attempts of /flaky',
      async () => {
        const page = await dev('GET', `${ENDPOINTS}/${flaky}/attempts`);
        return page.data.length >= 2 ? page.data : undefined;
      },
      WAIT_MS,
    );
    expect(
      attempts.map((a: Record<string, unknown>) => [a.status, a.responseStatusCode, a.response]),
    ).toEqual([
      [0, 200, 'got it'],
      [2, 500, 'try again'],
    ]);
    expect(attempts[0].msg.payload).toEqual(JSON.parse(second.body));
  }, 60_000);

  it('after a rotation the next delivery carries two signatures: the old secret and the new one verify it', async () => {
    await dev('POST', `${ENDPOINTS}/${main}/secret/rotate`, undefined, 204);
    const newSecret = await secretOf(main);
    expect(newSecret).not.toBe(mainSecret);
    const sent = await dev('POST', `${ENDPOINTS}/${main}/test`, { event_type: 'sleep.created' });
    const request = await until(
      'the test message',
      async () => at('/main').find((r) => headersOf(r)['webhook-id'] === sent.message_id),
      WAIT_MS,
    );
    expect(headersOf(request)['webhook-signature']!.split(' ')).toHaveLength(2);
    expectVerified([request], newSecret);
    expectVerified([request], mainSecret);
    expect(bodyOf(request).type).toBe('sleep.created');
  });

  it('a receiver that never answers does not delay a healthy one', async () => {
    const user = await sandbox.createUser();
    const dead = await register('/dead', { user_id: user, filter_types: ['workout.created'] });
    await register('/healthy', { user_id: user });
    receiver.script('/dead', 'hang');
    await sdkPush(user);
    await receiver.next('/dead', 0);
    await receivedTypes('/healthy', ['workout.created', 'heart_rate.created', 'series.heart_rate.created']);
    // The dead endpoint's only attempt is still open: nothing recorded for it yet.
    expect((await dev('GET', `${ENDPOINTS}/${dead}/attempts`)).data).toEqual([]);
  }, 60_000);

  it('the EventBridge bus (recorded by the sandbox) got the same events, source "open-wearables"', async () => {
    const entries = await readRecordedBusEntries();
    const detailTypes = new Set(entries.map((entry) => entry.DetailType));
    for (const type of typesAt('/main')) expect(detailTypes, type).toContain(type);
    expect(new Set(entries.map((entry) => entry.Source))).toEqual(new Set(['open-wearables']));
    const details = entries.map((entry) => JSON.parse(entry.Detail!) as { id: string; user_id: string });
    const busIds = new Set(details.map((d) => d.id));
    const eventIds = (await allMessages())
      .filter((m: { eventId: string }) => !m.eventId.startsWith('test_'))
      .map((m: { eventId: string }) => m.eventId);
    expect(eventIds.length).toBeGreaterThan(0);
    for (const id of eventIds) expect(busIds, id).toContain(id);
  });

  it('with OW_DATA_LAKE the sandbox also writes the events to the local lake, partitioned by user and type', async () => {
    const keys: string[] = [];
    for await (const page of objectStore().list('lake', lakeUserPrefix(ouraUser))) keys.push(...page);
    expect(keys.some((key) => key.includes('/type=workout.created/date='))).toBe(true);
    expect(keys.some((key) => key.includes('/type=sync.completed/date='))).toBe(true);
  });
});
