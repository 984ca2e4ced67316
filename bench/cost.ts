import { DEFAULT_OURA_USER, generateOuraDays, startFakeOura } from '#test/fakes/oura.js';
import { fakeProviderEnv } from '#test/fakes/provider-env.js';
import { DEFAULT_WHOOP_USER, generateWhoopDays, startFakeWhoop } from '#test/fakes/whoop.js';
import { useBenchKms } from './cost-kms.js';
import { type Meter, startMeter } from './cost-meter.js';
import { idleStack, monthlyCost, scale } from './cost-model.js';
import { BACKFILL_DAYS, GARMIN_CLIENT, garmin, polled, sdkWatch, topUnits } from './cost-profiles.js';
import { storeShapes } from './cost-shapes.js';
import { type BenchSandbox, startBenchSandbox } from './sandbox.js';

export async function benchCost() {
  // Whatever started is stopped, even when a later start fails (open servers would keep the process alive).
  const oura = await startFakeOura({ autoApprove: true });
  try {
    const whoop = await startFakeWhoop({ autoApprove: true });
    try {
      return await withFakes(oura, whoop);
    } finally {
      await whoop.stop();
    }
  } finally {
    await oura.stop();
  }
}

async function withFakes(
  oura: Awaited<ReturnType<typeof startFakeOura>>,
  whoop: Awaited<ReturnType<typeof startFakeWhoop>>,
) {
  oura.seed(DEFAULT_OURA_USER, generateOuraDays({ days: BACKFILL_DAYS, end: Date.now(), seed: 3 }));
  whoop.seed(DEFAULT_WHOOP_USER, generateWhoopDays({ days: BACKFILL_DAYS, end: Date.now(), seed: 3 }));
  const sandbox = await startBenchSandbox({
    ...fakeProviderEnv('OURA', oura),
    ...fakeProviderEnv('WHOOP', whoop),
    GARMIN_CLIENT_ID: GARMIN_CLIENT,
    GARMIN_CLIENT_SECRET: 'bench',
  });
  try {
    const kms = useBenchKms();
    try {
      const meter = startMeter();
      try {
        return await measure(sandbox, meter);
      } finally {
        meter.stop();
      }
    } finally {
      kms.stop();
    }
  } finally {
    await sandbox.stop();
  }
}

/** The store shapes and the three profiles, metered. */
async function measure(sandbox: BenchSandbox, meter: Meter) {
  const writes: Record<string, string> = {};
  const events: Record<string, string> = {};
  const step = async <T>(name: string, run: () => Promise<T>) => {
    meter.takeWritesByKind();
    meter.takeReadsByKind();
    const result = await run();
    const own = (result as { writes?: Record<string, string> }).writes;
    Object.assign(events, (result as { events?: Record<string, string> }).events);
    Object.assign(
      writes,
      own ?? {
        [name]: topUnits(meter.takeWritesByKind()),
        [`${name} read units`]: topUnits(meter.takeReadsByKind()),
      },
    );
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
    'HTTP API requests/day': Math.round(p.day.apiRequests),
    'REST API requests/day': Math.round(p.day.restApiRequests),
    'S3 PUT+LIST / GET a day': `${Math.round(p.day.s3PutRequests)} / ${Math.round(p.day.s3GetRequests)}`,
    'EventBridge events/day': Math.round(p.day.busEvents),
    'KMS requests/day': Math.round(p.day.kmsRequests),
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
  return { store, usage, costs, idle, writes, events };
}

/** `npm run bench -- cost`: the tables of the cost model. */
export async function printCost() {
  const { store, usage, costs, idle, writes, events } = await benchCost();
  console.log('\nCost model: write units per 1,000 samples by shape (store, through the ingest write path):');
  console.table(store);
  console.log('\nCost model: measured use per active user and day (sandbox, real handlers, DynamoDB Local):');
  console.table(usage);
  console.log(
    '\nCost model: the largest write (and read) units of each run, by command and item (PK SK prefixes):',
  );
  console.table(Object.entries(writes).map(([run, top]) => ({ run, top })));
  console.log(
    '\nCost model: EventBridge events (64 KB chunks of the entries put on the bus) by detail type:',
  );
  console.table(Object.entries(events).map(([run, top]) => ({ run, top })));
  console.log('\nCost model: USD per active user per month, us-east-1 list prices (bench/cost-model.ts):');
  console.table(costs);
  console.log(MEASURED);
  console.log('\nCost model: fixed USD per month of an idle stack (cdk.out/OpenWearables-ci.template.json):');
  console.table(
    idle?.rows.map((r) => ({ ...r, usd: r.usd.toFixed(2) })) ?? [{ item: 'no synthesized template' }],
  );
  if (idle) console.log(`idle stack: $${idle.total.toFixed(2)} a month`);
}

const MEASURED = `Measured in the sandbox: DynamoDB units, Lambda invocations and ms (SQS workers from receive to delete, API
functions by the request's round trip, the push authorizer inside its handler), SQS requests, HTTP and REST API
requests, S3 requests (the object store wrapped), EventBridge events (the entries the fan-out puts, by 64 KB chunk),
KMS requests (the vault on its KMS key provider, answered in-process). Computed or assumed: CloudWatch Logs (assumed
bytes per invocation and access log entry), a month of stored bytes, and the clock the bench moves outside the meter
(SDK stamp, request buckets, token expiry, the vault's 5-minute data-key cache emptied before each hourly sync).`;
