import { SUBSCRIBED as OURA_SUBSCRIBED } from '#shared/providers/oura/subscriptions.js';
import { DEFAULT_GOOGLE_HEALTH_USER, startFakeGoogleHealth } from '#test/fakes/google-health.js';
import { DEFAULT_OURA_USER, generateOuraDays, startFakeOura } from '#test/fakes/oura.js';
import { DEFAULT_POLAR_USER, generatePolarDays, startFakePolar } from '#test/fakes/polar.js';
import { fakeProviderEnv } from '#test/fakes/provider-env.js';
import { DEFAULT_SENSORBIO_USER, startFakeSensorbio } from '#test/fakes/sensorbio.js';
import { DEFAULT_SUUNTO_USER, generateSuuntoDays, startFakeSuunto } from '#test/fakes/suunto.js';
import { DEFAULT_WHOOP_USER, generateWhoopDays, startFakeWhoop } from '#test/fakes/whoop.js';
import { DEFAULT_WITHINGS_USER, startFakeWithings } from '#test/fakes/withings.js';

/** One fake provider of the demo: its settings, where it listens, and how it is pointed at the sandbox. */
export interface DemoProvider {
  name: string;
  url: string;
  env: Record<string, string>;
  /** Points its webhooks at the sandbox (subscriptions, webhook URLs); throws when the sandbox refuses. */
  attach?(webhookUrl: (provider: string) => string): Promise<void>;
  stop(): Promise<unknown>;
}

const OURA_TOKEN = 'demo-oura-verification-token';
const POLAR_SECRET = 'demo-polar-webhook-secret';
const GOOGLE_HEALTH_SECRET = 'demo-google-health-webhook-secret';
const WITHINGS_TOKEN = 'demo-withings-callback-token';

/** The fakes of the providers added after the first four: 30 to 60 days of data each, for a light local backfill. */
export async function startMoreDemoProviders(now: number): Promise<DemoProvider[]> {
  const [oura, whoop, polar, suunto, sensorbio, withings, google] = await Promise.all([
    startFakeOura(),
    startFakeWhoop(),
    startFakePolar({ webhookSecret: POLAR_SECRET }),
    startFakeSuunto(),
    startFakeSensorbio(),
    startFakeWithings(),
    startFakeGoogleHealth(),
  ]);
  oura.seed(DEFAULT_OURA_USER, generateOuraDays({ days: 30, end: now }));
  whoop.seed(DEFAULT_WHOOP_USER, generateWhoopDays({ days: 60, end: now }));
  polar.seed(
    DEFAULT_POLAR_USER,
    generatePolarDays({ userId: String(DEFAULT_POLAR_USER), days: 30, end: now }),
  );
  suunto.seed(DEFAULT_SUUNTO_USER, generateSuuntoDays({ days: 30, end: now, workoutSampleSeconds: 30 }));
  sensorbio.seed(DEFAULT_SENSORBIO_USER, { days: 30, end: now });
  withings.seed(DEFAULT_WITHINGS_USER, { days: 60, end: now });
  google.seed(DEFAULT_GOOGLE_HEALTH_USER, 30, { end: now });
  return [
    {
      name: 'Oura',
      url: oura.url,
      env: { ...fakeProviderEnv('OURA', oura), OURA_WEBHOOK_VERIFICATION_TOKEN: OURA_TOKEN },
      async attach(webhookUrl) {
        for (const pair of OURA_SUBSCRIBED) {
          const created = await oura.createSubscription({
            callback_url: webhookUrl('oura'),
            verification_token: OURA_TOKEN,
            ...pair,
          });
          if (created.status >= 300) throw new Error(`Oura subscription refused: ${created.status}`);
        }
      },
      stop: () => oura.stop(),
    },
    {
      name: 'WHOOP',
      url: whoop.url,
      env: fakeProviderEnv('WHOOP', whoop),
      attach: async (webhookUrl) => whoop.setWebhookUrl(webhookUrl('whoop')),
      stop: () => whoop.stop(),
    },
    {
      name: 'Polar',
      url: polar.url,
      env: { ...fakeProviderEnv('POLAR', polar), POLAR_WEBHOOK_SECRET: POLAR_SECRET },
      async attach(webhookUrl) {
        const created = await polar.createWebhook(webhookUrl('polar'));
        if (created.status >= 300) throw new Error(`Polar webhook refused: ${created.status}`);
      },
      stop: () => polar.stop(),
    },
    {
      name: 'Suunto',
      url: suunto.url,
      env: suunto.env(),
      attach: async (webhookUrl) => suunto.setWebhookUrl(webhookUrl('suunto')),
      stop: () => suunto.stop(),
    },
    {
      name: 'SensorBio',
      url: sensorbio.url,
      env: fakeProviderEnv('SENSORBIO', sensorbio),
      stop: () => sensorbio.stop(),
    },
    {
      // Subscriptions are per user, made at connect (Withings probes the sandbox's webhook with HEAD).
      name: 'Withings',
      url: withings.url,
      env: { ...fakeProviderEnv('WITHINGS', withings), WITHINGS_WEBHOOK_TOKEN: WITHINGS_TOKEN },
      stop: () => withings.stop(),
    },
    {
      name: 'Google Health',
      url: google.url,
      env: {
        ...fakeProviderEnv('GOOGLE_HEALTH', google),
        GOOGLE_HEALTH_WEBHOOK_SECRET: GOOGLE_HEALTH_SECRET,
      },
      async attach(webhookUrl) {
        await google.createSubscriber(webhookUrl('google_health'), GOOGLE_HEALTH_SECRET);
      },
      stop: () => google.stop(),
    },
  ];
}
