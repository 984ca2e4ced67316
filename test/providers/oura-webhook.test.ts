import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProviderRequestError } from '#shared/providers/http.js';
import {
  handleOuraEvent,
  ouraChallenge,
  ouraVerify,
  parseOuraEvent,
} from '#shared/providers/oura/webhook.js';
import {
  type WebhookNotification,
  WebhookRejected,
  type WebhookRequest,
} from '#shared/providers/webhook-types.js';
import { recordingContext } from '#test/helpers/notification-context.js';
import { flipByte, signedBodyCase } from '#test/helpers/tampering.js';

const SECRET = 'oura-client-secret';
const TOKEN = 'oura-verification-token';
const settings = (name: string) =>
  ({ OURA_CLIENT_SECRET: SECRET, OURA_WEBHOOK_VERIFICATION_TOKEN: TOKEN })[name];
const NOW = Date.UTC(2024, 0, 15, 8);

const EVENT = {
  event_type: 'create',
  data_type: 'sleep',
  user_id: 'oura-user-123',
  object_id: '8f9a5221-639e-4a10-8a3b-4a3c5b1d6e70',
  event_time: '2024-01-15T08:00:00+00:00',
};

const sign = (key: string, timestamp: string, body: Buffer) =>
  createHmac('sha256', key)
    .update(Buffer.concat([Buffer.from(timestamp), body]))
    .digest('hex')
    .toUpperCase();

function signed(body: Buffer, options: { key?: string; timestamp?: string } = {}): WebhookRequest {
  const timestamp = options.timestamp ?? String(NOW / 1000);
  return {
    method: 'POST',
    headers: {
      'x-oura-timestamp': timestamp,
      'x-oura-signature': sign(options.key ?? SECRET, timestamp, body),
    },
    query: {},
    body,
    now: NOW,
  };
}

const rejection = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    if (error instanceof WebhookRejected) return error.status;
    throw error;
  }
  return null;
};

describe('oura challenge', () => {
  const request = (query: Record<string, string>): WebhookRequest => ({
    method: 'GET',
    headers: {},
    query,
    body: Buffer.alloc(0),
    now: NOW,
  });

  it('echoes the challenge when the verification token matches', () => {
    expect(ouraChallenge(request({ verification_token: TOKEN, challenge: 'abc' }), settings)).toEqual({
      status: 200,
      body: { challenge: 'abc' },
    });
  });

  it('refuses another token (401), or any token when none is configured', () => {
    expect(
      rejection(() => ouraChallenge(request({ verification_token: 'nope', challenge: 'a' }), settings)),
    ).toBe(401);
    expect(rejection(() => ouraChallenge(request({ challenge: 'a' }), settings))).toBe(401);
    expect(
      rejection(() => ouraChallenge(request({ verification_token: '', challenge: 'a' }), () => undefined)),
    ).toBe(401);
    expect(rejection(() => ouraChallenge(request({ verification_token: TOKEN }), settings))).toBe(400);
  });
});

describe('oura signature', () => {
  const body = Buffer.from(JSON.stringify(EVENT));

  it('accepts the upper-case hex HMAC of timestamp + raw body, and lower case too', () => {
    expect(() => ouraVerify(signed(body), settings)).not.toThrow();
    const lower = signed(body);
    const headers = {
      ...lower.headers,
      'x-oura-signature': lower.headers['x-oura-signature']!.toLowerCase(),
    };
    expect(() => ouraVerify({ ...lower, headers }, settings)).not.toThrow();
  });

  it('refuses another key, a missing header, a stale or future timestamp, or an unset secret', () => {
    expect(rejection(() => ouraVerify(signed(body, { key: 'other' }), settings))).toBe(401);
    expect(rejection(() => ouraVerify({ ...signed(body), headers: {} }, settings))).toBe(401);
    expect(rejection(() => ouraVerify(signed(body, { timestamp: String(NOW / 1000 - 301) }), settings))).toBe(
      401,
    );
    expect(rejection(() => ouraVerify(signed(body, { timestamp: String(NOW / 1000 + 301) }), settings))).toBe(
      401,
    );
    expect(rejection(() => ouraVerify(signed(body, { timestamp: '2024-01-15' }), settings))).toBe(401);
    expect(rejection(() => ouraVerify(signed(body), () => undefined))).toBe(401);
    expect(() => ouraVerify(signed(body, { timestamp: String(NOW / 1000 - 299) }), settings)).not.toThrow();
  });

  it('the signature covers the timestamp: a replayed body with a new timestamp fails', () => {
    const original = signed(body, { timestamp: String(NOW / 1000 - 1000) });
    const replay = { ...original, headers: { ...original.headers, 'x-oura-timestamp': String(NOW / 1000) } };
    expect(rejection(() => ouraVerify(replay, settings))).toBe(401);
  });

  it('property: any body under any secret verifies, and flipping any byte of it fails', () => {
    fc.assert(
      fc.property(signedBodyCase, ({ body: raw, secret, position, mask }) => {
        const keyed = (name: string) => (name === 'OURA_CLIENT_SECRET' ? secret : undefined);
        const request = signed(raw, { key: secret });
        expect(() => ouraVerify(request, keyed)).not.toThrow();
        const tampered = flipByte(raw, position, mask);
        expect(rejection(() => ouraVerify({ ...request, body: tampered }, keyed))).toBe(401);
      }),
    );
  });
});

describe('oura notifications', () => {
  it('one notification for the Oura user, kind <data_type>.<event_type>', () => {
    expect(parseOuraEvent(EVENT)).toEqual([
      { providerUserId: 'oura-user-123', kind: 'sleep.create', payload: EVENT },
    ]);
  });

  it('a data type we do not store is acknowledged without work', () => {
    expect(parseOuraEvent({ ...EVENT, data_type: 'tag' })).toEqual([]);
  });

  it('property: any JSON value is one notification, none, or a 400; never another error', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.jsonValue(),
          fc.record(
            {
              event_type: fc.oneof(fc.constantFrom('create', 'update', 'delete'), fc.jsonValue()),
              data_type: fc.oneof(fc.constantFrom('sleep', 'vo2_max', 'tag'), fc.string()),
              object_id: fc.oneof(fc.uuid(), fc.string()),
              user_id: fc.oneof(fc.string(), fc.integer()),
            },
            { requiredKeys: [] },
          ),
        ),
        (body) => {
          let parsed: WebhookNotification[] = [];
          const status = rejection(() => {
            parsed = parseOuraEvent(body);
          });
          expect([null, 400]).toContain(status);
          expect(parsed.length).toBeLessThanOrEqual(1);
          for (const n of parsed) expect(n.kind).toMatch(/^\w+\.(create|update|delete)$/);
        },
      ),
    );
  });

  it('a body of the wrong shape is a 400', () => {
    for (const body of [
      null,
      [],
      { ...EVENT, event_type: 'created' },
      { ...EVENT, object_id: '../personal_info' },
      { ...EVENT, user_id: '' },
      { ...EVENT, object_id: undefined },
    ])
      expect(rejection(() => parseOuraEvent(body))).toBe(400);
  });
});

const fakeContext = (documents: Record<string, unknown>) =>
  recordingContext(
    Object.fromEntries(Object.entries(documents).map(([path, document]) => [path, () => document])),
    { notFoundBody: '{"status":404,"title":"Not Found"}' },
  );

const notification = (event: object): WebhookNotification => parseOuraEvent(event)[0]!;

const SLEEP_PATH = `/v2/usercollection/sleep/${EVENT.object_id}`;
const SLEEP = {
  id: EVENT.object_id,
  day: '2024-01-15',
  type: 'long_sleep',
  bedtime_start: '2024-01-14T23:00:00+01:00',
  bedtime_end: '2024-01-15T07:00:00+01:00',
  lowest_heart_rate: 48,
};

describe('oura handle', () => {
  it('create: fetches the document by id and saves it', async () => {
    const fake = fakeContext({ [SLEEP_PATH]: SLEEP });
    expect(await handleOuraEvent(fake.context, notification(EVENT))).toEqual({
      samples: 1,
      events: 1,
      scores: 0,
      skipped: 0,
    });
    expect(fake.calls).toEqual([SLEEP_PATH]);
    expect(fake.saved[0]!.events[0]).toMatchObject({
      externalId: EVENT.object_id,
      start: Date.UTC(2024, 0, 14, 22),
    });
  });

  it('vo2_max notifications read the vO2_max collection; day documents save samples and scores', async () => {
    const fake = fakeContext({
      '/v2/usercollection/vO2_max/v1': { id: 'v1', day: '2024-01-15', vo2_max: 44 },
      '/v2/usercollection/daily_readiness/r1': {
        id: 'r1',
        day: '2024-01-15',
        score: 80,
        temperature_deviation: 0.1,
      },
    });
    expect(
      await handleOuraEvent(fake.context, notification({ ...EVENT, data_type: 'vo2_max', object_id: 'v1' })),
    ).toMatchObject({ samples: 1, skipped: 0 });
    expect(
      await handleOuraEvent(
        fake.context,
        notification({ ...EVENT, data_type: 'daily_readiness', object_id: 'r1' }),
      ),
    ).toMatchObject({ samples: 1, scores: 1 });
    expect(fake.calls).toEqual(['/v2/usercollection/vO2_max/v1', '/v2/usercollection/daily_readiness/r1']);
  });

  it('a document gone (404) or of another id is skipped, not saved', async () => {
    const gone = fakeContext({});
    expect(await handleOuraEvent(gone.context, notification(EVENT))).toMatchObject({ skipped: 1 });
    const other = fakeContext({ [SLEEP_PATH]: { ...SLEEP, id: 'someone-else' } });
    expect(await handleOuraEvent(other.context, notification(EVENT))).toMatchObject({ skipped: 1 });
    expect([...gone.saved, ...other.saved]).toEqual([]);
  });

  it('delete removes the workout or sleep of that id; a day document has nothing to remove', async () => {
    const fake = fakeContext({});
    await handleOuraEvent(fake.context, notification({ ...EVENT, event_type: 'delete' }));
    await handleOuraEvent(
      fake.context,
      notification({ ...EVENT, event_type: 'delete', data_type: 'workout' }),
    );
    expect(
      await handleOuraEvent(
        fake.context,
        notification({ ...EVENT, event_type: 'delete', data_type: 'daily_sleep' }),
      ),
    ).toEqual({ samples: 0, events: 0, scores: 0, skipped: 0 });
    expect(fake.removed).toEqual([`sleep:${EVENT.object_id}`, `workout:${EVENT.object_id}`]);
    expect(fake.calls).toEqual([]);
  });

  it('an update turning a session into a rest period removes the stored sleep', async () => {
    const fake = fakeContext({ [SLEEP_PATH]: { ...SLEEP, type: 'rest' } });
    await handleOuraEvent(fake.context, notification({ ...EVENT, event_type: 'update' }));
    expect(fake.removed).toEqual([`sleep:${EVENT.object_id}`]);
    expect(fake.saved).toEqual([]);
  });

  it('provider failures other than 404 propagate (the worker retries them)', async () => {
    const fake = fakeContext({});
    fake.context.get = async () => {
      throw new ProviderRequestError(500, 'boom');
    };
    await expect(handleOuraEvent(fake.context, notification(EVENT))).rejects.toThrow(ProviderRequestError);
  });
});
