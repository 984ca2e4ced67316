import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { garminModule } from '#shared/providers/garmin/index.js';
import { ProviderRequestError, TransientProviderError } from '#shared/providers/http.js';
import {
  type NotificationContext,
  type PullResult,
  type WebhookNotification,
  type WebhookProvider,
  WebhookRejected,
  type WebhookRequest,
} from '#shared/providers/types.js';

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

function fakeContext(answers: Record<string, unknown> = {}) {
  const calls = {
    saved: [] as PullResult[],
    revoked: [] as string[],
    scopes: [] as string[],
    arrived: [] as string[][],
    gets: [] as string[],
  };
  const context: NotificationContext = {
    userId: 'our-user',
    scope: null,
    get: async (url) => {
      calls.gets.push(url);
      const answer = answers[url];
      if (answer instanceof Error) throw answer;
      return answer;
    },
    save: async (result) => {
      calls.saved.push(result);
    },
    removeEvent: async () => false,
    revoke: async (reason) => {
      calls.revoked.push(reason);
    },
    setScope: async (scope) => {
      calls.scopes.push(scope);
    },
    arrived: async (types) => {
      calls.arrived.push(types);
    },
  };
  return { context, calls };
}

const notification = (payload: Record<string, unknown[]>): WebhookNotification => ({
  providerUserId: 'g-user',
  kind: Object.keys(payload).join(','),
  payload,
});

const DAILY = {
  userId: 'g-user',
  summaryId: 'd1',
  startTimeInSeconds: 1705294800,
  startTimeOffsetInSeconds: -18000,
  steps: 9500,
  averageStressLevel: 35,
};

describe('garmin webhook handle', () => {
  it('revokes on a deregistration and does nothing else', async () => {
    const { context, calls } = fakeContext();
    const handled = await webhook.handle(
      context,
      notification({ deregistrations: [{ userId: 'g-user' }], dailies: [DAILY] }),
    );
    expect(handled).toEqual({ samples: 0, events: 0, scores: 0, skipped: 0 });
    expect(calls).toEqual({ saved: [], revoked: ['deregistration'], scopes: [], arrived: [], gets: [] });
  });

  it('sets the scope from a permissions change, sorted and space-joined', async () => {
    const { context, calls } = fakeContext();
    const handled = await webhook.handle(
      context,
      notification({
        userPermissionsChange: [
          { userId: 'g-user', permissions: ['HEALTH_EXPORT', 'ACTIVITY_EXPORT', 'HEALTH_EXPORT'] },
        ],
      }),
    );
    expect(calls.scopes).toEqual(['ACTIVITY_EXPORT HEALTH_EXPORT']);
    expect(calls.saved).toEqual([]);
    expect(calls.arrived).toEqual([]);
    expect(handled.skipped).toBe(0);
  });

  it('maps pushed items, saves once, reports the types that arrived, counts FIT files skipped', async () => {
    const { context, calls } = fakeContext();
    const handled = await webhook.handle(
      context,
      notification({
        dailies: [DAILY, { userId: 'g-user' }],
        activityFiles: [
          { userId: 'g-user', activityId: 1, fileType: 'FIT', callbackURL: 'https://apis.garmin.com/f' },
        ],
      }),
    );
    expect(handled).toEqual({ samples: 1, events: 0, scores: 1, skipped: 2 });
    expect(calls.gets).toEqual([]);
    expect(calls.saved).toHaveLength(1);
    expect(calls.saved[0]?.series[0]).toMatchObject({
      series: 'steps',
      samples: [{ value: 9500, isDailyTotal: true }],
    });
    expect(calls.arrived).toEqual([['activityFiles', 'dailies']]);
  });

  it('fetches ping items from their callbackURL (keyed object or bare list) and maps them', async () => {
    const sleepsUrl = 'https://apis.garmin.com/wellness-api/rest/sleeps?uploadStartTimeInSeconds=1&token=x';
    const dailiesUrl = 'https://apis.garmin.com/wellness-api/rest/dailies?uploadStartTimeInSeconds=1&token=y';
    const { context, calls } = fakeContext({
      [sleepsUrl]: {
        sleeps: [
          { userId: 'g-user', summaryId: 's1', startTimeInSeconds: 1705273200, durationInSeconds: 28800 },
          { userId: 'someone-else', summaryId: 's2', startTimeInSeconds: 1705273200, durationInSeconds: 100 },
        ],
      },
      [dailiesUrl]: [DAILY],
    });
    const handled = await webhook.handle(
      context,
      notification({
        sleeps: [{ userId: 'g-user', callbackURL: sleepsUrl }],
        dailies: [{ userId: 'g-user', callbackURL: dailiesUrl }],
      }),
    );
    expect(calls.gets).toEqual([dailiesUrl, sleepsUrl]);
    expect(handled).toEqual({ samples: 1, events: 1, scores: 1, skipped: 0 });
    expect(calls.saved).toHaveLength(1);
    expect(calls.saved[0]?.events[0]).toMatchObject({ category: 'sleep', externalId: 's1' });
    expect(calls.arrived).toEqual([['dailies', 'sleeps']]);
  });

  it('counts a refused callback as skipped and lets transient failures propagate', async () => {
    const gone = 'https://apis.garmin.com/wellness-api/rest/epochs?token=old';
    const { context, calls } = fakeContext({ [gone]: new ProviderRequestError(410, 'expired') });
    const handled = await webhook.handle(
      context,
      notification({ epochs: [{ userId: 'g-user', callbackURL: gone }] }),
    );
    expect(handled).toEqual({ samples: 0, events: 0, scores: 0, skipped: 1 });
    expect(calls.saved).toEqual([]);
    expect(calls.arrived).toEqual([['epochs']]);

    const flaky = fakeContext({ [gone]: new TransientProviderError('503') });
    await expect(
      webhook.handle(flaky.context, notification({ epochs: [{ userId: 'g-user', callbackURL: gone }] })),
    ).rejects.toBeInstanceOf(TransientProviderError);
    expect(flaky.calls.saved).toEqual([]);
  });

  it('handles a payload that is not an object as nothing', async () => {
    const { context, calls } = fakeContext();
    const handled = await webhook.handle(context, { providerUserId: 'g-user', kind: 'x', payload: 'junk' });
    expect(handled).toEqual({ samples: 0, events: 0, scores: 0, skipped: 0 });
    expect(calls.saved).toEqual([]);
  });
});
