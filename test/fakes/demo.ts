import { startMoreDemoProviders } from '#test/fakes/demo-providers.js';
import { generateActivities, generateFitbitDays, startFakeFitbit } from '#test/fakes/fitbit.js';
import { DEFAULT_GARMIN_USER, generateGarminDays, startFakeGarmin } from '#test/fakes/garmin.js';
import { fakeProviderEnv } from '#test/fakes/provider-env.js';
import { DEFAULT_STRAVA_ATHLETE, generateStravaActivities, startFakeStrava } from '#test/fakes/strava.js';
import { startFakeUltrahuman } from '#test/fakes/ultrahuman.js';

const STRAVA_VERIFY_TOKEN = 'demo-strava-verify-token';

/**
 * `npm start -- --demo`: a fake server for every cloud provider (speaking the real OAuth and data formats, with a
 * consent page) on this machine, and the provider settings pointing at them, so a full connect can be clicked
 * through in a browser without real credentials. The push providers send to the sandbox once `attach` has told
 * them where it listens (demo-providers.ts holds the ones added after the first four).
 */
export async function startDemoProviders() {
  const [fitbit, ultrahuman, garmin, strava] = await Promise.all([
    // A 90-day backfill is ~190 requests: past the real 150 an hour, which would hold the demo's data back an hour.
    startFakeFitbit({ rateLimitPerHour: 1000 }),
    startFakeUltrahuman(),
    startFakeGarmin(),
    // The sandbox's first challenge answer may include a cold import: more than Strava's 2 s is fine here.
    startFakeStrava({ challengeTimeoutMs: 10_000 }),
  ]);
  const now = Date.now();
  const more = await startMoreDemoProviders(now);
  fitbit.setActivities('FAKE01', generateActivities({ days: 120, end: now }));
  fitbit.seed('FAKE01', generateFitbitDays({ days: 120, end: now }));
  // One heart-rate sample a minute keeps the 30-day backfill light for a local demo.
  garmin.seed(DEFAULT_GARMIN_USER, generateGarminDays({ days: 30, end: now, heartRateSampleSeconds: 60 }));
  strava.setActivities(DEFAULT_STRAVA_ATHLETE, generateStravaActivities({ days: 60, end: now }));
  return {
    env: {
      ...fakeProviderEnv('FITBIT', fitbit),
      // The real Fitbit Web API is gone; its fake takes new connections.
      FITBIT_SUNSET: 'false',
      ...fakeProviderEnv('ULTRAHUMAN', ultrahuman),
      ...fakeProviderEnv('GARMIN', garmin),
      ...fakeProviderEnv('STRAVA', strava),
      STRAVA_WEBHOOK_VERIFY_TOKEN: STRAVA_VERIFY_TOKEN,
      ...Object.assign({}, ...more.map((provider) => provider.env)),
    },
    describe: () => [
      `  Demo providers: fake Fitbit at ${fitbit.url}, fake Ultrahuman at ${ultrahuman.url},`,
      `    fake Garmin at ${garmin.url} (pushes to ${garmin.webhookUrl ?? 'nowhere yet'}),`,
      `    fake Strava at ${strava.url} (subscription ${strava.subscription ? `${strava.subscription.id} -> ${strava.subscription.callbackUrl}` : 'none'})`,
      `    ${more.map((provider) => `fake ${provider.name} at ${provider.url}`).join(', ')}`,
    ],
    /**
     * Points the push providers at the sandbox: Garmin's webhook URL, and a Strava push subscription (its
     * challenge is answered by the sandbox). Best effort: returns what happened, never throws.
     */
    async attach(apiBaseUrl: string): Promise<string[]> {
      const base = apiBaseUrl.replace(/\/+$/, '');
      const webhookUrl = (provider: string) => `${base}/api/v1/providers/${provider}/webhooks`;
      garmin.setWebhookUrl(webhookUrl('garmin'));
      const problems: string[] = [];
      try {
        const created = await strava.createSubscription(webhookUrl('strava'), STRAVA_VERIFY_TOKEN);
        if (created.status !== 201 && created.status !== 409) {
          const challenge = strava.challenges.at(-1);
          const answer = challenge?.error ?? `${challenge?.status} ${challenge?.body.slice(0, 200)}`;
          problems.push(
            `  Strava subscription not created: the sandbox answered the challenge with ${answer}`,
          );
        }
      } catch (error) {
        problems.push(`  Strava subscription not created: ${(error as Error).message}`);
      }
      for (const provider of more) {
        try {
          await provider.attach?.(webhookUrl);
        } catch (error) {
          problems.push(`  ${provider.name} webhooks not set up: ${(error as Error).message}`);
        }
      }
      return problems;
    },
    stop: () =>
      Promise.all([
        fitbit.stop(),
        ultrahuman.stop(),
        garmin.stop(),
        strava.stop(),
        ...more.map((provider) => provider.stop()),
      ]),
  };
}
