import { BatchWriteCommand, paginateQuery } from '@aws-sdk/lib-dynamodb';
import { db } from '#shared/store/client.js';
import { itemSize } from '#shared/store/item-size.js';
import { readSeriesSamples } from '#shared/store/series-read.js';
import { benchWatch, quantityRecords } from './apple-records.js';
import { meterCapacity } from './capacity.js';
import { type BenchSandbox, percentile, startBenchSandbox } from './sandbox.js';

const DAY = 86_400_000;
const WEEK_START = Date.UTC(2026, 2, 2);
const BATCH = 2000;
const BASELINE_SAMPLES = 20_000;
const READS = 200;

const watch = { ...benchWatch, deviceType: 'watch' };
const record = quantityRecords(watch);

/**
 * A week of Apple Watch data: heart rate every minute and every 5 s during five one-hour workouts, steps and
 * active energy every 10 s while awake, and seven nights of sleep stages.
 */
function syntheticWeek() {
  const records = [];
  const workouts = new Set([0, 1, 3, 4, 6].map((d) => WEEK_START + d * DAY + 17 * 3_600_000));
  for (let t = WEEK_START; t < WEEK_START + 7 * DAY; t += 60_000) {
    const hour = new Date(t).getUTCHours();
    const inWorkout = [...workouts].some((w) => t >= w && t < w + 3_600_000);
    const step = inWorkout ? 5000 : 60_000;
    for (let s = t; s < t + 60_000; s += step) {
      records.push(
        record(
          'HeartRate',
          s,
          Math.round(inWorkout ? 150 + 10 * Math.sin(s / 60_000) : 62 + 8 * Math.sin(s / 3_600_000)),
          'count/min',
        ),
      );
    }
    if (hour >= 7 && hour < 23) {
      for (let s = t; s < t + 60_000; s += 10_000) {
        records.push(record('StepCount', s, inWorkout ? 27 : (s / 10_000) % 5, 'count'));
        records.push(record('ActiveEnergyBurned', s, inWorkout ? 2.1 : 0.2, 'kcal'));
      }
    }
  }
  const sleep = [];
  for (let d = 0; d < 7; d++) {
    const bed = WEEK_START + d * DAY - 90 * 60_000;
    const stages = ['light', 'deep', 'light', 'rem', 'awake'];
    for (let i = 0; i < 40; i++) {
      sleep.push({
        stage: stages[i % stages.length],
        startDate: new Date(bed + i * 12 * 60_000).toISOString(),
        endDate: new Date(bed + (i + 1) * 12 * 60_000).toISOString(),
        zoneOffset: '+01:00',
        source: watch,
      });
    }
  }
  return { records, sleep };
}

/** The same samples stored one item per sample, as a naive design would: the baseline for write units and bytes. */
async function baseline(
  records: ReturnType<typeof syntheticWeek>['records'],
  meter: ReturnType<typeof meterCapacity>,
) {
  const { doc, table } = db();
  const before = meter.snapshot();
  let bytes = 0;
  for (let i = 0; i < records.length; i += 25) {
    const items = records.slice(i, i + 25).map((r) => ({
      PK: `BASELINE#user#${r.type}#watch`,
      SK: r.startDate,
      value: r.value,
      zone_offset: r.zoneOffset,
      is_daily_total: false,
    }));
    bytes += items.reduce((n, item) => n + itemSize(item), 0);
    let pending = items.map((Item) => ({ PutRequest: { Item } }));
    while (pending.length > 0) {
      const out = await doc.send(new BatchWriteCommand({ RequestItems: { [table]: pending } }));
      pending = (out.UnprocessedItems?.[table] ?? []) as typeof pending;
    }
  }
  return { writeUnits: meter.since(before).write, bytes };
}

async function storedChunkBytes(userId: string) {
  const { doc, table } = db();
  let bytes = 0;
  for (const series of ['heart_rate', 'steps', 'energy']) {
    const pages = paginateQuery(
      { client: doc },
      {
        TableName: table,
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': `TS#${userId}#${series}` },
      },
    );
    for await (const page of pages) for (const item of page.Items ?? []) bytes += itemSize(item);
  }
  return bytes;
}

async function timeReads(sandbox: BenchSandbox, userId: string, meter: ReturnType<typeof meterCapacity>) {
  const day = WEEK_START + 3 * DAY;
  const rows = [];
  for (const resolution of ['raw', '5min']) {
    const samples: number[] = [];
    let units = 0;
    for (let i = 0; i < READS; i++) {
      const before = meter.snapshot();
      const started = performance.now();
      const response = await sandbox.get(
        `/api/v1/users/${userId}/timeseries?types=heart_rate&start_time=${day / 1000}&end_time=${(day + DAY) / 1000}&resolution=${resolution}&limit=100`,
      );
      if (response.status !== 200) throw new Error(`timeseries read failed: ${response.status}`);
      samples.push(performance.now() - started);
      units = meter.since(before).read;
    }
    samples.sort((a, b) => a - b);
    rows.push({
      read: `HTTP first page (100), 1 day HR, ${resolution}`,
      'p50 ms': percentile(samples, 50),
      'p99 ms': percentile(samples, 99),
      'read units': units.toFixed(1),
    });
  }
  const storeSamples: number[] = [];
  let units = 0;
  for (let i = 0; i < READS; i++) {
    const before = meter.snapshot();
    const started = performance.now();
    const { sources } = await readSeriesSamples(userId, 'heart_rate', day, day + DAY);
    storeSamples.push(performance.now() - started);
    units = meter.since(before).read;
    if (sources.length === 0) throw new Error('no heart rate read back');
  }
  storeSamples.sort((a, b) => a - b);
  rows.push({
    read: 'store, 1 day HR, raw (all samples)',
    'p50 ms': percentile(storeSamples, 50),
    'p99 ms': percentile(storeSamples, 99),
    'read units': units.toFixed(1),
  });
  return rows;
}

/** Pushes a synthetic week through the SDK endpoint and compares storage with one item per sample. */
export async function benchIngest() {
  const sandbox = await startBenchSandbox();
  try {
    const meter = meterCapacity(db().doc);
    const { records, sleep } = syntheticWeek();
    const userId = await sandbox.createUser();
    const batches = [];
    for (let i = 0; i < records.length; i += BATCH)
      batches.push({ records: records.slice(i, i + BATCH), sleep: [] as unknown[] });
    batches.push({ records: [], sleep });

    const before = meter.snapshot();
    const started = performance.now();
    let saved = 0;
    for (const data of batches) {
      const response = await sandbox.post(`/api/v1/sdk/users/${userId}/sync`, {
        provider: 'apple',
        sdkVersion: '0.6.0',
        syncTimestamp: new Date().toISOString(),
        data,
      });
      if (response.status !== 202)
        throw new Error(`push failed: ${response.status} ${JSON.stringify(response.body)}`);
      saved += (response.body as { records_saved: number }).records_saved;
    }
    const seconds = (performance.now() - started) / 1000;
    const ingest = meter.since(before);
    const chunkBytes = await storedChunkBytes(userId);
    const base = await baseline(records.slice(0, BASELINE_SAMPLES), meter);
    const per1000 = (value: number, count: number) => ((value / count) * 1000).toFixed(1);

    return {
      summary: [
        { metric: 'samples pushed', value: records.length },
        { metric: 'samples saved (202 counts)', value: saved },
        { metric: 'batches (2,000 records)', value: batches.length },
        { metric: 'end-to-end samples/s', value: Math.round(records.length / seconds) },
      ],
      storage: [
        {
          layout: 'compact hourly chunks (this system)',
          'write units / 1,000 samples': per1000(ingest.write, records.length),
          'stored bytes / sample': (chunkBytes / records.length).toFixed(2),
        },
        {
          layout: `one item per sample (baseline, ${BASELINE_SAMPLES} samples)`,
          'write units / 1,000 samples': per1000(base.writeUnits, BASELINE_SAMPLES),
          'stored bytes / sample': (base.bytes / BASELINE_SAMPLES).toFixed(2),
        },
      ],
      ratio: (base.writeUnits / BASELINE_SAMPLES / (ingest.write / records.length)).toFixed(1),
      reads: await timeReads(sandbox, userId, meter),
    };
  } finally {
    await sandbox.stop();
  }
}
