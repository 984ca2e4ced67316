import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { followConsent } from '#test/fakes/oauth-fake.js';
import { fakeProviderEnv } from '#test/fakes/provider-env.js';
import {
  DEFAULT_STRAVA_ATHLETE,
  type FakeStrava,
  generateStravaActivities,
  startFakeStrava,
} from '#test/fakes/strava.js';
import { type E2eSession, startE2eSession, until } from '#test/helpers/e2e-session.js';
import { connectUser, recentWorkouts } from '../../web/client/example.js';

/** The README's example, run as an integrator would against the sandbox, with a fake Strava behind it. */
const DAY_MS = 86_400_000;
const REDIRECT = 'https://app.example/connected';
let strava: FakeStrava;
let sandbox: E2eSession;
let apiKey: string;

beforeAll(async () => {
  strava = await startFakeStrava();
  strava.setActivities(
    DEFAULT_STRAVA_ATHLETE,
    generateStravaActivities({ days: 10, end: Date.now(), seed: 3 }),
  );
  sandbox = await startE2eSession({
    env: { ...fakeProviderEnv('STRAVA', strava), HISTORICAL_SYNC_ON_CONNECT: 'true' },
  });
  apiKey = sandbox.apiKey['x-open-wearables-api-key']!;
}, 60_000);

afterAll(async () => {
  await sandbox?.stop();
  await strava?.stop();
});

describe('client README example', () => {
  it('the README shows example.ts verbatim', () => {
    const readme = readFileSync(new URL('../../web/client/README.md', import.meta.url), 'utf8');
    const example = readFileSync(new URL('../../web/client/example.ts', import.meta.url), 'utf8');
    expect(readme).toContain(`<!-- example.ts -->\n\`\`\`ts\n${example}\`\`\`\n`);
  });

  it('is typed by the document: the workouts are neither never nor any', () => {
    type Workout = Awaited<ReturnType<typeof recentWorkouts>>[number];
    expectTypeOf<Omit<Workout, 'provider'>>().toEqualTypeOf<{
      type: string;
      start: string;
      minutes: number;
    }>();
    // The provider is the documented enum, not a bare string.
    expectTypeOf<'strava'>().toExtend<Workout['provider']>();
    expectTypeOf<'myspace'>().not.toExtend<Workout['provider']>();
    expectTypeOf<Awaited<ReturnType<typeof connectUser>>>().toEqualTypeOf<{
      userId: string;
      authorizationUrl: string;
    }>();
  });

  it('creates a user, gets the consent URL and reads the synced workouts', async () => {
    const { userId, authorizationUrl } = await connectUser(sandbox.url, apiKey, REDIRECT);
    expect(new URL(authorizationUrl).origin).toBe(new URL(strava.authorizeUrl).origin);

    // The end user's browser: consent on the provider, then our callback, which sends it to REDIRECT.
    const consent = await followConsent(authorizationUrl);
    const callback = await fetch(consent.location.replace(sandbox.apiBaseUrl, sandbox.url), {
      redirect: 'manual',
    });
    expect(callback.headers.get('location')).toBe(REDIRECT);

    const expected = strava
      .activities(DEFAULT_STRAVA_ATHLETE)
      .filter((a) => Date.parse(a.start_date as string) > Date.now() - 30 * DAY_MS).length;
    expect(expected).toBeGreaterThan(0);
    const workouts = await until(
      'the synced workouts',
      async () => {
        const list = await recentWorkouts(sandbox.url, apiKey, userId);
        return list.length >= expected ? list : undefined;
      },
      90_000,
    );
    expect(workouts).toHaveLength(expected);
    expect(workouts[0]).toMatchObject({ provider: 'strava', type: expect.any(String) });
    expect(workouts[0]!.minutes).toBeGreaterThan(0);
  }, 120_000);

  it('an API error arrives as its detail text', async () => {
    const wrongKey = 'sk-00000000000000000000000000000000';
    await expect(recentWorkouts(sandbox.url, wrongKey, crypto.randomUUID())).rejects.toThrow(
      'Invalid or missing API key',
    );
  });
});
