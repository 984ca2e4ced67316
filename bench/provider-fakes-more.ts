import {
  DEFAULT_GOOGLE_HEALTH_USER,
  exercisePoint,
  startFakeGoogleHealth,
} from '#test/fakes/google-health.js';
import { fakeProviderEnv } from '#test/fakes/provider-env.js';
import { randomTools } from '#test/fakes/random.js';
import {
  DEFAULT_WITHINGS_USER,
  type FakeWithings,
  startFakeWithings,
  workoutRecord,
} from '#test/fakes/withings.js';
import { acked, type BenchProvider, DAYS, workoutStart } from './provider-fakes.js';

const GOOGLE_SECRET = 'bench-google-health-secret';
export const WITHINGS_TOKEN = 'bench-withings-token';

export async function googleHealth(): Promise<BenchProvider> {
  const fake = await startFakeGoogleHealth({ autoApprove: true });
  fake.seed(DEFAULT_GOOGLE_HEALTH_USER, DAYS, { end: Date.now(), seed: 3 });
  return {
    name: 'google_health',
    env: { ...fakeProviderEnv('GOOGLE_HEALTH', fake), GOOGLE_HEALTH_WEBHOOK_SECRET: GOOGLE_SECRET },
    dataRequests: () => fake.requests.length,
    async subscribe(sandbox) {
      const verification = await fake.createSubscriber(
        `${sandbox.url}/api/v1/providers/google_health/webhooks`,
        GOOGLE_SECRET,
      );
      if (!verification.ok) throw new Error(`google_health subscriber: ${JSON.stringify(verification)}`);
    },
    async newWorkout(i) {
      const start = workoutStart(i);
      const workout = exercisePoint({ start, minutes: 40, exerciseType: 'RUNNING', offsetSeconds: 3600 });
      acked([await fake.addPoints(DEFAULT_GOOGLE_HEALTH_USER, 'exercise', [workout])]);
      return start;
    },
    stop: fake.stop,
  };
}

/** The fake itself comes along: the shared-budget run (withings-budget.ts) uses it too. */
export async function withings(): Promise<BenchProvider & { fake: FakeWithings }> {
  const fake = await startFakeWithings({ autoApprove: true });
  fake.seed(DEFAULT_WITHINGS_USER, { days: DAYS, end: Date.now(), seed: 3 });
  return {
    name: 'withings',
    env: { ...fakeProviderEnv('WITHINGS', fake), WITHINGS_WEBHOOK_TOKEN: WITHINGS_TOKEN },
    // The Notify subscriptions made at connect are not data.
    dataRequests: () => fake.requests.filter((r) => r.path !== '/notify').length,
    async newWorkout(i) {
      const start = workoutStart(i) / 1000;
      const workout = workoutRecord(randomTools(`bench-${i}`), start, 'Europe/Paris', { category: 1 });
      const window = { appli: 16, startdate: start, enddate: workout.enddate as number };
      acked(await fake.add(DEFAULT_WITHINGS_USER, 'workouts', workout, window));
      return start * 1000;
    },
    stop: fake.stop,
    fake,
  };
}
