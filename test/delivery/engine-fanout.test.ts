import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetEnvCache } from '#shared/config/env.js';
import { packEvents } from '#shared/delivery/emit.js';
import { readRecordedBusEntries } from '#shared/delivery/event-bus.js';
import { decodeEvents, endpointMatches } from '#shared/delivery/fanout.js';
import { messageIdOf } from '#shared/delivery/ids.js';
import { type DomainEvent, eventIdOf } from '#shared/delivery/types.js';
import { tombstoneUser } from '#shared/store/users.js';
import { createEndpoint, updateEndpoint } from '#shared/store/webhook-endpoint-management.js';
import type { WebhookEndpoint } from '#shared/store/webhook-endpoints.js';
import { getMessage, messageOf, putMessage } from '#shared/store/webhook-messages.js';
import { lambdaContext } from '#test/helpers/events.js';
import { newUserId } from '#test/helpers/users.js';
import { handler } from '../../functions/event-fanout.js';
import { runFanout, type SentDelivery, sqsEvent, useDeliveryQueue } from './engine-helpers.js';

const queue = useDeliveryQueue();
const OWNER = randomUUID();
const fields = { url: 'http://127.0.0.1:9/hook', description: '', filter_types: null, user_id: null };

let u1: string;
let u2: string;
let objects: string;

const setEnv = (variables: Record<string, string | undefined>) => {
  for (const [key, value] of Object.entries(variables)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  resetEnvCache();
};

const event = (type: string, userId: string | null, data: Record<string, unknown> = {}): DomainEvent => ({
  id: eventIdOf(type, randomUUID()),
  type,
  userId,
  timestamp: new Date().toISOString(),
  data: { user_id: userId, ...data },
});

/** The (endpoint, message) pairs queued, sorted. */
const pairs = (sent: SentDelivery[]) => sent.map(({ job }) => `${job.endpoint_id} ${job.message_id}`).sort();
const pair = (endpoint: WebhookEndpoint, e: DomainEvent) => `${endpoint.id} ${messageIdOf(e.id)}`;

beforeAll(async () => {
  [u1, u2] = await Promise.all([newUserId(), newUserId()]);
  objects = await mkdtemp(join(tmpdir(), 'engine-fanout-'));
  setEnv({ OBJECTS_DIR: objects, EVENT_BUS_NAME: 'local' });
});

afterAll(async () => {
  setEnv({ OBJECTS_DIR: undefined, EVENT_BUS_NAME: undefined, OUTGOING_WEBHOOKS_ENABLED: undefined });
  await rm(objects, { recursive: true, force: true });
});

describe('matching', () => {
  it('filter types (null or empty: all), user filter (null: all users) and disabled endpoints', async () => {
    const all = await createEndpoint(OWNER, fields);
    const empty = await createEndpoint(OWNER, { ...fields, filter_types: [] });
    const workouts = await createEndpoint(OWNER, { ...fields, filter_types: ['workout.created'] });
    const ofU1 = await createEndpoint(OWNER, { ...fields, user_id: u1 });
    const off = await createEndpoint(OWNER, fields);
    await updateEndpoint(OWNER, off.id, { disabled: true });

    const w1 = event('workout.created', u1);
    const s2 = event('sleep.created', u2);
    const sync1 = event('sync.completed', u1);
    const before = Date.now();
    await runFanout([w1, s2, sync1]);

    const sent = queue.take();
    const live = new Set([all.id, empty.id, workouts.id, ofU1.id]);
    // Endpoints of other tests in this file's table are left out of the comparison.
    expect(pairs(sent.filter(({ job }) => live.has(job.endpoint_id) || job.endpoint_id === off.id))).toEqual(
      [
        pair(all, w1),
        pair(all, s2),
        pair(all, sync1),
        pair(empty, w1),
        pair(empty, s2),
        pair(empty, sync1),
        pair(workouts, w1),
        pair(ofU1, w1),
        pair(ofU1, sync1),
      ].sort(),
    );
    for (const { job, delaySeconds } of sent) {
      expect(job).toMatchObject({ attempt: 1, trigger: 'scheduled' });
      expect(job.due_at).toBeGreaterThanOrEqual(before);
      expect(job.due_at).toBeLessThanOrEqual(Date.now());
      expect(delaySeconds).toBe(0);
    }
    const stored = await getMessage(u1, messageIdOf(w1.id));
    expect(stored).toMatchObject({
      event_id: w1.id,
      event_type: 'workout.created',
      channels: [`user.${u1}`],
      dispatched: true,
    });
    expect(JSON.parse(stored!.body)).toEqual({ type: w1.type, timestamp: w1.timestamp, data: w1.data });
    for (const id of [all.id, empty.id, workouts.id, ofU1.id, off.id])
      await updateEndpoint(OWNER, id, { disabled: true });
  });

  it('endpointMatches on the user channel: an endpoint with a user filter never gets events of no user', () => {
    const endpoint = { disabled: false, filter_types: null, user_id: u1 } as unknown as WebhookEndpoint;
    expect(endpointMatches(endpoint, event('sync.completed', u1))).toBe(true);
    expect(endpointMatches(endpoint, event('sync.completed', u2))).toBe(false);
    expect(endpointMatches(endpoint, event('sync.completed', null))).toBe(false);
  });
});

describe('at least once, each event once', () => {
  let endpoint: WebhookEndpoint;
  beforeAll(async () => {
    endpoint = await createEndpoint(OWNER, { ...fields, user_id: u2 });
  });
  afterAll(() => updateEndpoint(OWNER, endpoint.id, { disabled: true }));

  it('duplicate event ids (in one job and in a later one) are queued once', async () => {
    const e = event('workout.created', u2);
    await runFanout([e, e]);
    await runFanout([e]);
    expect(pairs(queue.take())).toEqual([pair(endpoint, e)]);
  });

  it('a message stored but never marked dispatched (a crash in between) is queued again', async () => {
    const e = event('sleep.created', u2);
    expect(await putMessage(messageOf(e), 30)).toBe(true);
    await runFanout([e]);
    expect(pairs(queue.take())).toEqual([pair(endpoint, e)]);
    expect((await getMessage(u2, messageOf(e).id))?.dispatched).toBe(true);
  });

  it("an erased user's events are neither stored nor queued", async () => {
    const gone = await newUserId();
    const ofGone = await createEndpoint(OWNER, { ...fields, user_id: gone });
    await tombstoneUser(gone);
    const e = event('workout.created', gone);
    await runFanout([e]);
    expect(queue.take()).toEqual([]);
    expect(await getMessage(gone, messageIdOf(e.id))).toBeUndefined();
    await updateEndpoint(OWNER, ofGone.id, { disabled: true });
  });

  it('OUTGOING_WEBHOOKS_ENABLED=false queues nothing; the bus still gets the events', async () => {
    setEnv({ OUTGOING_WEBHOOKS_ENABLED: 'false' });
    try {
      const e = event('workout.created', u2);
      await runFanout([e]);
      expect(queue.take()).toEqual([]);
      expect(await getMessage(u2, messageIdOf(e.id))).toBeUndefined();
      const entries = await readRecordedBusEntries();
      expect(entries.find((entry) => JSON.parse(entry.Detail!).id === e.id)).toMatchObject({
        Source: 'open-wearables',
        DetailType: 'workout.created',
      });
    } finally {
      setEnv({ OUTGOING_WEBHOOKS_ENABLED: undefined });
    }
  });
});

describe('sinks', () => {
  it('a failing sink fails the job only once the others are done (no redelivery racing a write)', async () => {
    const endpoint = await createEndpoint(OWNER, { ...fields, user_id: u1 });
    // A file where the object folder should be: recording the bus put fails at once.
    const notAFolder = join(objects, 'not-a-folder');
    await writeFile(notAFolder, '');
    setEnv({ OBJECTS_DIR: notAFolder });
    try {
      const e = event('workout.created', u1);
      const response = await handler(
        sqsEvent(packEvents([e]), 'delivery-events'),
        lambdaContext('event-fanout'),
      );
      expect(response?.batchItemFailures).toHaveLength(1);
      // The webhooks sink had finished: the message was queued and marked dispatched before the job failed.
      expect(pairs(queue.take())).toEqual([pair(endpoint, e)]);
      expect((await getMessage(u1, messageIdOf(e.id)))?.dispatched).toBe(true);
    } finally {
      setEnv({ OBJECTS_DIR: objects });
      await updateEndpoint(OWNER, endpoint.id, { disabled: true });
    }
  });
});

describe('decoding', () => {
  it('drops what cannot be read instead of failing the job forever', async () => {
    const valid = event('workout.created', u1);
    const gz = (value: unknown) => gzipSync(JSON.stringify(value)).toString('base64');
    expect(decodeEvents({ gz: Buffer.from('not gzip').toString('base64') })).toEqual([]);
    expect(decodeEvents({ gz: gz({ not: 'a list' }) })).toEqual([]);
    expect(decodeEvents({ gz: gz([valid, { ...valid, userId: 'not-a-uuid' }, { id: '' }]) })).toEqual([
      valid,
    ]);
    const response = await handler(
      sqsEvent([JSON.stringify({ gz: gz([{ id: 'x' }]) }), 'not json'], 'delivery-events'),
      lambdaContext('event-fanout'),
    );
    expect(response?.batchItemFailures).toEqual([]);
  });
});
