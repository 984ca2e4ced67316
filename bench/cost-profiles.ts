import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  paginateQuery,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { db } from '#shared/store/client.js';
import { upsertConnection } from '#shared/store/connections.js';
import { itemSize } from '#shared/store/item-size.js';
import { keys } from '#shared/store/keys.js';
import { budgetKey } from '#shared/store/rate-budgets.js';
import { listUserSeries } from '#shared/store/series-registry.js';
import { dispatchLiveSyncs } from '#shared/sync/dispatcher.js';
import { RUN_PREFIX } from '#shared/sync/status.js';
import { generateGarminDays } from '#test/fakes/garmin.js';
import { followConsent } from '#test/fakes/oauth-fake.js';
import { benchWatch, quantityRecords } from './apple-records.js';
import { type Meter, plus, scale, type Usage } from './cost-model.js';
import type { BenchSandbox } from './sandbox.js';
import { garminBatches } from './webhooks.js';

/**
 * The three active users of the cost model (bench/cost.ts): what each does in a day through the sandbox, metered.
 */
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
export const BACKFILL_DAYS = 30;
export const GARMIN_CLIENT = 'bench-cost-garmin';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const record = quantityRecords(benchWatch);

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

export interface Profile {
  profile: string;
  day: Usage;
  bytes: number;
  samplesPerDay: number;
  /** Write units by item kind of parts of the run, when the run takes them itself. */
  writes?: Record<string, string>;
}

/** The largest write (or read) units by item kind, `scale`d, as one line. */
export const topUnits = (rows: Array<[string, number]>, scale = 1) =>
  rows
    .slice(0, 6)
    .map(([kind, units]) => `${kind}: ${Math.round(units * scale)}`)
    .join(', ');

/**
 * The bench runs a day in seconds, but some state moves with the clock: an SDK connection is stamped at most every
 * SDK_STAMP_PRECISION_MS, and a provider's request bucket refills over minutes. Before each push or hourly sync,
 * the time a real day would let pass is taken off their timestamps (the SDK connection's `last_synced_at`, a
 * bucket's `at`), through a client of its own, outside the meter.
 */
function clockRewinder() {
  const clock = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  const rewind = async (Key: Record<string, string>, attribute: string, ms: number) => {
    const { table } = db();
    const { Item } = await clock.send(new GetCommand({ TableName: table, Key, ConsistentRead: true }));
    const at = Item?.[attribute];
    if (typeof at !== 'string' && typeof at !== 'number') return;
    const earlier = typeof at === 'number' ? at - ms : new Date(Date.parse(at) - ms).toISOString();
    await clock.send(
      new UpdateCommand({
        TableName: table,
        Key,
        UpdateExpression: 'SET #at = :at',
        ExpressionAttributeNames: { '#at': attribute },
        ExpressionAttributeValues: { ':at': earlier },
      }),
    );
  };
  return {
    stamp: (userId: string, ms: number) =>
      rewind({ PK: keys.userPartition(userId), SK: 'CONN#apple' }, 'last_synced_at', ms),
    budget: (provider: string, ms: number) => rewind(budgetKey(provider), 'at', ms),
    stop: () => clock.destroy(),
  };
}

/** (a) An Apple Watch user pushing through POST /sdk/users/{id}/sync every 15 minutes, one day. */
export async function sdkWatch(sandbox: BenchSandbox, meter: Meter): Promise<Profile> {
  const userId = await sandbox.createUser();
  const day = Date.UTC(2026, 10, 2);
  const records = watchDay(day);
  const clock = clockRewinder();
  // The mobile SDKs push with a user-scoped SDK token (a JWT: no read), not an integrator's API key.
  const issued = await sandbox.post(`/api/v1/users/${userId}/token`, {}, sandbox.bearer);
  const sdkToken = { authorization: `Bearer ${(issued.body as { access_token: string }).access_token}` };
  const before = meter.snapshot();
  for (let from = day; from < day + DAY; from += 15 * MIN) {
    await clock.stamp(userId, 15 * MIN);
    const slice = records.filter(
      (r) => Date.parse(r.startDate) >= from && Date.parse(r.startDate) < from + 15 * MIN,
    );
    const response = await meter.api(() =>
      sandbox.post(
        `/api/v1/sdk/users/${userId}/sync`,
        {
          provider: 'apple',
          sdkVersion: '0.6.0',
          syncTimestamp: new Date(from + 15 * MIN).toISOString(),
          data: { records: slice, sleep: [] },
        },
        sdkToken,
      ),
    );
    if (response.status !== 202) throw new Error(`push failed: ${response.status}`);
  }
  clock.stop();
  await sleep(2_000);
  return {
    profile: '(a) Apple Watch, SDK push every 15 min',
    day: meter.since(before),
    bytes: await storedBytes(userId),
    samplesPerDay: records.length,
  };
}

/**
 * Waits until `count` of the user's sync runs ended, reading their summaries (shared/sync/status.ts) through a
 * client of its own (the bench's polling is not what the user costs), and their invocations were metered.
 */
async function waitForRuns(meter: Meter, userId: string, count: number) {
  const watcher = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  try {
    for (let i = 0; i < 1_200; i++) {
      const { Items = [] } = await watcher.send(
        new QueryCommand({
          TableName: db().table,
          KeyConditionExpression: 'PK = :pk AND begins_with(SK, :run)',
          ExpressionAttributeValues: { ':pk': keys.userPartition(userId), ':run': RUN_PREFIX },
          ConsistentRead: true,
        }),
      );
      if (Items.filter((r) => r.stage === 'completed' || r.stage === 'failed').length >= count) {
        return await meter.settled();
      }
      await sleep(100);
    }
    throw new Error('sync runs did not finish');
  } finally {
    watcher.destroy();
  }
}

/**
 * (b) A user with Oura and WHOOP, polled hourly (the sync schedule's default) through the sync worker: a day is 24
 * live syncs per provider (measured: three each, scaled, each after the hour that refills the provider's request
 * bucket) plus writing one day of their data (measured: a 30-day backfill, divided by 30).
 */
export async function polled(sandbox: BenchSandbox, meter: Meter): Promise<Profile> {
  const userId = await sandbox.createUser();
  const before = meter.snapshot();
  let runs = 0;
  for (const provider of ['oura', 'whoop']) {
    const authorize = await sandbox.get(`/api/v1/oauth/${provider}/authorize?user_id=${userId}`);
    const consent = await followConsent((authorize.body as { authorization_url: string }).authorization_url);
    await meter.api(() =>
      fetch(consent.location!.replace(sandbox.apiBaseUrl, sandbox.url), { redirect: 'manual' }),
    );
    await waitForRuns(meter, userId, ++runs);
  }
  const backfill = meter.since(before);
  const backfillWrites = topUnits(meter.takeWritesByKind());
  meter.takeReadsByKind();
  const samples = await samplesOf(userId);
  const live = meter.snapshot();
  const SYNCS = 3;
  const clock = clockRewinder();
  for (let i = 0; i < SYNCS; i++) {
    for (const provider of ['oura', 'whoop'] as const) {
      // The hour since the last sync refills the provider's request bucket (unless other users drained it).
      await clock.budget(provider, HOUR);
      await dispatchLiveSyncs({ provider }, { remainingMs: () => 900_000, jitterSeconds: 0 });
      await waitForRuns(meter, userId, ++runs);
    }
  }
  const perSync = scale(meter.since(live), 1 / SYNCS);
  clock.stop();
  return {
    writes: {
      '(b) 30-day backfill': backfillWrites,
      '(b) one hourly live sync of each provider': topUnits(meter.takeWritesByKind(), 1 / SYNCS),
      '(b) its read units': topUnits(meter.takeReadsByKind(), 1 / SYNCS),
    },
    profile: '(b) Oura + WHOOP, polled hourly',
    day: plus(scale(perSync, 24), scale(backfill, 1 / BACKFILL_DAYS)),
    bytes: (await storedBytes(userId)) / BACKFILL_DAYS,
    samplesPerDay: samples / BACKFILL_DAYS,
  };
}

/** (c) A Garmin user: a week of every summary type, pushed per type and day as Garmin batches it, per day. */
export async function garmin(sandbox: BenchSandbox, meter: Meter): Promise<Profile> {
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
  for (const { key, items } of garminBatches(data)) {
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
  await waitForRuns(meter, userId, pushes);
  await sleep(1_000);
  return {
    profile: '(c) Garmin, webhook pushes',
    day: scale(meter.since(before), 1 / days),
    bytes: (await storedBytes(userId)) / days,
    samplesPerDay: (await samplesOf(userId)) / days,
  };
}
