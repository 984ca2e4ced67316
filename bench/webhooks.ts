import { db } from '#shared/store/client.js';
import { upsertConnection } from '#shared/store/connections.js';
import { type GarminDataset, generateGarminDays } from '#test/fakes/garmin.js';
import { meterCapacity } from './capacity.js';
import { type BenchSandbox, percentile, startBenchSandbox } from './sandbox.js';

const CLIENT_ID = 'bench-garmin-client';
const NOTIFICATIONS = 1_000;
const CONCURRENCY = 10;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Connects `garminUserId` to a new user of ours (as a finished OAuth connect would). */
async function linkedUser(sandbox: BenchSandbox, garminUserId: string) {
  const userId = await sandbox.createUser();
  await upsertConnection(userId, 'garmin', {
    provider_user_id: garminUserId,
    provider_username: null,
    scope: 'ACTIVITY_EXPORT HEALTH_EXPORT',
    tokens: null,
    token_expires_at: null,
  });
  return userId;
}

const push = (sandbox: BenchSandbox, body: string) =>
  fetch(`${sandbox.url}/api/v1/providers/garmin/webhooks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'garmin-client-id': CLIENT_ID },
    body,
  });

/** Waits until `count` webhook runs of the user are recorded (the worker handled that many deliveries). */
async function handled(sandbox: BenchSandbox, userId: string, count: number, timeoutMs = 300_000) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const runs = (await sandbox.get(`/api/v1/users/${userId}/sync/runs?limit=200`)).body as Array<{
      source: string;
      stage: string;
    }>;
    if (runs.filter((r) => r.source === 'webhook' && r.stage === 'completed').length >= count) return;
    await sleep(50);
  }
  throw new Error('the webhook worker did not finish in time');
}

/** Garmin accounts the 1,000 pushes are spread over (a user's sync status keeps its last 200 runs). */
const ACCOUNTS = 20;

/** 1,000 small pushes (one dailies summary each) at 10 in flight: what the ingress acknowledges, and how fast. */
async function acknowledgements(sandbox: BenchSandbox) {
  const userIds: string[] = [];
  for (let a = 0; a < ACCOUNTS; a++) userIds.push(await linkedUser(sandbox, `bench-ack-${a}`));
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < NOTIFICATIONS) {
        const i = next++;
        const body = JSON.stringify({
          dailies: [
            {
              userId: `bench-ack-${i % ACCOUNTS}`,
              summaryId: `bench-${i}`,
              calendarDate: '2026-11-29',
              startTimeInSeconds: 1_764_374_400 - i * 86_400,
              startTimeOffsetInSeconds: 3600,
              durationInSeconds: 86_400,
              steps: 5_000 + i,
            },
          ],
        });
        const sent = performance.now();
        const response = await push(sandbox, body);
        await response.text();
        if (response.status !== 200) throw new Error(`push answered ${response.status}`);
        latencies.push(performance.now() - sent);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const acked = performance.now();
  for (const userId of userIds) await handled(sandbox, userId, NOTIFICATIONS / ACCOUNTS);
  const drainSeconds = (performance.now() - acked) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    notifications: NOTIFICATIONS,
    'in flight': CONCURRENCY,
    'acks/s': Math.round(NOTIFICATIONS / seconds),
    'p50 ack ms': percentile(latencies, 50),
    'p99 ack ms': percentile(latencies, 99),
    'max ack ms': latencies.at(-1)!.toFixed(2),
    'worker drained after last ack s': drainSeconds.toFixed(1),
  };
}

/** A new activity pushed, then polled for through the read API until it is there: 20 times, one at a time. */
async function notificationToReadable(sandbox: BenchSandbox) {
  const garminUser = 'bench-delay-user';
  const userId = await linkedUser(sandbox, garminUser);
  const delays: number[] = [];
  for (let i = 0; i < 20; i++) {
    const start = Math.floor(Date.now() / 1000) - 7_200 - i * 3_600;
    const body = JSON.stringify({
      activities: [
        {
          userId: garminUser,
          summaryId: `act-${i}`,
          activityId: 9_000_000 + i,
          activityType: 'RUNNING',
          startTimeInSeconds: start,
          startTimeOffsetInSeconds: 3600,
          durationInSeconds: 1_800,
          distanceInMeters: 5_000,
        },
      ],
    });
    const sent = performance.now();
    await (await push(sandbox, body)).text();
    const from = new Date((start - 60) * 1000).toISOString();
    const to = new Date((start + 3_600) * 1000).toISOString();
    for (;;) {
      const page = (
        await sandbox.get(`/api/v1/users/${userId}/events/workouts?start_date=${from}&end_date=${to}`)
      ).body as { data: unknown[] };
      if (page.data.length > 0) break;
      if (performance.now() - sent > 60_000) throw new Error('the activity never became readable');
      await sleep(10);
    }
    delays.push(performance.now() - sent);
  }
  delays.sort((a, b) => a - b);
  return { notifications: delays.length, 'p50 ms': percentile(delays, 50), 'p95 ms': percentile(delays, 95) };
}

/** Garmin's pushes of a generated dataset: each summary type on its own, one push per type and day. */
export function garminBatches(data: GarminDataset): Array<{ key: string; items: unknown[] }> {
  return Object.entries(data).flatMap(([key, list]) => {
    const byDay = new Map<string, unknown[]>();
    for (const item of list as Array<Record<string, unknown>>) {
      const day = String(
        item.calendarDate ?? new Date(Number(item.startTimeInSeconds ?? 0) * 1000).toISOString().slice(0, 10),
      );
      byDay.set(day, [...(byDay.get(day) ?? []), item]);
    }
    return [...byDay.values()].map((items) => ({ key, items }));
  });
}

/** Write units of one realistic Garmin day (every summary type the generator makes), pushed as Garmin batches it. */
async function writeUnitsPerDay(sandbox: BenchSandbox) {
  const garminUser = 'bench-wu-user';
  const userId = await linkedUser(sandbox, garminUser);
  const days = 7;
  const data = generateGarminDays({ days, userId: garminUser, end: Date.UTC(2026, 10, 28), seed: 3 });
  const meter = meterCapacity(db().doc);
  const before = meter.snapshot();
  let pushes = 0;
  let items = 0;
  for (const { key, items: dayItems } of garminBatches(data)) {
    const response = await push(sandbox, JSON.stringify({ [key]: dayItems }));
    await response.text();
    pushes++;
    items += dayItems.length;
  }
  await handled(sandbox, userId, pushes);
  const used = meter.since(before);
  return {
    days,
    pushes,
    'summaries pushed': items,
    'write units / day': (used.write / days).toFixed(1),
    'read units / day': (used.read / days).toFixed(1),
  };
}

export async function benchWebhooks() {
  const sandbox = await startBenchSandbox({ GARMIN_CLIENT_ID: CLIENT_ID, GARMIN_CLIENT_SECRET: 'bench' });
  try {
    return {
      acks: [await acknowledgements(sandbox)],
      delay: [await notificationToReadable(sandbox)],
      units: [await writeUnitsPerDay(sandbox)],
    };
  } finally {
    await sandbox.stop();
  }
}
