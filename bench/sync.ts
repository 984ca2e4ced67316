import { createUser } from '#shared/identity/users.js';
import { db } from '#shared/store/client.js';
import { upsertConnection } from '#shared/store/connections.js';
import { dispatchLiveSyncs } from '#shared/sync/dispatcher.js';
import {
  type FakeFitbit,
  generateActivities,
  generateFitbitDays,
  startFakeFitbit,
} from '#test/fakes/fitbit.js';
import { followConsent } from '#test/fakes/oauth-fake.js';
import { fakeProviderEnv } from '#test/fakes/provider-env.js';
import { type FakeUltrahuman, startFakeUltrahuman } from '#test/fakes/ultrahuman.js';
import { meterCapacity } from './capacity.js';
import { type BenchSandbox, startBenchSandbox } from './sandbox.js';

const CONNECTIONS = 10_000;

async function inParallel(count: number, limit: number, work: (i: number) => Promise<unknown>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < count) await work(next++);
    }),
  );
}

async function benchDispatcher() {
  const sandbox = await startBenchSandbox();
  try {
    const seeded = performance.now();
    // Connections are only ever written for users that exist.
    await inParallel(CONNECTIONS, 32, async () =>
      upsertConnection((await createUser({})).id, 'fitbit', {
        provider_user_id: null,
        provider_username: null,
        scope: 'activity',
        tokens: null,
        token_expires_at: null,
      }),
    );
    const seedSeconds = (performance.now() - seeded) / 1000;
    const started = performance.now();
    const result = await dispatchLiveSyncs({ provider: 'fitbit' }, { remainingMs: () => 900_000 });
    const seconds = (performance.now() - started) / 1000;
    return [
      {
        'active connections': CONNECTIONS,
        'jobs queued': result.connections,
        'SendMessageBatch requests': result.requests,
        'dispatch s': seconds.toFixed(2),
        'jobs/s': Math.round(result.connections / seconds),
        'seeding s': seedSeconds.toFixed(1),
      },
    ];
  } finally {
    await sandbox.stop();
  }
}

async function backfill(sandbox: BenchSandbox, provider: string, providerRequests: () => number) {
  const meter = meterCapacity(db().doc);
  const userId = await sandbox.createUser();
  const before = { requests: providerRequests(), capacity: meter.snapshot() };
  const started = performance.now();
  const authorize = await sandbox.get(`/api/v1/oauth/${provider}/authorize?user_id=${userId}`);
  const consent = await followConsent(
    (authorize.body as { authorization_url: string }).authorization_url,
    'allow',
  );
  await fetch(consent.location!.replace(sandbox.apiBaseUrl, sandbox.url), { redirect: 'manual' });
  for (;;) {
    const runs = (await sandbox.get(`/api/v1/users/${userId}/sync/runs`)).body as Array<{
      stage: string;
      status: string;
    }>;
    const done = runs.find((r) => r.stage === 'completed' || r.stage === 'failed');
    if (done) {
      if (done.status === 'failed') throw new Error(`${provider} backfill failed`);
      break;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const capacity = meter.since(before.capacity);
  return {
    provider,
    'backfill s (connect to completed)': ((performance.now() - started) / 1000).toFixed(2),
    'provider data requests': providerRequests() - before.requests,
    'write units': capacity.write.toFixed(0),
    'read units': capacity.read.toFixed(0),
  };
}

async function benchBackfills() {
  const [fitbit, ultrahuman] = await Promise.all([
    // Fitbit allows 150 requests an hour per user: a 90-day backfill (about 190) would measure the wait.
    startFakeFitbit({ autoApprove: true, rateLimitPerHour: 1000 }),
    startFakeUltrahuman({ autoApprove: true }),
  ]);
  fitbit.setActivities('FAKE01', generateActivities({ days: 100, end: Date.now(), seed: 3 }));
  fitbit.seed('FAKE01', generateFitbitDays({ days: 100, end: Date.now(), seed: 3 }));
  const sandbox = await startBenchSandbox({
    ...fakeProviderEnv('FITBIT', fitbit),
    ...fakeProviderEnv('ULTRAHUMAN', ultrahuman),
    FITBIT_SUNSET: 'false',
  });
  try {
    const dataRequests = (fake: FakeFitbit | FakeUltrahuman) => () =>
      fake.requests.filter((r) => !r.path.includes('oauth') && !r.path.includes('authori')).length;
    return [
      await backfill(sandbox, 'fitbit', dataRequests(fitbit)),
      await backfill(sandbox, 'ultrahuman', dataRequests(ultrahuman)),
    ];
  } finally {
    await sandbox.stop();
    await Promise.all([fitbit.stop(), ultrahuman.stop()]);
  }
}

export async function benchSync() {
  return { dispatcher: await benchDispatcher(), backfills: await benchBackfills() };
}
