import { describe, expect, it } from 'vitest';
import { ProviderRequestError } from '#shared/providers/http.js';
import { stravaSubscriptions } from '#shared/providers/strava/subscriptions.js';
import type { AppRequest, SubscriptionContext } from '#shared/providers/webhook-types.js';

const SUBSCRIPTION = {
  id: 120475,
  application_id: 12345,
  callback_url: 'https://api.example.com/api/v1/providers/strava/webhooks',
  created_at: '2024-01-10T10:00:00+00:00',
  updated_at: '2024-01-10T10:00:00+00:00',
  resource_state: 2,
};

const SETTINGS: Record<string, string> = {
  STRAVA_CLIENT_ID: '12345',
  STRAVA_CLIENT_SECRET: 'client-secret',
  STRAVA_WEBHOOK_VERIFY_TOKEN: 'verify-me',
};

type Call = [method: string, path: string, options: Parameters<AppRequest>[2]];

/** A fake AppRequest answering from a script; a thrown answer is a provider error. */
function fakeContext(answer: (method: string, path: string) => unknown, settings = SETTINGS) {
  const calls: Call[] = [];
  const request: AppRequest = async (method, path, options) => {
    calls.push([method, path, options]);
    return { status: 200, body: answer(method, path) };
  };
  const context: SubscriptionContext = {
    request,
    settings: (name) => settings[name],
    storeSecret: async () => {},
  };
  return { context, calls };
}

const credentials = { client_id: '12345', client_secret: 'client-secret' };

describe('strava subscriptions', () => {
  it('lists with the client credentials in the query', async () => {
    const fake = fakeContext(() => [SUBSCRIPTION]);
    expect(await stravaSubscriptions.list(fake.context)).toEqual([SUBSCRIPTION]);
    expect(fake.calls).toEqual([['GET', '/push_subscriptions', { query: credentials }]]);
  });

  it('refuses a list body that is not an array', async () => {
    const fake = fakeContext(() => ({ message: 'odd' }));
    await expect(stravaSubscriptions.list(fake.context)).rejects.toThrow(ProviderRequestError);
  });

  it('creates with a form (callback and verify token), then returns the list', async () => {
    const fake = fakeContext((method) => (method === 'POST' ? { id: 120475 } : [SUBSCRIPTION]));
    expect(await stravaSubscriptions.create(fake.context, SUBSCRIPTION.callback_url)).toEqual([SUBSCRIPTION]);
    expect(fake.calls).toEqual([
      [
        'POST',
        '/push_subscriptions',
        { form: { ...credentials, callback_url: SUBSCRIPTION.callback_url, verify_token: 'verify-me' } },
      ],
      ['GET', '/push_subscriptions', { query: credentials }],
    ]);
  });

  it('treats 409 on create as already existing', async () => {
    const fake = fakeContext((method) => {
      if (method === 'POST') throw new ProviderRequestError(409, '{"message":"already exists"}');
      return [SUBSCRIPTION];
    });
    expect(await stravaSubscriptions.create(fake.context, 'https://x/cb')).toEqual([SUBSCRIPTION]);
  });

  it('passes other create errors on', async () => {
    const fake = fakeContext(() => {
      throw new ProviderRequestError(400, '{"message":"Bad Request","errors":[{"field":"callback url"}]}');
    });
    await expect(stravaSubscriptions.create(fake.context, 'https://x/cb')).rejects.toThrow(/answered 400/);
  });

  it('does not create without a verify token or credentials', async () => {
    const noToken = fakeContext(() => [], { STRAVA_CLIENT_ID: '1', STRAVA_CLIENT_SECRET: 's' });
    await expect(stravaSubscriptions.create(noToken.context, 'https://x/cb')).rejects.toThrow(
      /STRAVA_WEBHOOK_VERIFY_TOKEN/,
    );
    const noSecret = fakeContext(() => [], { STRAVA_CLIENT_ID: '1', STRAVA_WEBHOOK_VERIFY_TOKEN: 't' });
    await expect(stravaSubscriptions.create(noSecret.context, 'https://x/cb')).rejects.toThrow(
      /STRAVA_CLIENT_SECRET/,
    );
    expect([...noToken.calls, ...noSecret.calls]).toEqual([]);
  });

  it('gets one from the list by id, or null', async () => {
    const fake = fakeContext(() => [SUBSCRIPTION]);
    expect(await stravaSubscriptions.get(fake.context, '120475')).toEqual(SUBSCRIPTION);
    expect(await stravaSubscriptions.get(fake.context, '1')).toBeNull();
  });

  it('deletes by id with the credentials in the query; 404 is not_found', async () => {
    const fake = fakeContext(() => null);
    expect(await stravaSubscriptions.delete(fake.context, '120475')).toEqual({
      subscription_id: '120475',
      status: 'deleted',
    });
    expect(fake.calls).toEqual([['DELETE', '/push_subscriptions/120475', { query: credentials }]]);

    const gone = fakeContext(() => {
      throw new ProviderRequestError(404, '{"message":"Resource Not Found"}');
    });
    expect(await stravaSubscriptions.delete(gone.context, '120475')).toEqual({
      subscription_id: '120475',
      status: 'not_found',
    });
  });

  it('never puts a non-numeric id into the path', async () => {
    const fake = fakeContext(() => null);
    expect(await stravaSubscriptions.delete(fake.context, '../athlete')).toEqual({
      subscription_id: '../athlete',
      status: 'not_found',
    });
    expect(fake.calls).toEqual([]);
  });

  it('has neither renew nor update (the route deletes and creates)', () => {
    expect(stravaSubscriptions.renew).toBeUndefined();
    expect(stravaSubscriptions.update).toBeUndefined();
  });
});
