import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type FakeGoogleHealth,
  generateGoogleHealthData,
  startFakeGoogleHealth,
  DEFAULT_GOOGLE_HEALTH_USER as USER,
} from '#test/fakes/google-health.js';

/**
 * The fake Google Health API refuses what Google refuses, so the module's tests against it mean something: OAuth with
 * the client in the body and refresh tokens that are not rotated, AIP-160 filters with only `>=`/`<` on the fields
 * of each record shape (snake case), rollUp only by POST and within each type's range, 401 for an expired token.
 */
const DAY = 86_400_000;
const END = Date.UTC(2026, 0, 29);
let fake: FakeGoogleHealth;
let token: string;

beforeAll(async () => {
  fake = await startFakeGoogleHealth();
  fake.seed(USER, 3, { end: END, heartRateSampleSeconds: 60 });
  token = String(fake.issueTokens().access_token);
});
afterAll(() => fake?.stop());

const api = (path: string, init: RequestInit = {}, bearer = token) =>
  fetch(`${fake.url}${path}`, { ...init, headers: { authorization: `Bearer ${bearer}`, ...init.headers } });

/** A response's JSON, read field by field in assertions. */
// biome-ignore lint/suspicious/noExplicitAny: asserted field by field.
const json = async (response: Response): Promise<any> => response.json();

const tokenRequest = (form: Record<string, string>, headers: Record<string, string> = {}) =>
  fetch(fake.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form),
  });

describe('fake Google Health OAuth', () => {
  it('refreshes with client credentials in the body, returns no new refresh token, and the old one keeps working', async () => {
    const refreshToken = String(fake.issueTokens().refresh_token);
    const form = {
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      client_id: fake.clientId,
      client_secret: fake.clientSecret,
    };
    for (let i = 0; i < 2; i++) {
      const response = await tokenRequest(form);
      const body = await json(response);
      expect(response.status).toBe(200);
      expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 3599 });
      expect(body.refresh_token).toBeUndefined();
    }
    const basic = `Basic ${Buffer.from(`${fake.clientId}:${fake.clientSecret}`).toString('base64')}`;
    expect(
      (
        await tokenRequest(
          { grant_type: 'refresh_token', refresh_token: refreshToken },
          { authorization: basic },
        )
      ).status,
    ).toBe(401);
    fake.oauth.revokeUser(USER);
    expect(await json(await tokenRequest(form))).toMatchObject({ error: 'invalid_grant' });
    token = String(fake.issueTokens().access_token);
  });

  it('an expired access token is 401 UNAUTHENTICATED', async () => {
    const expiring = String(fake.issueTokens().access_token);
    fake.oauth.expireAccessTokens();
    const response = await api('/v4/users/me/identity', {}, expiring);
    expect(response.status).toBe(401);
    expect((await json(response)).error.status).toBe('UNAUTHENTICATED');
    token = String(fake.issueTokens().access_token);
  });
});

describe('fake Google Health data points', () => {
  const list = (type: string, filter: string, suffix = '') =>
    api(`/v4/users/me/dataTypes/${type}/dataPoints${suffix}?filter=${encodeURIComponent(filter)}`);

  it('filters on the shape fields with >= and <; other operators, fields or a kebab-case name are 400', async () => {
    const day = `"${new Date(END - 2 * DAY).toISOString()}"`;
    const ok = await list('heart-rate', `heart_rate.sample_time.physical_time >= ${day}`, ':reconcile');
    expect(ok.status).toBe(200);
    const body = await json(ok);
    expect(body.dataPoints.length).toBe(1440);
    expect(body.dataPoints[0].name).toBeUndefined();
    expect(body.nextPageToken).toBeTruthy();
    for (const filter of [
      `heart-rate.sample_time.physical_time >= ${day}`,
      `heart_rate.sample_time.physical_time > ${day}`,
      `heart_rate.interval.start_time >= ${day}`,
      'heart_rate.sample_time.physical_time >= "yesterday"',
    ]) {
      const refused = await list('heart-rate', filter);
      expect(refused.status, filter).toBe(400);
      expect((await json(refused)).error.details[0].reason).toBe('INVALID_DATA_POINT_FILTER');
    }
    expect((await list('exercise', `exercise.interval.start_time >= ${day}`)).status).toBe(400);
    expect((await list('exercise', 'exercise.interval.civil_start_time >= "2026-01-01"')).status).toBe(200);
  });

  it('total calories only by rollUp (POST), within 14 days; sessions 25 a page at most', async () => {
    expect((await list('total-calories', '')).status).toBe(400);
    const rollUp = (days: number, method = 'POST') =>
      api('/v4/users/me/dataTypes/total-calories/dataPoints:rollUp', {
        method,
        headers: { 'content-type': 'application/json' },
        ...(method === 'POST'
          ? {
              body: JSON.stringify({
                range: {
                  startTime: new Date(END - days * DAY).toISOString(),
                  endTime: new Date(END).toISOString(),
                },
                windowSize: '86400s',
              }),
            }
          : {}),
      });
    const ok = await rollUp(3);
    expect((await json(ok)).rollupDataPoints).toHaveLength(3);
    expect((await rollUp(15)).status).toBe(400);
    expect((await rollUp(3, 'GET')).status).toBe(404);
    const sleep = await api('/v4/users/me/dataTypes/sleep/dataPoints?pageSize=1000');
    expect((await json(sleep)).dataPoints.length).toBeLessThanOrEqual(25);
  });

  it('generates the same data for the same seed, every type the module reads', () => {
    const a = generateGoogleHealthData({ days: 4, end: END, seed: 'x' });
    const b = generateGoogleHealthData({ days: 4, end: END, seed: 'x' });
    const strip = (d: typeof a) =>
      [...d].map(([type, points]) => [type, points.map(({ name: _n, ...rest }) => rest)]);
    expect(strip(a)).toEqual(strip(b));
    expect([...a.keys()].sort()).toEqual(
      [
        'blood-glucose',
        'body-fat',
        'core-body-temperature',
        'daily-resting-heart-rate',
        'daily-respiratory-rate',
        'distance',
        'exercise',
        'heart-rate',
        'heart-rate-variability',
        'hydration-log',
        'oxygen-saturation',
        'run-vo2-max',
        'sleep',
        'steps',
        'total-calories',
        'weight',
      ].sort(),
    );
  });
});
