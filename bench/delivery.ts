import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { healthKitPush, healthKitRecord, healthKitWorkout } from '#test/helpers/sdk-payloads.js';
import { type BenchSandbox, percentile, startBenchSandbox } from './sandbox.js';

const USERS = 10;
const PUSHES_PER_USER = 20;
const IN_FLIGHT = 4;
/** Deliveries are done when none arrived for this long after the last push was acknowledged. */
const QUIET_MS = 5_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Receiver {
  url: string;
  delays: number[];
  ids: Set<string>;
  /** Event types delivered more than once under one message id (at-least-once; receivers dedupe by webhook-id). */
  repeated: string[];
  count: number;
  last: number;
  server: Server;
}

/** An integrator endpoint on this machine: answers 204 and notes when each delivery arrived. */
async function startReceiver(): Promise<Receiver> {
  const receiver = {
    delays: [] as number[],
    ids: new Set<string>(),
    repeated: [] as string[],
    count: 0,
    last: 0,
  } as Receiver;
  receiver.server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const now = Date.now();
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { type: string; timestamp: string };
      receiver.delays.push(now - Date.parse(body.timestamp));
      const id = String(req.headers['webhook-id']);
      if (receiver.ids.has(id)) receiver.repeated.push(body.type);
      receiver.ids.add(id);
      receiver.count++;
      receiver.last = now;
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(receiver.server.address() as AddressInfo).port}/hooks`;
  return receiver;
}

/** One push: an hour of heart rate (1/min), steps every 5 minutes and a workout. */
function hourPush(hour: number) {
  const start = Date.parse('2026-11-30T00:00:00Z') + hour * 3_600_000;
  const records = [
    ...Array.from({ length: 60 }, (_, m) =>
      healthKitRecord(
        'HKQuantityTypeIdentifierHeartRate',
        start + m * 60_000,
        start + m * 60_000,
        60 + (m % 40),
        'count/min',
      ),
    ),
    ...Array.from({ length: 12 }, (_, m) =>
      healthKitRecord(
        'HKQuantityTypeIdentifierStepCount',
        start + m * 300_000,
        start + (m + 1) * 300_000,
        400,
        'count',
      ),
    ),
  ];
  const workouts = [healthKitWorkout(start, start + 1_800_000, [])];
  return healthKitPush({ records, workouts });
}

async function pushAll(sandbox: BenchSandbox, userIds: string[]) {
  const jobs = userIds.flatMap((userId) =>
    Array.from({ length: PUSHES_PER_USER }, (_, h) => ({ userId, h })),
  );
  let next = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < jobs.length) {
        const { userId, h } = jobs[next++]!;
        const response = await sandbox.post(`/api/v1/sdk/users/${userId}/sync`, hourPush(h));
        if (response.status !== 202) throw new Error(`push answered ${response.status}`);
      }
    }),
  );
}

/**
 * SDK pushes of 10 users with one endpoint subscribed to every event: how many deliveries per second the fan-out and
 * delivery workers sustain, and the delay from the durable write (the event's `timestamp`) to the receiver.
 */
export async function benchDelivery() {
  const receiver = await startReceiver();
  const sandbox = await startBenchSandbox();
  try {
    const created = await sandbox.post('/api/v1/webhooks/endpoints', { url: receiver.url }, sandbox.bearer);
    if (created.status !== 201)
      throw new Error(`endpoint: ${created.status} ${JSON.stringify(created.body)}`);
    const userIds = await Promise.all(Array.from({ length: USERS }, () => sandbox.createUser()));
    const started = Date.now();
    await pushAll(sandbox, userIds);
    const pushed = Date.now();
    while (receiver.count === 0 || Date.now() - Math.max(receiver.last, pushed) < QUIET_MS) await sleep(100);
    const seconds = (receiver.last - started) / 1000;
    const delays = [...receiver.delays].sort((a, b) => a - b);
    return [
      { metric: 'SDK pushes (72 samples + 1 workout each)', value: USERS * PUSHES_PER_USER },
      { metric: 'pushes acknowledged in (s)', value: ((pushed - started) / 1000).toFixed(1) },
      { metric: 'deliveries received', value: receiver.count },
      { metric: 'distinct message ids', value: receiver.ids.size },
      { metric: 'repeated deliveries (event types)', value: receiver.repeated.join(', ') || 'none' },
      { metric: 'deliveries/s (first push -> last delivery)', value: (receiver.count / seconds).toFixed(1) },
      { metric: 'durable write -> delivered p50 (ms)', value: percentile(delays, 50) },
      { metric: 'durable write -> delivered p95 (ms)', value: percentile(delays, 95) },
      { metric: 'durable write -> delivered p99 (ms)', value: percentile(delays, 99) },
      { metric: 'durable write -> delivered max (ms)', value: delays.at(-1)?.toFixed(2) },
    ];
  } finally {
    await sandbox.stop();
    await new Promise((resolve) => receiver.server.close(resolve));
  }
}
