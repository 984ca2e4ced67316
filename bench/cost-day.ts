import { setTimeout as sleep } from 'node:timers/promises';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  paginateQuery,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { db } from '#shared/store/client.js';
import { itemSize } from '#shared/store/item-size.js';
import { keys } from '#shared/store/keys.js';
import { budgetKey } from '#shared/store/rate-budgets.js';
import { listUserSeries } from '#shared/store/series-registry.js';
import { RUN_PREFIX } from '#shared/sync/status.js';
import { benchWatch, quantityRecords } from './apple-records.js';
import type { Meter } from './cost-meter.js';

/** What the cost model's users do in a day (bench/cost-profiles.ts), and the bench's hand on the clock. */
export const MIN = 60_000;
export const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;

const record = quantityRecords(benchWatch);

/**
 * A realistic Apple Watch day: heart rate every 5 s in a 45-minute workout and every 5 minutes otherwise, active
 * energy every minute and steps and distance every 3 minutes while awake, basal energy every 5 minutes,
 * respiratory rate and SpO2 at night, a few HRV readings, one resting heart rate.
 */
export function watchDay(day: number) {
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

export async function storedBytes(userId: string): Promise<number> {
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

export const samplesOf = async (userId: string) =>
  (await listUserSeries(userId)).reduce((n, e) => n + e.count, 0);

/**
 * The bench runs a day in seconds, but some state moves with the clock: an SDK connection is stamped at most every
 * SDK_STAMP_PRECISION_MS, a provider's request bucket refills over minutes, and a provider's access token expires
 * (refreshed within 5 minutes of its expiry). Before each push or hourly sync, the time a real day would let pass
 * is taken off their timestamps (the SDK connection's `last_synced_at`, a bucket's `at`, a connection's
 * `token_expires_at`), through a client of its own, outside the meter.
 */
export function clockRewinder() {
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
    expiry: (userId: string, provider: string, ms: number) =>
      rewind(keys.connection(userId, provider), 'token_expires_at', ms),
    /** The connection's token version (one more per refresh) and its token's expiry. */
    tokens: async (userId: string, provider: string) => {
      const { Item } = await clock.send(
        new GetCommand({
          TableName: db().table,
          Key: keys.connection(userId, provider),
          ConsistentRead: true,
        }),
      );
      return { version: Number(Item?.token_version), expiresAt: Number(Item?.token_expires_at) };
    },
    stop: () => clock.destroy(),
  };
}

/**
 * Waits until `count` of the user's sync runs ended, reading their summaries (shared/sync/status.ts) through a
 * client of its own (the bench's polling is not what the user costs), and their invocations were metered.
 */
export async function waitForRuns(meter: Meter, userId: string, count: number) {
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
