import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { resetEnvCache } from '#shared/config/env.js';
import { HttpError } from '#shared/http/errors.js';
import { QUEUES, type QueueName } from '#shared/jobs/queues.js';
import type { WebhookRequest } from '#shared/providers/webhook-types.js';
import { answerChallenge, receiveWebhook } from '#shared/webhooks/ingress.js';
import { INLINE_BYTES, loadWebhook, webhookMessage } from '#shared/webhooks/message.js';
import { drainQueue, useLocalQueues } from '#test/helpers/local-queues.js';

/**
 * The ingress alone (shared/webhooks/ingress.ts) against a real local SQS: what is verified is queued byte for
 * byte, what is refused is never queued.
 */
const queues = useLocalQueues();
const GARMIN_CLIENT_ID = 'garmin-client-0123';
const VERIFY_TOKEN = 'strava-verify-token';
let objectsDir: string;

beforeAll(async () => {
  objectsDir = await mkdtemp(join(tmpdir(), 'webhook-bodies-'));
  Object.assign(process.env, {
    GARMIN_CLIENT_ID,
    STRAVA_WEBHOOK_VERIFY_TOKEN: VERIFY_TOKEN,
    WEBHOOK_BODIES_BUCKET: 'webhook-bodies',
    OBJECTS_DIR: objectsDir,
  });
  resetEnvCache();
});

afterAll(async () => {
  await rm(objectsDir, { recursive: true, force: true });
});

/** Everything on a queue now (and gone from it). */
const drain = (queue: QueueName) => drainQueue(queues.get().urls[queue], (body) => body);

beforeEach(async () => {
  await drain('webhookGarmin');
  await drain('webhookStrava');
});

const request = (
  body: string | Buffer,
  headers: Record<string, string> = {},
  query: Record<string, string> = {},
  method: WebhookRequest['method'] = 'POST',
): WebhookRequest => ({
  method,
  headers,
  query,
  body: Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8'),
  now: Date.now(),
});

const garminPush = (userId = 'garmin-user-1') =>
  JSON.stringify({
    dailies: [
      {
        userId,
        summaryId: 'd-1',
        calendarDate: '2026-11-29',
        startTimeInSeconds: 1_764_374_400,
        steps: 9500,
      },
    ],
  });

async function refusal(work: Promise<unknown>) {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HttpError);
  return { status: (error as HttpError).statusCode, detail: (error as HttpError).detail };
}

describe('Garmin push verification', () => {
  it('queues a verified push byte for byte and answers accepted', async () => {
    // Unusual but valid JSON spacing and unicode: the stored body must be exactly what was signed and sent.
    const body = `${garminPush().replace(':', ' :  ')}  \n`;
    const answer = await receiveWebhook('garmin', request(body, { 'garmin-client-id': GARMIN_CLIENT_ID }));
    expect(answer).toEqual({ status: 200, body: { status: 'accepted' } });
    const messages = (await drain('webhookGarmin')).map((m) => webhookMessage.parse(m));
    expect(messages).toHaveLength(1);
    expect(messages[0]!.content).toBe(body);
    expect(messages[0]!.trace_id).toMatch(/^wh_[0-9a-f]{16}$/);
  });

  it.each([
    ['no client id header', {}],
    ['another client id', { 'garmin-client-id': 'someone-else' }],
    ['a prefix of ours', { 'garmin-client-id': GARMIN_CLIENT_ID.slice(0, -1) }],
  ])('refuses %s with 401 and queues nothing', async (_, headers) => {
    expect(await refusal(receiveWebhook('garmin', request(garminPush(), headers)))).toEqual({
      status: 401,
      detail: 'Invalid webhook signature',
    });
    expect(await drain('webhookGarmin')).toEqual([]);
  });

  it('refuses any altered client id (property: a flipped byte never verifies)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: GARMIN_CLIENT_ID.length - 1 }),
        fc.integer({ min: 1, max: 255 }),
        async (i, x) => {
          const bytes = Buffer.from(GARMIN_CLIENT_ID);
          bytes[i] = bytes[i]! ^ x;
          const headers = { 'garmin-client-id': bytes.toString('latin1') };
          const outcome = await refusal(receiveWebhook('garmin', request(garminPush(), headers)));
          return outcome.status === 401;
        },
      ),
      { numRuns: 40 },
    );
    expect(await drain('webhookGarmin')).toEqual([]);
  });

  it.each([
    ['a body that is not JSON', '{"dailies": [', 'Invalid JSON body'],
    ['an array', '[1, 2]', 'Invalid JSON body'],
    ['a summary type that is not a list', '{"dailies": {"userId": "x"}}', 'Invalid JSON body'],
  ])('answers %s with 400 and queues nothing', async (_, body, detail) => {
    expect(
      await refusal(receiveWebhook('garmin', request(body, { 'garmin-client-id': GARMIN_CLIENT_ID }))),
    ).toEqual({ status: 400, detail });
    expect(await drain('webhookGarmin')).toEqual([]);
  });

  it('checks the signature before the body: a bad body without the header is a 401', async () => {
    expect((await refusal(receiveWebhook('garmin', request('not json')))).status).toBe(401);
  });

  it('keeps a body over the queue limit in the bucket, the message pointing at it', async () => {
    const items = Array.from({ length: 3_000 }, (_, i) => ({
      userId: 'garmin-user-1',
      summaryId: `e-${i}`,
      startTimeInSeconds: 1_764_374_400 + i * 900,
      steps: i,
    }));
    const body = JSON.stringify({ epochs: items });
    expect(body.length).toBeGreaterThan(INLINE_BYTES);
    await receiveWebhook('garmin', request(body, { 'garmin-client-id': GARMIN_CLIENT_ID }));
    const [message] = (await drain('webhookGarmin')).map((m) => webhookMessage.parse(m));
    expect(message!.content).toBeUndefined();
    expect(message!.object_key).toMatch(/^garmin\//);
    expect(await loadWebhook(message!)).toBe(body);
  });
});

it('measures the message as sent: a body of quotes, small raw but doubled by escaping, goes to the bucket', async () => {
  const body = JSON.stringify({
    activities: [{ userId: 'garmin-user-1', activityId: 1, activityName: '"'.repeat(110_000) }],
  });
  expect(body.length).toBeLessThan(INLINE_BYTES * 1.2);
  await receiveWebhook('garmin', request(body, { 'garmin-client-id': GARMIN_CLIENT_ID }));
  const [message] = (await drain('webhookGarmin')).map((m) => webhookMessage.parse(m));
  expect(message!.object_key).toBeDefined();
  expect(await loadWebhook(message!)).toBe(body);
});

describe('providers and methods without a handler', () => {
  it('answers an unknown provider with 404 and the contract text', async () => {
    expect(await refusal(receiveWebhook('nope', request('{}')))).toEqual({
      status: 404,
      detail: "Unknown provider: 'nope'",
    });
  });

  it('answers a provider without webhooks with 501 naming its capabilities', async () => {
    const { status, detail } = await refusal(receiveWebhook('fitbit', request('{}')));
    expect(status).toBe(501);
    expect(detail).toMatch(
      /^Provider 'fitbit' has not implemented a webhook handler yet\. Capabilities: rest_pull=true/,
    );
  });

  it('answers a GET challenge for Garmin (which has none) with 501', async () => {
    expect(await refusal(answerChallenge('garmin', request('', {}, {}, 'GET')))).toEqual({
      status: 501,
      detail: "Provider 'garmin' does not support webhook subscription verification via GET.",
    });
  });
});

describe('Strava', () => {
  const challenge = (query: Record<string, string>) =>
    answerChallenge('strava', request('', {}, query, 'GET'));

  it('answers the subscription challenge with the verify token', async () => {
    expect(
      await challenge({ 'hub.mode': 'subscribe', 'hub.challenge': 'c-42', 'hub.verify_token': VERIFY_TOKEN }),
    ).toEqual({ status: 200, body: { 'hub.challenge': 'c-42' } });
  });

  it('refuses a wrong token (403) and a wrong mode (400)', async () => {
    expect(
      await refusal(
        challenge({ 'hub.mode': 'subscribe', 'hub.challenge': 'c', 'hub.verify_token': 'guess' }),
      ),
    ).toEqual({ status: 403, detail: 'Invalid verify token' });
    expect(
      await refusal(
        challenge({ 'hub.mode': 'unsubscribe', 'hub.challenge': 'c', 'hub.verify_token': VERIFY_TOKEN }),
      ),
    ).toEqual({ status: 400, detail: 'Invalid hub.mode' });
  });

  it('queues an event as Strava sends it (no signature header)', async () => {
    const event = JSON.stringify({
      object_type: 'activity',
      object_id: 10349817350,
      aspect_type: 'create',
      updates: {},
      owner_id: 134815,
      subscription_id: 120475,
      event_time: 1705309260,
    });
    expect(await receiveWebhook('strava', request(event))).toEqual({
      status: 200,
      body: { status: 'accepted' },
    });
    const messages = await drain('webhookStrava');
    expect(messages).toHaveLength(1);
    expect(webhookMessage.parse(messages[0]).content).toBe(event);
  });

  it('refuses an event of the wrong shape with 400 and queues nothing', async () => {
    const bad = JSON.stringify({ object_type: 'club', object_id: 1, aspect_type: 'create', owner_id: 1 });
    expect((await refusal(receiveWebhook('strava', request(bad)))).status).toBe(400);
    expect(await drain('webhookStrava')).toEqual([]);
  });
});

it('keeps the registry queues this test drains', () => {
  expect(QUEUES.webhookGarmin.worker).toBe('webhook-worker');
  expect(QUEUES.webhookStrava.worker).toBe('webhook-worker');
});
