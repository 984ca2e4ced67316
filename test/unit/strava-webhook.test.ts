import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  parseStravaEvent,
  stravaChallenge,
  stravaVerify,
  stravaWebhook,
} from '#shared/providers/strava/webhook.js';
import type { WebhookSettings } from '#shared/providers/types.js';
import { WebhookRejected, type WebhookRequest } from '#shared/providers/webhook-types.js';
import { STRAVA_CREATE as CREATE, STRAVA_DEAUTH as DEAUTH } from '#test/fixtures/strava-events.js';

const NOW = Date.UTC(2024, 0, 15, 9, 1);
const TOKEN = 'a-verify-token';

const settings: WebhookSettings = (name) =>
  ({ STRAVA_WEBHOOK_VERIFY_TOKEN: TOKEN, STRAVA_CLIENT_ID: '1', STRAVA_CLIENT_SECRET: 's' })[name];

const request = (
  query: Record<string, string | undefined> = {},
  headers: Record<string, string | undefined> = {},
): WebhookRequest => ({ method: 'GET', headers, query, body: Buffer.alloc(0), now: NOW });

const rejection = (work: () => unknown): { status: number; detail: string } | null => {
  try {
    work();
    return null;
  } catch (error) {
    if (!(error instanceof WebhookRejected)) throw error;
    return { status: error.status, detail: error.detail };
  }
};

describe('strava challenge', () => {
  const query = {
    'hub.mode': 'subscribe',
    'hub.challenge': '15f7d1a91c1f40f8a748fd134752feb3',
    'hub.verify_token': TOKEN,
  };

  it('echoes the challenge for the right mode and token', () => {
    expect(stravaChallenge(request(query), settings)).toEqual({
      status: 200,
      body: { 'hub.challenge': '15f7d1a91c1f40f8a748fd134752feb3' },
    });
    expect(stravaWebhook.challenge).toBe(stravaChallenge);
  });

  it('refuses another mode (400), another token (403), no token configured (403), no challenge (400)', () => {
    expect(
      rejection(() => stravaChallenge(request({ ...query, 'hub.mode': 'unsubscribe' }), settings)),
    ).toEqual({
      status: 400,
      detail: 'Invalid hub.mode',
    });
    expect(
      rejection(() => stravaChallenge(request({ ...query, 'hub.mode': undefined }), settings))?.status,
    ).toBe(400);
    expect(
      rejection(() => stravaChallenge(request({ ...query, 'hub.verify_token': 'nope' }), settings)),
    ).toEqual({
      status: 403,
      detail: 'Invalid verify token',
    });
    expect(
      rejection(() => stravaChallenge(request({ ...query, 'hub.verify_token': undefined }), settings))
        ?.status,
    ).toBe(403);
    expect(rejection(() => stravaChallenge(request(query), () => undefined))?.status).toBe(403);
    expect(rejection(() => stravaChallenge(request(query), () => ''))?.status).toBe(403);
    expect(
      rejection(() => stravaChallenge(request({ ...query, 'hub.challenge': undefined }), settings))?.status,
    ).toBe(400);
  });

  it('rejects any other token (property)', () => {
    fc.assert(
      fc.property(fc.string(), (token) => {
        fc.pre(token !== TOKEN);
        expect(
          rejection(() => stravaChallenge(request({ ...query, 'hub.verify_token': token }), settings)),
        ).toEqual({
          status: 403,
          detail: 'Invalid verify token',
        });
      }),
    );
  });
});

describe('strava verify', () => {
  const post = (signature?: string) => request({}, { 'x-strava-signature': signature });
  const seconds = Math.floor(NOW / 1000);

  it('accepts unsigned events (Strava signs none)', () => {
    expect(() => stravaVerify(post(), settings)).not.toThrow();
  });

  it('accepts a signature whose time is within 300 s, either way', () => {
    for (const t of [seconds, seconds - 300, seconds + 300, seconds - 1]) {
      expect(() => stravaVerify(post(`t=${t},v1=abcdef`), settings)).not.toThrow();
    }
    expect(() => stravaVerify(post(`v1=abcdef, t=${seconds}`), settings)).not.toThrow();
  });

  it('refuses a stale, future or unreadable signature with 401', () => {
    for (const header of [
      `t=${seconds - 301},v1=ab`,
      `t=${seconds + 301},v1=ab`,
      'v1=ab',
      't=,v1=ab',
      't=abc',
      '',
    ]) {
      expect(rejection(() => stravaVerify(post(header), settings))).toEqual({
        status: 401,
        detail: 'Invalid webhook signature',
      });
    }
  });

  it('holds for any time offset (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -100_000, max: 100_000 }), (offset) => {
        const outcome = rejection(() => stravaVerify(post(`t=${seconds + offset},v1=00`), settings));
        expect(outcome === null).toBe(Math.abs(NOW / 1000 - (seconds + offset)) <= 300);
      }),
    );
  });
});

describe('strava verify: the subscription id', () => {
  const SUBSCRIPTION = '120475';
  const withSubscription: WebhookSettings = (name) =>
    name === 'STRAVA_SUBSCRIPTION_ID' ? SUBSCRIPTION : settings(name);
  const event = (body: unknown): WebhookRequest => ({
    method: 'POST',
    headers: {},
    query: {},
    body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
    now: NOW,
  });

  it('is a setting the ingress resolves for the verifier', () => {
    expect(stravaWebhook.settings).toContain('STRAVA_SUBSCRIPTION_ID');
  });

  it('accepts an event of our subscription (number or string), and any when none is configured', () => {
    expect(() => stravaVerify(event(CREATE), withSubscription)).not.toThrow();
    expect(() =>
      stravaVerify(event({ ...CREATE, subscription_id: '120475' }), withSubscription),
    ).not.toThrow();
    expect(() => stravaVerify(event({ ...CREATE, subscription_id: 999 }), settings)).not.toThrow();
    expect(() => stravaVerify(event({ ...CREATE, subscription_id: 999 }), () => '')).not.toThrow();
  });

  it('refuses an event of another subscription with 401', () => {
    for (const other of [999, '120476', 0, '0120475']) {
      expect(
        rejection(() => stravaVerify(event({ ...CREATE, subscription_id: other }), withSubscription)),
      ).toEqual({ status: 401, detail: 'Invalid webhook signature' });
    }
  });

  it('does not throw for a body that is not JSON (the ingress answers 400 for it)', () => {
    for (const body of ['not json', '', '{"object_type":', '\u0000']) {
      expect(() => stravaVerify(event(body), withSubscription)).not.toThrow();
    }
  });

  it('leaves an event without a readable subscription id to parse, which answers 400', () => {
    for (const body of [
      [1, 2],
      null,
      'text',
      { ...CREATE, subscription_id: undefined },
      { ...CREATE, subscription_id: 'x' },
    ]) {
      expect(() => stravaVerify(event(JSON.stringify(body)), withSubscription)).not.toThrow();
      expect(rejection(() => parseStravaEvent(body))?.status).toBe(400);
    }
  });
});

describe('strava parse', () => {
  it('turns the providers.md example into one notification of its athlete', () => {
    expect(parseStravaEvent(CREATE)).toEqual([
      {
        providerUserId: '134815',
        kind: 'activity.create',
        payload: { ...CREATE, object_id: '10349817350', owner_id: '134815', subscription_id: '120475' },
      },
    ]);
    expect(parseStravaEvent(DEAUTH)[0]).toMatchObject({ providerUserId: '134815', kind: 'athlete.update' });
    expect(
      parseStravaEvent({ ...CREATE, object_id: '10349817350', updates: undefined })[0]!.payload,
    ).toMatchObject({
      object_id: '10349817350',
      updates: {},
    });
  });

  it('takes updates of up to 10 scalar values of up to 256 characters', () => {
    const updates = {
      title: 'x'.repeat(256),
      type: 'Ride',
      private: 'true',
      authorized: false,
      count: 3,
      ...Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`k${i}`, 'v'])),
    };
    expect(parseStravaEvent({ ...CREATE, updates })[0]!.payload).toMatchObject({ updates });
  });

  it('parses its own payload again (the worker re-parses the queued body)', () => {
    const [first] = parseStravaEvent(CREATE);
    expect(parseStravaEvent(first!.payload)).toEqual([first]);
  });

  it.each([
    ['not an object', 'event'],
    ['an array', [CREATE]],
    ['null', null],
    ['an unknown object_type', { ...CREATE, object_type: 'club' }],
    ['an unknown aspect_type', { ...CREATE, aspect_type: 'upsert' }],
    ['a missing owner', { ...CREATE, owner_id: undefined }],
    ['a negative id', { ...CREATE, object_id: -1 }],
    ['a fractional id', { ...CREATE, object_id: 1.5 }],
    ['a non-numeric id', { ...CREATE, owner_id: '13a' }],
    ['a missing event_time', { ...CREATE, event_time: undefined }],
    ['updates not an object', { ...CREATE, updates: 'x' }],
    [
      'updates with more than 10 keys',
      { ...CREATE, updates: Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, 'v'])) },
    ],
    ['an update value longer than 256 characters', { ...CREATE, updates: { title: 'x'.repeat(257) } }],
    ['an update key longer than 256 characters', { ...CREATE, updates: { ['k'.repeat(257)]: 'v' } }],
    ['an update value that is an object', { ...CREATE, updates: { title: { nested: 'x' } } }],
    ['an update value that is a list', { ...CREATE, updates: { title: ['x'] } }],
    ['an update value that is null', { ...CREATE, updates: { title: null } }],
  ])('refuses %s with 400', (_, body) => {
    expect(rejection(() => parseStravaEvent(body))).toEqual({ status: 400, detail: 'Invalid JSON body' });
  });
});
