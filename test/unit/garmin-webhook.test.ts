import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { garminModule } from '#shared/providers/garmin/index.js';
import { garminUserId } from '#shared/providers/garmin/webhook.js';
import {
  type WebhookProvider,
  WebhookRejected,
  type WebhookRequest,
} from '#shared/providers/webhook-types.js';

const webhook = garminModule.webhook as WebhookProvider;
const CLIENT_ID = 'f3b1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d';

const request = (headers: Record<string, string | undefined>): WebhookRequest => ({
  method: 'POST',
  headers,
  query: {},
  body: Buffer.from('{}'),
  now: Date.now(),
});

const settingsWith =
  (value: string | undefined) =>
  (name: string): string | undefined =>
    name === 'GARMIN_CLIENT_ID' ? value : undefined;

const rejection = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return error;
  }
  return null;
};

const isUnauthorized = (error: unknown) =>
  error instanceof WebhookRejected && error.status === 401 && error.detail === 'Invalid webhook signature';

describe('garmin webhook verify', () => {
  it('accepts the exact client id', () => {
    expect(() =>
      webhook.verify(request({ 'garmin-client-id': CLIENT_ID }), settingsWith(CLIENT_ID)),
    ).not.toThrow();
  });

  it('rejects a missing header, a wrong one, or an unconfigured client id with 401', () => {
    expect(isUnauthorized(rejection(() => webhook.verify(request({}), settingsWith(CLIENT_ID))))).toBe(true);
    expect(
      isUnauthorized(
        rejection(() => webhook.verify(request({ 'garmin-client-id': '' }), settingsWith(CLIENT_ID))),
      ),
    ).toBe(true);
    expect(
      isUnauthorized(
        rejection(() => webhook.verify(request({ 'garmin-client-id': 'anything' }), settingsWith(undefined))),
      ),
    ).toBe(true);
    expect(
      isUnauthorized(rejection(() => webhook.verify(request({ 'garmin-client-id': '' }), settingsWith('')))),
    ).toBe(true);
  });

  it('accepts the exact value and rejects any change of it (property)', () => {
    const change = (id: string) =>
      fc.oneof(
        // a flipped bit of one character (ASCII stays ASCII)
        fc
          .tuple(fc.nat({ max: id.length - 1 }), fc.integer({ min: 0, max: 6 }))
          .map(
            ([i, bit]) =>
              id.slice(0, i) + String.fromCharCode(id.charCodeAt(i) ^ (1 << bit)) + id.slice(i + 1),
          ),
        // truncation
        fc.nat({ max: id.length - 1 }).map((n) => id.slice(0, n)),
        // extension
        fc.string({ minLength: 1 }).map((tail) => id + tail),
        fc.string({ minLength: 1 }).map((head) => head + id),
        // anything else
        fc.string().filter((other) => other !== id),
      );
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 64 }).chain((id) => fc.tuple(fc.constant(id), change(id))),
        ([id, header]) => {
          expect(() => webhook.verify(request({ 'garmin-client-id': id }), settingsWith(id))).not.toThrow();
          expect(
            isUnauthorized(
              rejection(() => webhook.verify(request({ 'garmin-client-id': header }), settingsWith(id))),
            ),
          ).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('garmin webhook parse', () => {
  it('groups items by userId across summary types, types in processing order', () => {
    const notifications = webhook.parse({
      sleeps: [{ userId: 'b', summaryId: 's1' }],
      dailies: [
        { userId: 'a', summaryId: 'd1' },
        { userId: 'b', summaryId: 'd2' },
        { summaryId: 'no user' },
        'junk',
      ],
      activities: [{ userId: 'a', activityId: 1 }],
      deregistrations: [{ userId: 'c' }],
      userPermissionsChange: [{ userId: 'a', permissions: ['HEALTH_EXPORT'] }],
      somethingNew: 'ignored',
    });
    expect(notifications).toEqual([
      {
        providerUserId: 'a',
        kind: 'activities,dailies,permissions',
        payload: {
          activities: [{ userId: 'a', activityId: 1 }],
          dailies: [{ userId: 'a', summaryId: 'd1' }],
          userPermissionsChange: [{ userId: 'a', permissions: ['HEALTH_EXPORT'] }],
        },
      },
      {
        providerUserId: 'b',
        kind: 'dailies,sleeps',
        payload: { dailies: [{ userId: 'b', summaryId: 'd2' }], sleeps: [{ userId: 'b', summaryId: 's1' }] },
      },
      { providerUserId: 'c', kind: 'deregistration', payload: { deregistrations: [{ userId: 'c' }] } },
    ]);
  });

  it('keeps only items whose userId is 1..128 characters of [A-Za-z0-9_-] (or a non-negative integer)', () => {
    const valid = ['4aacafe82427c251df9c9592d0c06768', 'a', 'A_b-9', 'x'.repeat(128), 12345, 0];
    const invalid = [
      '',
      ' a',
      'a b',
      'a/b',
      '../a',
      'a?b',
      'a%2F',
      'ü',
      'x'.repeat(129),
      -1,
      1.5,
      2 ** 53,
      true,
      null,
      { id: 'a' },
      ['a'],
    ];
    const notifications = webhook.parse({
      dailies: [...valid, ...invalid].map((userId, i) => ({ userId, summaryId: `d${i}` })),
    }) as Array<{ providerUserId: string }>;
    expect(notifications.map((n) => n.providerUserId)).toEqual(valid.map(String));
    for (const userId of invalid) expect(garminUserId(userId)).toBeNull();
  });

  it('groups a large body in linear time (30,000 items of one user)', () => {
    const dailies = Array.from({ length: 30_000 }, (_, i) => ({ userId: 'a', summaryId: `d${i}` }));
    const started = performance.now();
    const [notification] = webhook.parse({ dailies }) as Array<{ payload: { dailies: unknown[] } }>;
    // Copying the list per item (quadratic) takes seconds here; appending takes milliseconds.
    expect(performance.now() - started).toBeLessThan(500);
    expect(notification?.payload.dailies).toHaveLength(30_000);
    expect(notification?.payload.dailies[29_999]).toBe(dailies[29_999]);
  });

  it('returns nothing for a body without known keys', () => {
    expect(webhook.parse({})).toEqual([]);
    expect(webhook.parse({ other: [{ userId: 'a' }] })).toEqual([]);
  });

  it.each([
    [null],
    [[]],
    ['text'],
    [42],
    [{ dailies: { userId: 'a' } }],
    [{ sleeps: null }],
  ])('rejects %j with 400', (body) => {
    const error = rejection(() => webhook.parse(body));
    expect(error).toBeInstanceOf(WebhookRejected);
    expect(error).toMatchObject({ status: 400, detail: 'Invalid JSON body' });
  });
});
