import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { SQSClient } from '@aws-sdk/client-sqs';
import { QUEUES } from '#shared/jobs/queues.js';
import { db } from '#shared/store/client.js';
import { meterCapacity } from './capacity.js';

/**
 * AWS list prices, us-east-1, as published on the AWS pricing pages (taken 2026-12-01, not fetched by this code):
 * on-demand DynamoDB, Lambda on arm64, SQS standard, API Gateway HTTP API, CloudWatch, S3 Standard, KMS, Secrets
 * Manager, EventBridge Scheduler. Free tiers are left out (they are per account, not per user).
 */
export const PRICES = {
  dynamoWriteUnit: 0.625 / 1e6,
  dynamoReadUnit: 0.125 / 1e6,
  dynamoGbMonth: 0.25,
  lambdaGbSecond: 0.0000133334,
  lambdaRequest: 0.2 / 1e6,
  sqsRequest: 0.4 / 1e6,
  httpApiRequest: 1.0 / 1e6,
  logsIngestedGb: 0.5,
  s3GbMonth: 0.023,
  kmsKeyMonth: 1,
  kmsRequest: 0.03 / 10_000,
  secretMonth: 0.4,
  alarmMonth: 0.1,
  dashboardMonth: 3,
  schedulerInvocation: 1.0 / 1e6,
};

/** Memory of every function of the stack (lib/app-function.ts, lib/jobs.ts). */
export const LAMBDA_GB = 1024 / 1024;
/**
 * Assumed, not measured: CloudWatch Logs bytes per invocation (START/END/REPORT lines and a line or two at the
 * default level) and per HTTP API access log entry.
 */
const LOG_BYTES_PER_INVOCATION = 1_000;
const ACCESS_LOG_BYTES = 400;

export interface Usage {
  writeUnits: number;
  readUnits: number;
  invocations: number;
  lambdaMs: number;
  sqsRequests: number;
  apiRequests: number;
}

const zero = (): Usage => ({
  writeUnits: 0,
  readUnits: 0,
  invocations: 0,
  lambdaMs: 0,
  sqsRequests: 0,
  apiRequests: 0,
});

const QUEUE_NAMES = new Set<string>(Object.values(QUEUES).map((q) => q.name));

/**
 * Meters what the sandbox does: DynamoDB units (every command returns its consumed capacity), SQS requests (every
 * client in the process), SQS-triggered invocations and their duration (from the poller's non-empty receive to
 * the delete of those messages: the handler's run), and the HTTP API requests the bench makes itself (each one
 * invocation of an area function, timed by the caller). Empty polls are left out: they are the idle cost.
 */
export function startMeter() {
  const capacity = meterCapacity(db().doc);
  const totals = zero();
  const writesByKind = new Map<string, number>();
  const readsByKind = new Map<string, number>();
  db().doc.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      const consumed = (result.output as { ConsumedCapacity?: unknown }).ConsumedCapacity;
      const units = [consumed ?? []]
        .flat()
        .reduce((n: number, c) => n + ((c as { CapacityUnits?: number }).CapacityUnits ?? 0), 0);
      const kind = `${(context.commandName ?? '').replace(/(Item)?Command$/, '')} ${itemKind(args.input as Record<string, unknown>)}`;
      const byKind = /Get|Query|Scan/.test(kind) ? readsByKind : writesByKind;
      byKind.set(kind, (byKind.get(kind) ?? 0) + units);
      return result;
    },
    { step: 'initialize', name: 'costWritesByKind' },
  );
  const running = new Map<string, { start: number; done: boolean }>();
  const original = SQSClient.prototype.send;
  const send = async function (this: SQSClient, ...args: unknown[]) {
    const [command] = args as unknown as [{ constructor: { name: string }; input: Record<string, unknown> }];
    const name = command.constructor.name;
    const out = (await (original as (...a: unknown[]) => Promise<unknown>).apply(this, args)) as {
      Messages?: Array<{ ReceiptHandle?: string }>;
    };
    const queue =
      String(command.input.QueueUrl ?? '')
        .split('/')
        .pop() ?? '';
    if (name === 'ReceiveMessageCommand') {
      if ((out.Messages?.length ?? 0) > 0 && QUEUE_NAMES.has(queue)) {
        totals.sqsRequests++;
        totals.invocations++;
        const run = { start: performance.now(), done: false };
        for (const m of out.Messages ?? []) running.set(m.ReceiptHandle ?? '', run);
      }
    } else {
      totals.sqsRequests++;
    }
    if (name === 'DeleteMessageBatchCommand') {
      for (const entry of (command.input.Entries ?? []) as Array<{ ReceiptHandle?: string }>) {
        const run = running.get(entry.ReceiptHandle ?? '');
        running.delete(entry.ReceiptHandle ?? '');
        if (run && !run.done) {
          run.done = true;
          totals.lambdaMs += performance.now() - run.start;
        }
      }
    }
    return out;
  };
  SQSClient.prototype.send = send as unknown as SQSClient['send'];
  const snapshot = (): Usage => {
    const units = capacity.snapshot();
    return { ...totals, writeUnits: units.write, readUnits: units.read };
  };
  return {
    snapshot,
    since: (before: Usage): Usage => {
      const now = snapshot();
      return Object.fromEntries(
        Object.entries(now).map(([k, v]) => [k, v - before[k as keyof Usage]]),
      ) as unknown as Usage;
    },
    /** One HTTP API request, as the area function's invocation. */
    async api<T>(call: () => Promise<T>): Promise<T> {
      const started = performance.now();
      try {
        return await call();
      } finally {
        totals.apiRequests++;
        totals.invocations++;
        totals.lambdaMs += performance.now() - started;
      }
    },
    /**
     * Resolves once every message received has been deleted: a run's summary says it ended before its worker
     * returns, and the invocation's time is counted at the delete (bounded: a message handed back stays pending).
     */
    async settled() {
      for (let waited = 0; running.size > 0 && waited < 30_000; waited += 20) await sleep(20);
    },
    /** Write units by command and item kind (partition prefix, sort key prefix) since the last call. */
    takeWritesByKind: () => take(writesByKind),
    /** Read units the same way (a query by its key condition's values). */
    takeReadsByKind: () => take(readsByKind),
    stop: () => {
      SQSClient.prototype.send = original;
    },
  };
}

export type Meter = ReturnType<typeof startMeter>;

function take(byKind: Map<string, number>): Array<[string, number]> {
  const rows = [...byKind].sort((a, b) => b[1] - a[1]);
  byKind.clear();
  return rows;
}

/**
 * `USER SERIES`, `TS 1764…`: what kind of item a write command writes (its first item, for batches; for a
 * guarded transaction, its first item after the user guard).
 */
function itemKind(input: Record<string, unknown>): string {
  const first = (value: unknown): Record<string, unknown> | undefined => {
    if (Array.isArray(value)) return first(value[0]);
    if (!value || typeof value !== 'object') return undefined;
    const record = value as Record<string, unknown>;
    if ('PK' in record) return record;
    for (const v of Object.values(record)) {
      const found = first(v);
      if (found) return found;
    }
    return undefined;
  };
  const transact = input.TransactItems as Array<Record<string, unknown>> | undefined;
  const guarded = transact && transact.length > 1 && 'ConditionCheck' in transact[0]!;
  const part = (v: unknown) =>
    String(v ?? '?')
      .split('#')[0]!
      .replace(/^\d+$/, '<bucket>');
  if (typeof input.KeyConditionExpression === 'string') {
    // The key condition's values, in the order it names them (filter values aside).
    const values = (input.ExpressionAttributeValues ?? {}) as Record<string, unknown>;
    const named = input.KeyConditionExpression.match(/:\w+/g) ?? [];
    const index = input.IndexName ? `${input.IndexName}: ` : '';
    return `${index}${named.map((name) => part(values[name])).join(' ')}`;
  }
  const key = first(
    input.Item ?? input.Key ?? (guarded ? transact.slice(1) : transact) ?? input.RequestItems,
  );
  return `${part(key?.PK)} ${part(key?.SK)}`;
}

export const scale = (usage: Usage, factor: number): Usage =>
  Object.fromEntries(Object.entries(usage).map(([k, v]) => [k, v * factor])) as unknown as Usage;

export const plus = (a: Usage, b: Usage): Usage =>
  Object.fromEntries(Object.entries(a).map(([k, v]) => [k, v + b[k as keyof Usage]])) as unknown as Usage;

/** Dollars a month for a month of usage and `bytes` stored, by line item. */
export function monthlyCost(month: Usage, bytes: number) {
  const logsGb = (month.invocations * LOG_BYTES_PER_INVOCATION + month.apiRequests * ACCESS_LOG_BYTES) / 1e9;
  const lines = {
    'DynamoDB writes': month.writeUnits * PRICES.dynamoWriteUnit,
    'DynamoDB reads': month.readUnits * PRICES.dynamoReadUnit,
    'DynamoDB storage': (bytes / 1e9) * PRICES.dynamoGbMonth,
    'Lambda requests': month.invocations * PRICES.lambdaRequest,
    'Lambda GB-s': (month.lambdaMs / 1000) * LAMBDA_GB * PRICES.lambdaGbSecond,
    'SQS requests': month.sqsRequests * PRICES.sqsRequest,
    'HTTP API requests': month.apiRequests * PRICES.httpApiRequest,
    'CloudWatch Logs ingestion (assumed bytes)': logsGb * PRICES.logsIngestedGb,
  };
  return { lines, total: Object.values(lines).reduce((a, b) => a + b, 0) };
}

const TEMPLATE = 'cdk.out/OpenWearables-ci.template.json';

type Resource = { Type: string; Properties?: Record<string, unknown> };

/** The stack's resources and those of its nested stacks (the monitoring stack's templates sit beside it). */
function stackResources(): Resource[] {
  const read = (file: string) =>
    Object.values((JSON.parse(readFileSync(file, 'utf8')).Resources ?? {}) as Record<string, Resource>);
  const nested = readdirSync('cdk.out')
    .filter((file) => file.startsWith('OpenWearablesci') && file.endsWith('.nested.template.json'))
    .map((file) => `cdk.out/${file}`);
  return [TEMPLATE, ...nested].flatMap(read);
}

/** CloudWatch bills an alarm per metric it reads: a metric-math alarm costs one per metric of its expression. */
const alarmMetrics = (alarm: Resource) =>
  Array.isArray(alarm.Properties?.Metrics)
    ? (alarm.Properties.Metrics as { MetricStat?: unknown }[]).filter((m) => m.MetricStat).length
    : 1;

/**
 * The fixed monthly cost of a deployed stack with no users, from the synthesized template: keys, secrets, alarms,
 * dashboards, and the schedules' invocations. The SQS polling of the event source mappings is estimated (Lambda's
 * pollers long-poll an empty queue: assumed 5 pollers x 3 receives a minute each), not measured.
 */
export function idleStack(msPerScheduledRun: number) {
  if (!existsSync(TEMPLATE)) return undefined;
  const resources = stackResources();
  const count = (type: string) => resources.filter((r) => r.Type === type).length;
  const perMonth = { minute: 43_200, minutes: 43_200, hour: 720, hours: 720, day: 30, days: 30 };
  const scheduled = resources
    .filter((r) => r.Type === 'AWS::Scheduler::Schedule')
    .map((r) => /rate\((\d+) (\w+)\)/.exec(String(r.Properties?.ScheduleExpression)))
    .reduce((n, m) => n + (m ? perMonth[m[2] as keyof typeof perMonth] / Number(m[1]) : 0), 0);
  const mappings = count('AWS::Lambda::EventSourceMapping');
  const alarmMetricCount = resources
    .filter((r) => r.Type === 'AWS::CloudWatch::Alarm')
    .reduce((n, alarm) => n + alarmMetrics(alarm), 0);
  const pollRequests = mappings * 5 * 3 * 43_200;
  const rows = [
    { item: 'KMS keys', count: count('AWS::KMS::Key'), usd: count('AWS::KMS::Key') * PRICES.kmsKeyMonth },
    {
      item: 'Secrets Manager secrets',
      count: count('AWS::SecretsManager::Secret'),
      usd: count('AWS::SecretsManager::Secret') * PRICES.secretMonth,
    },
    {
      item: 'CloudWatch alarm metrics (metric-math alarms count each metric)',
      count: alarmMetricCount,
      usd: alarmMetricCount * PRICES.alarmMonth,
    },
    {
      item: 'CloudWatch dashboards',
      count: count('AWS::CloudWatch::Dashboard'),
      usd: count('AWS::CloudWatch::Dashboard') * PRICES.dashboardMonth,
    },
    {
      item: 'Scheduled invocations / month (Scheduler + Lambda)',
      count: Math.round(scheduled),
      usd:
        scheduled *
        (PRICES.schedulerInvocation +
          PRICES.lambdaRequest +
          (msPerScheduledRun / 1000) * LAMBDA_GB * PRICES.lambdaGbSecond),
    },
    {
      item: `SQS empty receives of ${mappings} event source mappings (estimate)`,
      count: pollRequests,
      usd: pollRequests * PRICES.sqsRequest,
    },
  ];
  return { rows, total: rows.reduce((n, r) => n + r.usd, 0) };
}
