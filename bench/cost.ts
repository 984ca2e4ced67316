import { paginateQuery } from '@aws-sdk/lib-dynamodb';
import { writeSeries } from '#shared/ingest/persist.js';
import type { Sample } from '#shared/model/health-data.js';
import { db } from '#shared/store/client.js';
import { upsertConnection } from '#shared/store/connections.js';
import { itemSize } from '#shared/store/item-size.js';
import { readSeriesSamples } from '#shared/store/series-read.js';
import { listUserSeries } from '#shared/store/series-registry.js';
import { dispatchLiveSyncs } from '#shared/sync/dispatcher.js';
import { generateGarminDays } from '#test/fakes/garmin.js';
import { followConsent } from '#test/fakes/oauth-fake.js';
import { DEFAULT_OURA_USER, generateOuraDays, startFakeOura } from '#test/fakes/oura.js';
import { fakeProviderEnv } from '#test/fakes/provider-env.js';
import { DEFAULT_WHOOP_USER, generateWhoopDays, startFakeWhoop } from '#test/fakes/whoop.js';
import { idleStack, type Meter, monthlyCost, plus, scale, startMeter, type Usage } from './cost-model.js';
import { type BenchSandbox, startBenchSandbox } from './sandbox.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const BACKFILL_DAYS = 30;
const GARMIN_CLIENT = 'bench-cost-garmin';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const watch = { appId: 'com.apple.health.bench', deviceName: 'Apple Watch', deviceModel: 'Watch7,1' };
const record = (type: string, at: number, value: number, unit: string) => ({
  type: `HKQuantityTypeIdentifier${type}`,
  startDate: new Date(at).toISOString(),
  endDate: new Date(at).toISOString(),
  zoneOffset: '+01:00',
  source: watch,
  value,
  unit,
});

/**
 * A realistic Apple Watch day: heart rate every 5 s in a 45-minute workout and every 5 minutes otherwise, active
 * energy every minute and steps and distance every 3 minutes while awake, basal energy every 5 minutes,
 * respiratory rate and SpO2 at night, a few HRV readings, one resting heart rate.
 */
function watchDay(day: number) {
  const records = [];
  const workout = day + 17 * HOUR;
  for (let t = day; t < day + DAY; ) {
    const inWorkout = t >= workout && t < workout + 45 * MIN;
    records.push(
      record('HeartRate', t, inWorkout ? 140 + ((t / 5000) % 20) : 58 + ((t / MIN) % 13), 'count/min'),
    );
    t += inWorkout ? 5000 : 5 * MIN;
  }
  for (let t = day + 7 * HOUR; t < day + 23 * HOUR; t += MIN) {
    records.push(record('ActiveEnergyBurned', t, 0.3 + ((t / MIN) % 7) / 10, 'kcal'));
    if ((t / MIN) % 3 === 0) {
      records.push(record('StepCount', t, 20 + ((t / MIN) % 40), 'count'));
      records.push(record('DistanceWalkingRunning', t, 15 + ((t / MIN) % 30), 'm'));
    }
  }
  for (let t = day; t < day + DAY; t += 5 * MIN) records.push(record('BasalEnergyBurned', t, 5.5, 'kcal'));
  for (let t = day; t < day + 6 * HOUR; t += 15 * MIN) {
    records.push(record('RespiratoryRate', t, 14 + ((t / MIN) % 3), 'count/min'));
    records.push(record('OxygenSaturation', t, 0.96, '%'));
  }
  for (const h of [3, 9, 15, 21]) records.push(record('HeartRateVariabilitySDNN', day + h * HOUR, 42, 'ms'));
  records.push(record('RestingHeartRate', day + 8 * HOUR, 56, 'count/min'));
  return records;
}

async function storedBytes(userId: string): Promise<number> {
  const { doc, table } = db();
  const partitions = [
    `USER#${userId}`,
    ...new Set((await listUserSeries(userId)).map((e) => `TS#${userId}#${e.series}`)),
  ];
  let bytes = 0;
  for (const pk of partitions) {
    const pages = paginateQuery(
      { client: doc },
      { TableName: table, KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': pk } },
    );
    for await (const page of pages) for (const item of page.Items ?? []) bytes += itemSize(item);
  }
  return bytes;
}

const samplesOf = async (userId: string) => (await listUserSeries(userId)).reduce((n, e) => n + e.count, 0);

interface Profile {
  profile: string;
  day: Usage;
  bytes: number;
  samplesPerDay: number;
}

/** (a) An Apple Watch user pushing through POST /sdk/users/{id}/sync every 15 minutes, one day. */
async function sdkWatch(sandbox: BenchSandbox, meter: Meter): Promise<Profile> {
  const userId = await sandbox.createUser();
  const day = Date.UTC(2026, 10, 2);
  const records = watchDay(day);
  const before = meter.snapshot();
  for (let from = day; from < day + DAY; from += 15 * MIN) {
    const slice = records.filter(
      (r) => Date.parse(r.startDate) >= from && Date.parse(r.startDate) < from + 15 * MIN,
    );
    const response = await meter.api(() =>
      sandbox.post(`/api/v1/sdk/users/${userId}/sync`, {
        provider: 'apple',
        sdkVersion: '0.6.0',
        syncTimestamp: new Date(from + 15 * MIN).toISOString(),
        data: { records: slice, sleep: [] },
      }),
    );
    if (response.status !== 202) throw new Error(`push failed: ${response.status}`);
  }
  await sleep(2_000);
  return {
    profile: '(a) Apple Watch, SDK push every 15 min',
    day: meter.since(before),
    bytes: await storedBytes(userId),
    samplesPerDay: records.length,
  };
}

async function waitForRuns(sandbox: BenchSandbox, userId: string, count: number) {
  for (let i = 0; i < 1_200; i++) {
    const runs = (await sandbox.get(`/api/v1/users/${userId}/sync/runs?limit=200`)).body as Array<{
      stage: string;
    }>;
    if (runs.filter((r) => r.stage === 'completed' || r.stage === 'failed').length >= count) return;
    await sleep(100);
  }
  throw new Error('sync runs did not finish');
}

/**
 * (b) A user with Oura and WHOOP, polled hourly (the sync schedule's default) through the sync worker: a day is 24
 * live syncs per provider (measured: three each, scaled) plus writing one day of their data (measured: a 30-day
 * backfill, divided by 30).
 */
async function polled(sandbox: BenchSandbox, meter: Meter): Promise<Profile> {
  const userId = await sandbox.createUser();
  const before = meter.snapshot();
  let runs = 0;
  for (const provider of ['oura', 'whoop']) {
    const authorize = await sandbox.get(`/api/v1/oauth/${provider}/authorize?user_id=${userId}`);
    const consent = await followConsent((authorize.body as { authorization_url: string }).authorization_url);
    await meter.api(() =>
      fetch(consent.location!.replace(sandbox.apiBaseUrl, sandbox.url), { redirect: 'manual' }),
    );
    await waitForRuns(sandbox, userId, ++runs);
  }
  const backfill = meter.since(before);
  const samples = await samplesOf(userId);
  const live = meter.snapshot();
  const SYNCS = 3;
  for (let i = 0; i < SYNCS; i++) {
    for (const provider of ['oura', 'whoop'] as const) {
      await dispatchLiveSyncs({ provider }, { remainingMs: () => 900_000, jitterSeconds: 0 });
      await waitForRuns(sandbox, userId, ++runs);
    }
  }
  const perSync = scale(meter.since(live), 1 / SYNCS);
  return {
    profile: '(b) Oura + WHOOP, polled hourly',
    day: plus(scale(perSync, 24), scale(backfill, 1 / BACKFILL_DAYS)),
    bytes: (await storedBytes(userId)) / BACKFILL_DAYS,
    samplesPerDay: samples / BACKFILL_DAYS,
  };
}

/** (c) A Garmin user: a week of every summary type, pushed per type and day as Garmin batches it, per day. */
async function garmin(sandbox: BenchSandbox, meter: Meter): Promise<Profile> {
  const userId = await sandbox.createUser();
  await upsertConnection(userId, 'garmin', {
    provider_user_id: 'bench-cost-garmin-user',
    provider_username: null,
    scope: 'ACTIVITY_EXPORT HEALTH_EXPORT',
    tokens: null,
    token_expires_at: null,
  });
  const days = 7;
  const data = generateGarminDays({
    days,
    userId: 'bench-cost-garmin-user',
    end: Date.UTC(2026, 10, 28),
    seed: 3,
  });
  const before = meter.snapshot();
  let pushes = 0;
  for (const [key, list] of Object.entries(data)) {
    const byDay = new Map<string, unknown[]>();
    for (const item of list as Array<Record<string, unknown>>) {
      const day = String(
        item.calendarDate ?? new Date(Number(item.startTimeInSeconds ?? 0) * 1000).toISOString().slice(0, 10),
      );
      byDay.set(day, [...(byDay.get(day) ?? []), item]);
    }
    for (const items of byDay.values()) {
      await meter.api(async () => {
        const response = await fetch(`${sandbox.url}/api/v1/providers/garmin/webhooks`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'garmin-client-id': GARMIN_CLIENT },
          body: JSON.stringify({ [key]: items }),
        });
        await response.text();
      });
      pushes++;
    }
  }
  await waitForRuns(sandbox, userId, pushes);
  await sleep(1_000);
  return {
    profile: '(c) Garmin, webhook pushes',
    day: scale(meter.since(before), 1 / days),
    bytes: (await storedBytes(userId)) / days,
    samplesPerDay: (await samplesOf(userId)) / days,
  };
}

/** Store-level write units per 1,000 samples for the shapes of issue 12's targets, through persist's writeSeries. */
async function storeShapes(sandbox: BenchSandbox, meter: Meter) {
  const day = Date.UTC(2026, 10, 2);
  const at = (t: number, value: number, flag: boolean | null = null): Sample => ({
    timestamp: t,
    value,
    zoneOffset: '+01:00',
    isDailyTotal: flag,
  });
  // The week of bench/ingest.ts, three days of it: heart rate every minute (5 s in an hour's workout), steps and
  // energy every 10 s while awake.
  const dense = { heart_rate: [] as Sample[], steps: [] as Sample[], energy: [] as Sample[] };
  for (let t = day; t < day + 3 * DAY; t += MIN) {
    const inWorkout = (t - day) % DAY >= 17 * HOUR && (t - day) % DAY < 18 * HOUR;
    for (let s = t; s < t + MIN; s += inWorkout ? 5000 : MIN)
      dense.heart_rate.push(at(s, inWorkout ? 150 : 62));
    const hour = new Date(t).getUTCHours();
    if (hour >= 7 && hour < 23) {
      for (let s = t; s < t + MIN; s += 10_000) {
        dense.steps.push(at(s, (s / 10_000) % 5, false));
        dense.energy.push(at(s, 0.2, false));
      }
    }
  }
  const sparse = {
    heart_rate: Array.from({ length: 3 * 288 }, (_, i) => at(day + i * 5 * MIN, 60 + (i % 9))),
    skin_temperature_deviation: Array.from({ length: 3 * 288 }, (_, i) =>
      at(day + i * 5 * MIN, (i % 11) / 10),
    ),
    heart_rate_variability_rmssd: Array.from({ length: 3 * 288 }, (_, i) =>
      at(day + i * 5 * MIN, 40 + (i % 5)),
    ),
  };
  const pieces = (series: Record<string, Sample[]>, span: number) => {
    const out: Array<Record<string, Sample[]>> = [];
    for (let from = day; from < day + 3 * DAY; from += span) {
      out.push(
        Object.fromEntries(
          Object.entries(series).map(([k, v]) => [
            k,
            v.filter((s) => s.timestamp >= from && s.timestamp < from + span),
          ]),
        ),
      );
    }
    return out;
  };
  const byCount = (series: Record<string, Sample[]>, size: number) => {
    const all = Object.entries(series)
      .flatMap(([k, v]) => v.map((s) => [k, s] as const))
      .sort((a, b) => a[1].timestamp - b[1].timestamp);
    const out: Array<Record<string, Sample[]>> = [];
    for (let i = 0; i < all.length; i += size) {
      const push: Record<string, Sample[]> = {};
      for (const [k, s] of all.slice(i, i + size)) push[k] = [...(push[k] ?? []), s];
      out.push(push);
    }
    return out;
  };
  const shapes: Array<[string, Array<Record<string, Sample[]>>]> = [
    ['dense Apple Watch (bench ingest), 15-minute pushes', pieces(dense, 15 * MIN)],
    ['dense Apple Watch, 2,000-sample batches', byCount(dense, 2_000)],
    ['sparse provider series (5-minute data), a day per sync', pieces(sparse, DAY)],
    ['sparse provider series, hourly syncs of the new hour', pieces(sparse, HOUR)],
  ];
  const rows = [];
  for (const [shape, pushes] of shapes) {
    const userId = await sandbox.createUser();
    const before = meter.snapshot();
    let samples = 0;
    for (const push of pushes) {
      const series = Object.entries(push)
        .filter(([, v]) => v.length > 0)
        .map(([series, v]) => ({ series: series as never, key: '0123456789abcdef', samples: v }));
      samples += series.reduce((n, s) => n + s.samples.length, 0);
      await writeSeries(userId, series);
    }
    const used = meter.since(before);
    const read = await readSeriesSamples(userId, 'heart_rate', day + DAY, day + 2 * DAY);
    rows.push({
      shape,
      samples,
      'write units / 1,000 samples': ((used.writeUnits / samples) * 1000).toFixed(1),
      'one-day HR read, RCU': read.consumedRcu,
    });
  }
  return rows;
}

export async function benchCost() {
  const [oura, whoop] = await Promise.all([
    startFakeOura({ autoApprove: true }),
    startFakeWhoop({ autoApprove: true }),
  ]);
  oura.seed(DEFAULT_OURA_USER, generateOuraDays({ days: BACKFILL_DAYS, end: Date.now(), seed: 3 }));
  whoop.seed(DEFAULT_WHOOP_USER, generateWhoopDays({ days: BACKFILL_DAYS, end: Date.now(), seed: 3 }));
  const sandbox = await startBenchSandbox({
    ...fakeProviderEnv('OURA', oura),
    ...fakeProviderEnv('WHOOP', whoop),
    GARMIN_CLIENT_ID: GARMIN_CLIENT,
    GARMIN_CLIENT_SECRET: 'bench',
  });
  const meter = startMeter();
  try {
    const writes: Record<string, string> = {};
    const step = async <T>(name: string, run: () => Promise<T>) => {
      meter.takeWritesByKind();
      const result = await run();
      writes[name] = meter
        .takeWritesByKind()
        .slice(0, 6)
        .map(([kind, units]) => `${kind}: ${Math.round(units)}`)
        .join(', ');
      return result;
    };
    const store = await step('store shapes', () => storeShapes(sandbox, meter));
    const profiles = [
      await step('(a)', () => sdkWatch(sandbox, meter)),
      await step('(b)', () => polled(sandbox, meter)),
      await step('(c)', () => garmin(sandbox, meter)),
    ];
    const usage = profiles.map((p) => ({
      profile: p.profile,
      'samples/day': Math.round(p.samplesPerDay),
      'WU/day': Math.round(p.day.writeUnits),
      'WU/1,000 samples': ((p.day.writeUnits / p.samplesPerDay) * 1000).toFixed(1),
      'RU/day': Math.round(p.day.readUnits),
      'invocations/day': Math.round(p.day.invocations),
      'Lambda ms/day (1,024 MB)': Math.round(p.day.lambdaMs),
      'SQS requests/day': Math.round(p.day.sqsRequests),
      'API requests/day': Math.round(p.day.apiRequests),
      'bytes stored/day': Math.round(p.bytes),
    }));
    const costs = profiles.map((p) => {
      // A month of usage; storage: what a month of data adds, billed for the month after (a year's history is 12x).
      const { lines, total } = monthlyCost(scale(p.day, 30), p.bytes * 30);
      return {
        profile: p.profile,
        ...Object.fromEntries(Object.entries(lines).map(([k, v]) => [k, v.toFixed(5)])),
        'USD / user / month': total.toFixed(4),
      };
    });
    const idle = idleStack(profiles[0]!.day.lambdaMs / Math.max(1, profiles[0]!.day.invocations));
    return { store, usage, costs, idle, writes };
  } finally {
    meter.stop();
    await sandbox.stop();
    await Promise.all([oura.stop(), whoop.stop()]);
  }
}

/** `npm run bench -- cost`: the tables of the cost model. */
export async function printCost() {
  const { store, usage, costs, idle, writes } = await benchCost();
  console.log('\nCost model: write units per 1,000 samples by shape (store, through the ingest write path):');
  console.table(store);
  console.log('\nCost model: measured use per active user and day (sandbox, real handlers, DynamoDB Local):');
  console.table(usage);
  console.log('\nCost model: the largest write units of each run, by command and item (PK SK prefixes):');
  console.table(Object.entries(writes).map(([run, top]) => ({ run, top })));
  console.log('\nCost model: USD per active user per month, us-east-1 list prices (bench/cost-model.ts):');
  console.table(costs);
  console.log('\nCost model: fixed USD per month of an idle stack (cdk.out/OpenWearables-ci.template.json):');
  console.table(
    idle?.rows.map((r) => ({ ...r, usd: r.usd.toFixed(2) })) ?? [{ item: 'no synthesized template' }],
  );
  if (idle) console.log(`idle stack: $${idle.total.toFixed(2)} a month`);
}
