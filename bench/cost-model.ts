import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { entrySize, type RecordedBusEntry } from '#shared/delivery/event-bus.js';

/**
 * AWS list prices, us-east-1, as published on the AWS pricing pages (taken 2026-12-01, not fetched by this code):
 * on-demand DynamoDB, Lambda on arm64, SQS standard, API Gateway HTTP API and REST API, CloudWatch, S3 Standard
 * requests, KMS, Secrets Manager, EventBridge custom events and Scheduler. Free tiers are left out (they are per
 * account, not per user).
 */
export const PRICES = {
  dynamoWriteUnit: 0.625 / 1e6,
  dynamoReadUnit: 0.125 / 1e6,
  dynamoGbMonth: 0.25,
  lambdaGbSecond: 0.0000133334,
  lambdaRequest: 0.2 / 1e6,
  sqsRequest: 0.4 / 1e6,
  httpApiRequest: 1.0 / 1e6,
  restApiRequest: 3.5 / 1e6,
  logsIngestedGb: 0.5,
  s3PutRequest: 0.005 / 1000,
  s3GetRequest: 0.0004 / 1000,
  eventBridgeEvent: 1.0 / 1e6,
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
 * default level) and per API Gateway access log entry (the HTTP API's and the mobile ingress's REST API's).
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
  /** The mobile ingress (API Gateway REST API). */
  restApiRequests: number;
  /** S3 PUT, COPY, POST and LIST requests (one price); DELETE is free. */
  s3PutRequests: number;
  s3GetRequests: number;
  /** EventBridge events as billed: each 64 KB chunk of an entry is one. */
  busEvents: number;
  kmsRequests: number;
}

/** EventBridge bills each 64 KB chunk of a put entry as one event. */
export const EVENT_CHUNK_BYTES = 64 * 1024;

/** The events one put entry is billed as (its size as EventBridge counts it, shared/delivery/event-bus.ts). */
export const busEventsOf = (entry: RecordedBusEntry | PutEventsRequestEntry) =>
  Math.max(1, Math.ceil(entrySize(entry as PutEventsRequestEntry) / EVENT_CHUNK_BYTES));

export const scale = (usage: Usage, factor: number): Usage =>
  Object.fromEntries(Object.entries(usage).map(([k, v]) => [k, v * factor])) as unknown as Usage;

export const plus = (a: Usage, b: Usage): Usage =>
  Object.fromEntries(Object.entries(a).map(([k, v]) => [k, v + b[k as keyof Usage]])) as unknown as Usage;

/** Dollars a month for a month of usage and `bytes` stored, by line item. */
export function monthlyCost(month: Usage, bytes: number) {
  const accessLogs = (month.apiRequests + month.restApiRequests) * ACCESS_LOG_BYTES;
  const logsGb = (month.invocations * LOG_BYTES_PER_INVOCATION + accessLogs) / 1e9;
  const lines = {
    'DynamoDB writes': month.writeUnits * PRICES.dynamoWriteUnit,
    'DynamoDB reads': month.readUnits * PRICES.dynamoReadUnit,
    'DynamoDB storage': (bytes / 1e9) * PRICES.dynamoGbMonth,
    'Lambda requests': month.invocations * PRICES.lambdaRequest,
    'Lambda GB-s': (month.lambdaMs / 1000) * LAMBDA_GB * PRICES.lambdaGbSecond,
    'SQS requests': month.sqsRequests * PRICES.sqsRequest,
    'HTTP API requests': month.apiRequests * PRICES.httpApiRequest,
    'REST API requests (mobile ingress)': month.restApiRequests * PRICES.restApiRequest,
    'S3 PUT/LIST requests': month.s3PutRequests * PRICES.s3PutRequest,
    'S3 GET requests': month.s3GetRequests * PRICES.s3GetRequest,
    'EventBridge events': month.busEvents * PRICES.eventBridgeEvent,
    'KMS requests': month.kmsRequests * PRICES.kmsRequest,
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
