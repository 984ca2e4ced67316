import { db } from '#shared/store/client.js';
import { followConsent } from '#test/fakes/oauth-fake.js';
import { meterCapacity } from './capacity.js';
import { type BenchProvider, FINAL_FAKES } from './provider-fakes.js';
import { type BenchSandbox, percentile, startBenchSandbox } from './sandbox.js';
import { withingsBudget } from './withings-budget.js';

const NOTIFICATIONS = 10;
const BACKFILL_TIMEOUT_MS = 300_000;
const POLL_MS = 250;
const HOUR = 3_600_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const iso = (ms: number) => new Date(ms).toISOString();

type Run = { run_id: string; stage: string; status: string };

/** Connects a new user through the fake's consent page and waits for the historical run to end. */
async function backfill(sandbox: BenchSandbox, provider: BenchProvider) {
  const meter = meterCapacity(db().doc);
  const userId = await sandbox.createUser();
  const requestsBefore = provider.dataRequests();
  const before = meter.snapshot();
  const started = performance.now();
  const authorize = await sandbox.get(`/api/v1/oauth/${provider.name}/authorize?user_id=${userId}`);
  const url = (authorize.body as { authorization_url?: string }).authorization_url;
  if (!url) throw new Error(`authorize answered ${authorize.status}: ${JSON.stringify(authorize.body)}`);
  const consent = await followConsent(url, 'allow');
  const callback = await fetch(consent.location!.replace(sandbox.apiBaseUrl, sandbox.url), {
    redirect: 'manual',
  });
  if (callback.status !== 303)
    throw new Error(`callback answered ${callback.status}: ${await callback.text()}`);
  let polls = 0;
  let run: Run | undefined;
  while (!run) {
    if (performance.now() - started > BACKFILL_TIMEOUT_MS)
      throw new Error('the run did not end in 5 minutes');
    await sleep(POLL_MS);
    polls++;
    const runs = (await sandbox.get(`/api/v1/users/${userId}/sync/runs`)).body as Run[];
    run = runs.find((r) => r.stage === 'completed' || r.stage === 'failed');
  }
  const seconds = (performance.now() - started) / 1000;
  const used = meter.since(before);
  const requests = provider.dataRequests() - requestsBefore;
  // Our own status polls are not the backfill's: one poll's units, measured now the run is over, times the polls.
  const pollBefore = meter.snapshot();
  await sandbox.get(`/api/v1/users/${userId}/sync/runs`);
  const poll = meter.since(pollBefore);
  const events = (await sandbox.get(`/api/v1/users/${userId}/sync/recent?limit=200`)).body as Array<
    Run & { metadata: Record<string, unknown> }
  >;
  const saved = events.find((e) => e.run_id === run.run_id && e.stage === run.stage)?.metadata ?? {};
  return {
    userId,
    row: {
      provider: provider.name,
      status: run.status,
      'connect -> completed s': seconds.toFixed(1),
      'data requests': requests,
      'write units': (used.write - polls * poll.write).toFixed(0),
      'read units': (used.read - polls * poll.read).toFixed(0),
      samples: saved.samples_saved,
      events: saved.events_saved,
      scores: saved.scores_saved,
    },
  };
}

/** New workouts notified one at a time, each polled for through the read API until it is there. */
async function notificationToReadable(sandbox: BenchSandbox, provider: BenchProvider, userId: string) {
  const delays: number[] = [];
  for (let i = 0; i < NOTIFICATIONS; i++) {
    const sent = performance.now();
    const start = await provider.newWorkout!(i);
    const range = `start_date=${iso(start - HOUR)}&end_date=${iso(start + HOUR)}&limit=100`;
    for (;;) {
      const page = (await sandbox.get(`/api/v1/users/${userId}/events/workouts?${range}`)).body as {
        data: Array<{ start_time: string }>;
      };
      if (page.data.some((w) => Math.abs(Date.parse(w.start_time) - start) < 1000)) break;
      if (performance.now() - sent > 60_000) throw new Error(`workout ${i} not readable after 60 s`);
      await sleep(25);
    }
    delays.push(performance.now() - sent);
  }
  delays.sort((a, b) => a - b);
  return {
    provider: provider.name,
    notifications: delays.length,
    'p50 ms': percentile(delays, 50),
    'max ms': delays.at(-1)!.toFixed(0),
  };
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error)).slice(0, 160);

/**
 * Every cloud provider against its fake in one sandbox: a 90-day backfill each, then webhook -> readable delays,
 * then Withings' shared budget under 200 concurrent backfills. A step that fails is reported, not fatal: the
 * Google Health and Withings fakes are tried last and may not be finished.
 */
export async function benchProviders() {
  const failures: Array<{ provider: string; step: string; error: string }> = [];
  const attempt = async <T>(provider: string, step: string, work: () => Promise<T>) => {
    try {
      return await work();
    } catch (error) {
      failures.push({ provider, step, error: message(error) });
      return undefined;
    }
  };

  const providers: BenchProvider[] = [];
  for (const start of Object.values(FINAL_FAKES)) providers.push(await start());
  const fresh = await attempt(
    'google_health, withings',
    'load fakes',
    () => import('./provider-fakes-more.js'),
  );
  const google = fresh && (await attempt('google_health', 'start fake', fresh.googleHealth));
  const withings = fresh && (await attempt('withings', 'start fake', fresh.withings));
  if (google) providers.push(google);
  if (withings) providers.push(withings);

  const sandbox = await startBenchSandbox(Object.assign({}, ...providers.map((p) => p.env)));
  try {
    const subscribed = new Set<string>();
    for (const p of providers) {
      if (!p.subscribe) continue;
      const ok = await attempt(p.name, 'subscribe', async () => {
        await p.subscribe!(sandbox);
        return true;
      });
      if (ok) subscribed.add(p.name);
    }

    const backfills = [];
    const users = new Map<string, string>();
    for (const p of providers) {
      const done = await attempt(p.name, 'backfill', () => backfill(sandbox, p));
      if (!done) continue;
      backfills.push(done.row);
      users.set(p.name, done.userId);
    }

    const delays = [];
    for (const p of providers) {
      const userId = users.get(p.name);
      if (!p.newWorkout || !userId || (p.subscribe && !subscribed.has(p.name))) continue;
      const row = await attempt(p.name, 'webhook', () => notificationToReadable(sandbox, p, userId));
      if (row) delays.push(row);
    }

    const budget =
      withings && users.has('withings')
        ? await attempt('withings', 'shared budget', () => withingsBudget(withings.fake))
        : undefined;
    return { backfills, delays, budget, failures };
  } finally {
    // Fakes first: a sync still running then fails fast instead of holding the sandbox's stop.
    await Promise.all(providers.map((p) => p.stop()));
    await sandbox.stop();
  }
}
