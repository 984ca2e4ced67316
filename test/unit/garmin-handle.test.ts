import { describe, expect, it } from 'vitest';
import { PERMISSIONS_PATH, USER_ID_PATH } from '#shared/providers/garmin/identity.js';
import { garminModule } from '#shared/providers/garmin/index.js';
import { CALLBACK_PATHS, MAX_CALLBACKS } from '#shared/providers/garmin/ping.js';
import {
  ProviderRequestError,
  RateLimitedError,
  TransientProviderError,
  UnauthorizedError,
} from '#shared/providers/http.js';
import type { PullResult } from '#shared/providers/types.js';
import type {
  NotificationContext,
  WebhookNotification,
  WebhookProvider,
} from '#shared/providers/webhook-types.js';
import { GARMIN_SUMMARY_TYPES } from '#test/fakes/garmin-data.js';

const webhook = garminModule.webhook as WebhookProvider;
const API = 'https://apis.garmin.com';

/** A NotificationContext whose Garmin answers by URL (a value, or an error to throw), recording the calls. */
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
const SLEEP = { userId: 'g-user', summaryId: 's1', startTimeInSeconds: 1705273200, durationInSeconds: 28800 };

const callback = (endpoint: string, query = 'uploadStartTimeInSeconds=1&uploadEndTimeInSeconds=2&token=t') =>
  `${API}/wellness-api/rest/${endpoint}?${query}`;

describe('garmin deregistration (confirmed with the user token)', () => {
  it('revokes when Garmin refuses the token, and does nothing else', async () => {
    const { context, calls } = fakeContext({ [USER_ID_PATH]: new UnauthorizedError('revoked') });
    const handled = await webhook.handle(
      context,
      notification({ deregistrations: [{ userId: 'g-user' }], dailies: [DAILY] }),
    );
    expect(handled).toEqual({ samples: 0, events: 0, scores: 0, skipped: 0 });
    expect(calls).toEqual({
      saved: [],
      revoked: ['deregistration'],
      scopes: [],
      arrived: [],
      gets: [USER_ID_PATH],
    });
  });

  it('ignores a deregistration while the token still works (forged): skipped, the rest handled', async () => {
    const { context, calls } = fakeContext({ [USER_ID_PATH]: { userId: 'g-user' } });
    const handled = await webhook.handle(
      context,
      notification({ deregistrations: [{ userId: 'g-user' }], dailies: [DAILY] }),
    );
    expect(calls.revoked).toEqual([]);
    expect(handled).toEqual({ samples: 1, events: 0, scores: 1, skipped: 1 });
    expect(calls.saved).toHaveLength(1);
  });

  it('neither revokes nor ignores when Garmin cannot be asked: the error propagates', async () => {
    for (const error of [new TransientProviderError('503'), new ProviderRequestError(403, 'no')]) {
      const { context, calls } = fakeContext({ [USER_ID_PATH]: error });
      await expect(
        webhook.handle(context, notification({ deregistrations: [{ userId: 'g-user' }] })),
      ).rejects.toBe(error);
      expect(calls.revoked).toEqual([]);
    }
  });
});

describe('garmin permissions change (read from Garmin, not from the body)', () => {
  const change = notification({
    userPermissionsChange: [{ userId: 'g-user', permissions: ['HEALTH_EXPORT', 'HISTORICAL_DATA_EXPORT'] }],
  });

  it('sets the scope Garmin reports, sorted and space-joined, whatever the body says', async () => {
    const { context, calls } = fakeContext({
      [PERMISSIONS_PATH]: { permissions: ['HEALTH_EXPORT', 'ACTIVITY_EXPORT', 'HEALTH_EXPORT'] },
    });
    const handled = await webhook.handle(context, change);
    expect(calls.gets).toEqual([PERMISSIONS_PATH]);
    expect(calls.scopes).toEqual(['ACTIVITY_EXPORT HEALTH_EXPORT']);
    expect(handled).toEqual({ samples: 0, events: 0, scores: 0, skipped: 0 });
    expect(calls.arrived).toEqual([]);
  });

  it('counts it skipped when Garmin refuses the request or answers without a list', async () => {
    for (const answer of [new ProviderRequestError(403, 'no'), { permissions: 'all' }, null]) {
      const { context, calls } = fakeContext({ [PERMISSIONS_PATH]: answer });
      expect((await webhook.handle(context, change)).skipped).toBe(1);
      expect(calls.scopes).toEqual([]);
    }
  });

  it('lets other failures propagate (the notification is retried)', async () => {
    const { context } = fakeContext({ [PERMISSIONS_PATH]: new TransientProviderError('503') });
    await expect(webhook.handle(context, change)).rejects.toBeInstanceOf(TransientProviderError);
  });
});

describe('garmin pushed data', () => {
  it('maps pushed items, saves once, reports the types that produced data, counts FIT files skipped', async () => {
    const { context, calls } = fakeContext();
    const handled = await webhook.handle(
      context,
      notification({
        dailies: [DAILY, { userId: 'g-user' }],
        sleeps: [{ userId: 'g-user', summaryId: 'no times' }],
        activityFiles: [{ userId: 'g-user', activityId: 1, fileType: 'FIT', callbackURL: `${API}/f` }],
      }),
    );
    expect(handled).toEqual({ samples: 1, events: 0, scores: 1, skipped: 3 });
    expect(calls.gets).toEqual([]);
    expect(calls.saved).toHaveLength(1);
    expect(calls.saved[0]?.series[0]).toMatchObject({
      series: 'steps',
      samples: [{ value: 9500, isDailyTotal: true }],
    });
    // Not `sleeps` (nothing usable) nor `activityFiles` (not mapped): a pending backfill of them is not done.
    expect(calls.arrived).toEqual([['dailies']]);
  });

  it('reports nothing arrived and saves nothing when no item is usable', async () => {
    const { context, calls } = fakeContext();
    const handled = await webhook.handle(context, notification({ dailies: [{ userId: 'g-user' }], hrv: [] }));
    expect(handled).toEqual({ samples: 0, events: 0, scores: 0, skipped: 1 });
    expect(calls).toMatchObject({ saved: [], arrived: [] });
  });

  it('handles a payload that is not an object as nothing', async () => {
    const { context, calls } = fakeContext();
    const handled = await webhook.handle(context, { providerUserId: 'g-user', kind: 'x', payload: 'junk' });
    expect(handled).toEqual({ samples: 0, events: 0, scores: 0, skipped: 0 });
    expect(calls.saved).toEqual([]);
  });
});

describe('garmin ping items', () => {
  it('may point only at the pull endpoint of their summary type (Garmin names, as the backfill)', () => {
    expect(CALLBACK_PATHS).toEqual({
      activities: '/wellness-api/rest/activities',
      activityDetails: '/wellness-api/rest/activityDetails',
      moveIQActivities: '/wellness-api/rest/moveiq',
      dailies: '/wellness-api/rest/dailies',
      epochs: '/wellness-api/rest/epochs',
      sleeps: '/wellness-api/rest/sleeps',
      bodyComps: '/wellness-api/rest/bodyComps',
      hrv: '/wellness-api/rest/hrv',
      stressDetails: '/wellness-api/rest/stressDetails',
      allDayRespiration: '/wellness-api/rest/respiration',
      pulseox: '/wellness-api/rest/pulseOx',
      healthSnapshot: '/wellness-api/rest/healthSnapshot',
      skinTemp: '/wellness-api/rest/skinTemp',
      bloodPressures: '/wellness-api/rest/bloodPressures',
      userMetrics: '/wellness-api/rest/userMetrics',
      mct: '/wellness-api/rest/mct',
    });
    // The fake Garmin's endpoint table (what its pings point at) agrees.
    for (const [endpoint, key] of Object.entries(GARMIN_SUMMARY_TYPES))
      expect(CALLBACK_PATHS[key as keyof typeof CALLBACK_PATHS]).toBe(`/wellness-api/rest/${endpoint}`);
    expect(MAX_CALLBACKS).toBe(50);
  });

  it('fetches callbacks of the item type endpoint (bare list or keyed object) and maps the user items', async () => {
    const sleepsUrl = callback('sleeps');
    const dailiesUrl = callback('dailies', 'token=y');
    const { context, calls } = fakeContext({
      [sleepsUrl]: {
        sleeps: [SLEEP, { ...SLEEP, userId: 'someone-else', summaryId: 's2' }],
        dailies: [DAILY],
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
    expect(calls.saved[0]?.events.map((e) => e.externalId)).toEqual(['s1']);
    expect(calls.arrived).toEqual([['dailies', 'sleeps']]);
  });

  it.each([
    ['another type endpoint', 'dailies', callback('sleeps')],
    ['the push key instead of the endpoint', 'allDayRespiration', callback('allDayRespiration')],
    ['the backfill endpoint', 'dailies', callback('backfill/dailies')],
    ['the FIT file endpoint', 'activities', callback('activityFile')],
    ['the user endpoint', 'dailies', `${API}/partner-gateway/rest/user/id`],
    ['the registration endpoint', 'dailies', `${API}/wellness-api/rest/user/registration`],
    ['a trailing slash', 'dailies', `${API}/wellness-api/rest/dailies/?token=t`],
    ['an encoded path', 'dailies', `${API}/wellness-api/rest/%64ailies?token=t`],
    ['another query parameter', 'dailies', callback('dailies', 'token=t&limit=1000')],
    ['a repeated query parameter', 'dailies', callback('dailies', 'token=t&token=u')],
    ['credentials', 'dailies', 'https://u:p@apis.garmin.com/wellness-api/rest/dailies?token=t'],
    ['a fragment', 'dailies', `${callback('dailies')}#x`],
    ['a relative URL', 'dailies', '/wellness-api/rest/dailies?token=t'],
    ['another scheme', 'dailies', 'file:///wellness-api/rest/dailies'],
    ['not a URL', 'dailies', 'dailies please'],
  ])('refuses a callback to %s: not fetched, counted skipped', async (_, type, url) => {
    const { context, calls } = fakeContext({ [url]: [DAILY] });
    const handled = await webhook.handle(
      context,
      notification({ [type]: [{ userId: 'g-user', callbackURL: url }] }),
    );
    expect(calls.gets).toEqual([]);
    expect(handled).toEqual({ samples: 0, events: 0, scores: 0, skipped: 1 });
    expect(calls.arrived).toEqual([]);
  });

  it('fetches at most 50 callbacks per notification, the rest counted skipped', async () => {
    const urls = Array.from({ length: 60 }, (_, i) => callback('dailies', `token=t${i}`));
    const { context, calls } = fakeContext(Object.fromEntries(urls.map((url) => [url, []])));
    const handled = await webhook.handle(
      context,
      notification({ dailies: urls.map((callbackURL) => ({ userId: 'g-user', callbackURL })) }),
    );
    expect(calls.gets).toEqual(urls.slice(0, 50));
    expect(handled.skipped).toBe(10);
  });

  it('saves the pushed items when a callback is refused, counting the callback skipped', async () => {
    for (const error of [new ProviderRequestError(410, 'expired'), new UnauthorizedError('gone')]) {
      const gone = callback('epochs', 'token=old');
      const { context, calls } = fakeContext({ [gone]: error });
      const handled = await webhook.handle(
        context,
        notification({ dailies: [DAILY], epochs: [{ userId: 'g-user', callbackURL: gone }] }),
      );
      expect(handled).toEqual({ samples: 1, events: 0, scores: 1, skipped: 1 });
      expect(calls.saved).toHaveLength(1);
      expect(calls.arrived).toEqual([['dailies']]);
    }
  });

  it('saves the pushed items, then lets a transient failure or rate limit propagate', async () => {
    for (const error of [new TransientProviderError('503'), new RateLimitedError(Date.now() + 60_000)]) {
      const flaky = callback('epochs', 'token=x');
      const { context, calls } = fakeContext({ [flaky]: error });
      await expect(
        webhook.handle(
          context,
          notification({ dailies: [DAILY], epochs: [{ userId: 'g-user', callbackURL: flaky }] }),
        ),
      ).rejects.toBe(error);
      expect(calls.saved).toHaveLength(1);
      expect(calls.saved[0]?.series.map((s) => s.series)).toContain('steps');
    }
  });

  it('counts an answer without a list of the type skipped', async () => {
    const url = callback('dailies');
    for (const answer of [null, 'text', { sleeps: [SLEEP] }, { dailies: 'x' }]) {
      const { context, calls } = fakeContext({ [url]: answer });
      const handled = await webhook.handle(
        context,
        notification({ dailies: [{ userId: 'g-user', callbackURL: url }] }),
      );
      expect(handled).toEqual({ samples: 0, events: 0, scores: 0, skipped: 1 });
      expect(calls).toMatchObject({ saved: [], arrived: [] });
    }
  });
});
