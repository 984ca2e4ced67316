import { generateActivities, generateFitbitDays, startFakeFitbit } from '#test/fakes/fitbit.js';
import { DEFAULT_OURA_USER, generateOuraDays, ouraWorkout, startFakeOura } from '#test/fakes/oura.js';
import { DEFAULT_POLAR_USER, generatePolarDays, polarExercise, startFakePolar } from '#test/fakes/polar.js';
import { fakeProviderEnv } from '#test/fakes/provider-env.js';
import { DEFAULT_SENSORBIO_USER, startFakeSensorbio } from '#test/fakes/sensorbio.js';
import { DEFAULT_SUUNTO_USER, generateSuuntoDays, startFakeSuunto } from '#test/fakes/suunto.js';
import { DEFAULT_WHOOP_USER, generateWhoopDays, startFakeWhoop, whoopWorkout } from '#test/fakes/whoop.js';
import type { BenchSandbox } from './sandbox.js';

export const DAYS = 90;
const MINUTE = 60_000;
const HOUR = 3_600_000;

/** A provider's fake, seeded with DAYS days of one user, and what the benchmark does with it. */
export interface BenchProvider {
  name: string;
  /** The sandbox settings pointing the provider at the fake (and its webhook secrets). */
  env: Record<string, string>;
  /** Provider API requests received so far, OAuth and webhook management left out. */
  dataRequests(): number;
  /** Once the sandbox listens: where the fake notifies, the subscriptions our API creates. */
  subscribe?(sandbox: BenchSandbox): Promise<void>;
  /** Stores the i-th new workout at the fake and sends its signed notification; its start, epoch ms. */
  newWorkout?(i: number): Promise<number>;
  stop(): Promise<void>;
}

/** A new workout's start: distinct whole minutes in the last hours, clear of each other. */
export const workoutStart = (i: number) => Math.floor(Date.now() / MINUTE) * MINUTE - (2 + i) * HOUR;

/** Throws unless every delivery was acknowledged with 200. */
export function acked(deliveries: Array<{ status: number } | null>) {
  const refused = deliveries.filter((d) => d?.status !== 200);
  if (deliveries.length === 0 || refused.length > 0)
    throw new Error(`notification not acknowledged: ${JSON.stringify(refused).slice(0, 200)}`);
}

/** Subscriptions created through our DEV route (the provider calls our callback before it answers). */
export async function subscribeThroughApi(sandbox: BenchSandbox, provider: string) {
  const callback = `${sandbox.url}/api/v1/providers/${provider}/webhooks`;
  const response = await fetch(
    `${sandbox.url}/api/v1/providers/${provider}/webhooks/subscriptions?callback_url=${encodeURIComponent(callback)}`,
    { method: 'POST', headers: sandbox.bearer },
  );
  if (response.status !== 200) throw new Error(`${provider} subscriptions: ${await response.text()}`);
}

async function oura(): Promise<BenchProvider> {
  const fake = await startFakeOura({ autoApprove: true });
  fake.seed(DEFAULT_OURA_USER, generateOuraDays({ days: DAYS, end: Date.now(), seed: 3 }));
  return {
    name: 'oura',
    env: { ...fakeProviderEnv('OURA', fake), OURA_WEBHOOK_VERIFICATION_TOKEN: 'bench-oura-token' },
    dataRequests: () => fake.requests.filter((r) => r.path.startsWith('/v2/usercollection')).length,
    subscribe: (sandbox) => subscribeThroughApi(sandbox, 'oura'),
    async newWorkout(i) {
      const start = workoutStart(i);
      const day = new Date(start).toISOString().slice(0, 10);
      const workout = ouraWorkout({ day, start, minutes: 40, offset: '+00:00', seed: `bench-${i}` });
      acked(await fake.putDocument(DEFAULT_OURA_USER, 'workout', workout));
      return start;
    },
    stop: fake.stop,
  };
}

async function whoop(): Promise<BenchProvider> {
  const fake = await startFakeWhoop({ autoApprove: true });
  fake.seed(DEFAULT_WHOOP_USER, generateWhoopDays({ days: DAYS, end: Date.now(), seed: 3 }));
  return {
    name: 'whoop',
    env: fakeProviderEnv('WHOOP', fake),
    dataRequests: () => fake.requests.length,
    subscribe: async (sandbox) => fake.setWebhookUrl(`${sandbox.url}/api/v1/providers/whoop/webhooks`),
    async newWorkout(i) {
      const start = workoutStart(i);
      const workout = whoopWorkout({
        userId: DEFAULT_WHOOP_USER,
        start,
        durationMs: 40 * MINUTE,
        seed: `bench-${i}`,
      });
      acked((await fake.addWorkout(DEFAULT_WHOOP_USER, workout)).deliveries);
      return start;
    },
    stop: fake.stop,
  };
}

/** Polar's local wall clock is UTC+2 here. */
const POLAR_OFFSET = 120;

async function polar(): Promise<BenchProvider> {
  const fake = await startFakePolar({ autoApprove: true });
  const userId = String(DEFAULT_POLAR_USER);
  fake.seed(
    DEFAULT_POLAR_USER,
    generatePolarDays({ userId, days: DAYS, end: Date.now(), offsetMinutes: POLAR_OFFSET, seed: 3 }),
  );
  return {
    name: 'polar',
    env: fakeProviderEnv('POLAR', fake),
    // GETs only: the registration at connect and the webhook's management are not data.
    dataRequests: () =>
      fake.requests.filter((r) => r.method === 'GET' && !r.path.startsWith('/v3/webhooks')).length,
    subscribe: (sandbox) => subscribeThroughApi(sandbox, 'polar'),
    async newWorkout(i) {
      const start = workoutStart(i);
      const id = `benchEx${i}`;
      fake.data(DEFAULT_POLAR_USER).exercises.push(
        polarExercise({
          userId,
          id,
          localStart: start + POLAR_OFFSET * MINUTE,
          offsetMinutes: POLAR_OFFSET,
          durationSeconds: 2_400,
          sampleSeconds: 60,
        }),
      );
      acked([await fake.notify({ event: 'EXERCISE', user_id: DEFAULT_POLAR_USER, entity_id: id })]);
      return start;
    },
    stop: fake.stop,
  };
}

async function suunto(): Promise<BenchProvider> {
  const fake = await startFakeSuunto({ autoApprove: true });
  fake.seed(DEFAULT_SUUNTO_USER, generateSuuntoDays({ days: DAYS, end: Date.now(), seed: 3 }));
  return {
    name: 'suunto',
    env: fake.env(),
    dataRequests: () => fake.requests.length,
    subscribe: async (sandbox) => fake.setWebhookUrl(`${sandbox.url}/api/v1/providers/suunto/webhooks`),
    async newWorkout(i) {
      const start = workoutStart(i);
      acked([(await fake.addWorkout(DEFAULT_SUUNTO_USER, { start, sampleSeconds: 60 })).delivery]);
      return start;
    },
    stop: fake.stop,
  };
}

async function sensorbio(): Promise<BenchProvider> {
  const fake = await startFakeSensorbio({ autoApprove: true });
  fake.seed(DEFAULT_SENSORBIO_USER, { days: DAYS, seed: 3 });
  return {
    name: 'sensorbio',
    env: fakeProviderEnv('SENSORBIO', fake),
    dataRequests: () => fake.requests.filter((r) => r.path.startsWith('/v1/')).length,
    stop: fake.stop,
  };
}

async function fitbit(): Promise<BenchProvider> {
  // Fitbit allows 150 requests an hour per user: a 90-day backfill (about 190) would measure the wait.
  const fake = await startFakeFitbit({ autoApprove: true, rateLimitPerHour: 1000 });
  fake.setActivities('FAKE01', generateActivities({ days: DAYS, end: Date.now(), seed: 3 }));
  fake.seed('FAKE01', generateFitbitDays({ days: DAYS, end: Date.now(), seed: 3 }));
  return {
    name: 'fitbit',
    env: { ...fakeProviderEnv('FITBIT', fake), FITBIT_SUNSET: 'false' },
    dataRequests: () =>
      fake.requests.filter((r) => !r.path.includes('oauth') && !r.path.includes('authori')).length,
    stop: fake.stop,
  };
}

/** The providers whose fakes are final, in the order they are measured. */
export const FINAL_FAKES = { oura, whoop, polar, suunto, sensorbio, fitbit };
