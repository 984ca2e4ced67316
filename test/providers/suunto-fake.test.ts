import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifySuunto } from '#shared/providers/suunto/webhook.js';
import { WebhookRejected } from '#shared/providers/webhook-types.js';
import { basicAuthHeader, readBody, sendJson, startHttpServer } from '#test/fakes/oauth-fake.js';
import { DEFAULT_SUUNTO_USER, type FakeSuunto, isoAt, startFakeSuunto } from '#test/fakes/suunto.js';

/** The fake itself: Suunto's OAuth variant, API management, range limits and signed notifications. */
let fake: FakeSuunto;
let receiver: Awaited<ReturnType<typeof startHttpServer>>;
const received: Array<{ status: number; body: unknown }> = [];

beforeAll(async () => {
  fake = await startFakeSuunto({ autoApprove: true });
  // Our verifier, over the raw body, with the fake's secret.
  receiver = await startHttpServer(async (req, res) => {
    const body = Buffer.from(await readBody(req));
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
    try {
      verifySuunto({ method: 'POST', headers, query: {}, body, now: Date.now() }, () => fake.webhookSecret);
      received.push({ status: 200, body: JSON.parse(body.toString()) });
      sendJson(res, 200, { status: 'accepted' });
    } catch (error) {
      if (!(error instanceof WebhookRejected)) throw error;
      received.push({ status: error.status, body: null });
      sendJson(res, error.status, { detail: error.detail });
    }
  });
  fake.setWebhookUrl(receiver.url);
});
afterAll(async () => {
  await fake?.stop();
  await receiver?.stop();
});

async function token(form: Record<string, string>, basic = true) {
  const response = await fetch(fake.tokenUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(basic ? { authorization: basicAuthHeader(fake.clientId, fake.clientSecret) } : {}),
    },
    body: new URLSearchParams(
      basic ? form : { ...form, client_id: fake.clientId, client_secret: fake.clientSecret },
    ),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

describe('fake suunto oauth', () => {
  it('code exchange with Basic credentials only; the access token is a JWT naming sub and user', async () => {
    const redirect = 'https://app.example/cb';
    const authorize = await fetch(
      `${fake.authorizeUrl}?response_type=code&client_id=${fake.clientId}&redirect_uri=${encodeURIComponent(redirect)}&state=s1`,
      { redirect: 'manual' },
    );
    const code = new URL(authorize.headers.get('location')!).searchParams.get('code')!;
    expect(
      (await token({ grant_type: 'authorization_code', code, redirect_uri: redirect }, false)).status,
    ).toBe(401);
    const authorize2 = await fetch(
      `${fake.authorizeUrl}?response_type=code&client_id=${fake.clientId}&redirect_uri=${encodeURIComponent(redirect)}&state=s2`,
      { redirect: 'manual' },
    );
    const code2 = new URL(authorize2.headers.get('location')!).searchParams.get('code')!;
    const exchanged = await token({ grant_type: 'authorization_code', code: code2, redirect_uri: redirect });
    expect(exchanged).toMatchObject({
      status: 200,
      json: { token_type: 'Bearer', expires_in: 86_399, user: DEFAULT_SUUNTO_USER },
    });
    const claims = JSON.parse(
      Buffer.from(String(exchanged.json.access_token).split('.')[1]!, 'base64url').toString(),
    );
    expect(claims).toMatchObject({ sub: fake.subOf(DEFAULT_SUUNTO_USER), user: DEFAULT_SUUNTO_USER });
    expect(claims.exp - claims.iat).toBe(86_399);

    const refreshed = await token({
      grant_type: 'refresh_token',
      refresh_token: String(exchanged.json.refresh_token),
    });
    expect(refreshed.json.refresh_token).toBe(exchanged.json.refresh_token);
    expect(refreshed.json.access_token).not.toBe(exchanged.json.access_token);
    fake.oauth.revokeUser(DEFAULT_SUUNTO_USER);
    const revoked = await token({
      grant_type: 'refresh_token',
      refresh_token: String(exchanged.json.refresh_token),
    });
    expect(revoked).toMatchObject({ status: 400, json: { error: 'invalid_grant' } });
  });
});

describe('fake suunto api', () => {
  it('checks the subscription key before the token, and refuses 24/7 ranges over 28 days', async () => {
    const access = String(fake.issueTokens(DEFAULT_SUUNTO_USER).access_token);
    const call = (path: string, headers: Record<string, string>) =>
      fetch(`${fake.apiBaseUrl}${path}`, { headers }).then(async (r) => ({
        status: r.status,
        // biome-ignore lint/suspicious/noExplicitAny: the test reads the fake's answers directly.
        json: (await r.json()) as any,
      }));
    expect(await call('/v3/workouts/', { authorization: `Bearer ${access}` })).toMatchObject({
      status: 401,
      json: { message: expect.stringContaining('missing subscription key') },
    });
    const key = { 'ocp-apim-subscription-key': fake.subscriptionKey };
    expect((await call('/v3/workouts/', key)).status).toBe(401);
    const both = { ...key, authorization: `Bearer ${access}` };
    expect(await call('/v3/workouts/', both)).toMatchObject({
      status: 200,
      json: { error: null, payload: [] },
    });
    expect((await call(`/247samples/sleep?from=0&to=${29 * 86_400_000}`, both)).status).toBe(400);
    expect((await call('/247samples/sleep?from=10&to=5', both)).status).toBe(400);
    expect((await call('/v3/workouts/nope', both)).status).toBe(404);
    const day = Date.UTC(2026, 4, 14);
    const statistics = await call(
      `/247/daily-activity-statistics?startdate=2026-05-13T00:00:00&enddate=2026-05-14T12:00:00`,
      both,
    );
    expect(statistics.json[1].Sources[0].Samples).toEqual([
      { TimeISO8601: isoAt(day - 2 * 3_600_000, 120), Value: null },
    ]);
    expect(fake.requestCounts()).toMatchObject({ workouts: 3, '247samples/sleep': 2, workout: 1 });
  });
});

describe('fake suunto notifications', () => {
  it('signs every notification over the exact body; a wrongly signed or unsigned one is refused', async () => {
    const { recorded, delivery } = await fake.addWorkout(DEFAULT_SUUNTO_USER);
    expect(delivery).toMatchObject({ status: 200, type: 'WORKOUT_CREATED', username: DEFAULT_SUUNTO_USER });
    expect(received.at(-1)!.body).toMatchObject({ workout: { workoutKey: recorded.workout.workoutKey } });
    const items = [{ timestamp: '2026-05-17T10:00:00.000+02:00', entryData: { HR: 72 } }];
    expect(await fake.add247(DEFAULT_SUUNTO_USER, 'activity', items)).toMatchObject({ status: 200 });
    expect(received.at(-1)!.body).toEqual({
      type: 'SUUNTO_247_ACTIVITY_CREATED',
      username: DEFAULT_SUUNTO_USER,
      samples: items,
    });
    expect((await fake.push({ type: 'WORKOUT_CREATED' }, 'invalid')).status).toBe(401);
    expect((await fake.push({ type: 'WORKOUT_CREATED' }, 'none')).status).toBe(401);
    expect(fake.deliveries.map((d) => d.status)).toEqual([200, 200, 401, 401]);
  });
});
