import { AspectPriority, Aspects, CfnOutput, Duration, NestedStack, Stack } from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  ComparisonOperator,
  type IMetric,
  MathExpression,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { AlarmNotifications, alarmTopic } from '#lib/alarm-topic.js';
import {
  BUSINESS_PERIOD,
  businessMetric,
  MonitoringDashboard,
  PERIOD,
  serverErrors,
  tableThrottles,
} from '#lib/monitoring-dashboard.js';
import { pascal } from '#lib/names.js';
import { ActiveTracing } from '#lib/tracing.js';
import { type QueueName, SYNC_PROVIDERS, SYNC_QUEUES } from '#shared/jobs/queues.js';
import { BUSINESS_METRICS } from '#shared/observability.js';

export interface ObservabilityProps {
  stage: string;
  /** Subscribed to the alarm topic by email (`-c alarmEmail=`); the address must confirm the subscription. */
  alarmEmail?: string | undefined;
  /** `-c tracing=true`: X-Ray active tracing (lib/tracing.ts). */
  tracing: boolean;
  api: IHttpApi;
  /** The mobile ingress: its push route writes to S3 itself, so only its 5xx count shows a broken integration. */
  mobileApi: RestApi;
  /**
   * The API functions and the mobile authorizer: graphed, not alarmed on. An area function answers the errors it
   * catches itself, so its Lambda errors are crashes, timeouts and throttles, which its API answers with a 5xx;
   * the authorizer's are mostly refused tokens (it throws `Unauthorized`), its failures a 500 of the mobile API.
   * `Api5xx` and `MobileApi5xx` see them (5 and 1% in 5 minutes, without naming the function) for no alarm metrics of
   * their own (CloudWatch bills each metric an alarm reads: two a function).
   */
  functions: IFunction[];
  /**
   * Workers and scheduled functions: alarmed on the first error. A scheduled run fails at most once per period
   * (and is not retried), so a burst threshold would never trip.
   */
  jobFunctions: IFunction[];
  /** Dead-letter queues by a name unique in the stack: any message in one means work was lost. */
  deadLetterQueues: Record<string, IQueue>;
  /** The registry's queues: graphed on the dashboard; the erasure queue's backlog is alarmed on. */
  queues: Record<QueueName, IQueue>;
  table: ITable;
}

/** A provider's sync failure rate alarms at this share of failed runs in an hour... */
const SYNC_FAILURE_RATE = 0.5;
/** ...once at least this many runs ended in that hour (a user or two failing is not an outage). */
const SYNC_MIN_RUNS = 5;
/** Providers watched by one alarm: three metrics each, and an alarm reads at most ten (template resources are few). */
const PROVIDERS_PER_ALARM = 3;
/** Provider webhooks refused for their signature in an hour: a rotated or misconfigured secret, or a forger. */
const SIGNATURE_FAILURES = 5;
/** 5xx answers in 5 minutes that page: at least this many... */
const SERVER_ERROR_COUNT = 5;
/** ...and at least this share of the requests (so a busy API does not page on noise). */
const SERVER_ERROR_SHARE = 0.01;
const SERVER_ERRORS = `${SERVER_ERROR_COUNT} or more 5xx in ${PERIOD.toMinutes()} minutes, and ${SERVER_ERROR_SHARE * 100}% or more of the requests`;

/** Throttled table requests in 5 minutes (the SDK retries them, at the caller's expense). */
const TABLE_THROTTLES = 5;
/** Stale push connections (shared/sync/watchdog.ts), three watchdog runs in a row. */
const STALE_CONNECTIONS = 5;
/** An erasure request still waiting after this long: users asked for their data to be deleted. */
const ERASURE_BACKLOG = Duration.hours(1);

/**
 * The stack's alarms and the SNS topic `open-wearables-<stage>-alarms` every one of them notifies (ALARM and OK),
 * by email with `alarmEmail`; an operator subscribes Slack or Chatbot to the topic (output `AlarmTopicArn`). Also the
 * CloudWatch dashboard (lib/monitoring-dashboard.ts) and, with `-c tracing=true`, X-Ray tracing (lib/tracing.ts).
 *
 * The alarms and the dashboard live in the nested stack `Monitoring` (CloudFormation allows 500 resources per
 * stack); CDK passes it the functions, queues, table, APIs and topic they reference as parameters. The topic stays
 * here, and the aspect reaches every alarm of the stack, nested or not.
 */
export class Observability extends Construct {
  readonly alarmTopic: Topic;
  private readonly stage: string;
  /** The nested stack of the alarms and the dashboard. */
  readonly monitoring: NestedStack;

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    this.monitoring = new NestedStack(this, 'Monitoring', {
      description: `Open Wearables ${props.stage}: CloudWatch alarms and dashboard`,
    });

    this.alarmTopic = alarmTopic(this, props.stage);
    if (props.alarmEmail) this.alarmTopic.addSubscription(new EmailSubscription(props.alarmEmail));
    // Over the whole stack: alarms other constructs create (now or later) notify the same topic.
    Aspects.of(Stack.of(this)).add(new AlarmNotifications(this.alarmTopic), {
      priority: AspectPriority.MUTATING,
    });

    this.stage = props.stage;
    for (const [id, api] of [
      ['Api5xx', props.api],
      ['MobileApi5xx', props.mobileApi],
    ] as const) {
      this.alarm(id, serverErrors(api, SERVER_ERROR_COUNT, SERVER_ERROR_SHARE), 1, {
        description: SERVER_ERRORS,
      });
    }
    // One alarm per job function on errors or throttles (CloudFormation's 500 resources per stack: two each would
    // cost one resource per function more); the dashboard says which metric.
    for (const fn of props.jobFunctions) {
      const failing = new MathExpression({
        expression: 'IF(FILL(errors, 0) >= 1 OR FILL(throttles, 0) >= 1, 1, 0)',
        usingMetrics: {
          errors: fn.metricErrors({ period: PERIOD, statistic: 'Sum' }),
          throttles: fn.metricThrottles({ period: PERIOD, statistic: 'Sum' }),
        },
        label: `${fn.node.id}: an error or a throttle`,
        period: PERIOD,
      });
      this.alarm(`${fn.node.id}Failing`, failing, 1, {
        description: `${fn.node.id}: an error or a throttle in ${PERIOD.toMinutes()} minutes`,
      });
    }
    for (const [name, queue] of Object.entries(props.deadLetterQueues)) {
      const depth = queue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: 'Maximum' });
      this.alarm(`${name}DeadLetters`, depth, 1);
    }
    this.businessAlarms();
    this.alarm('TableThrottles', tableThrottles(props.table), TABLE_THROTTLES);
    const erasureAge = props.queues.erasure.metricApproximateAgeOfOldestMessage({
      period: PERIOD,
      statistic: 'Maximum',
    });
    this.alarm('ErasureBacklog', erasureAge, ERASURE_BACKLOG.toSeconds(), {
      description: `The oldest erasure request has waited ${ERASURE_BACKLOG.toHours()} hour or more`,
    });

    const parent = Stack.of(this);
    // Dashboards are global per account: the region keeps one stage's dashboards in two regions apart.
    const dashboardName = `open-wearables-${props.stage}-${parent.region}`;
    new MonitoringDashboard(this.monitoring, 'Dashboard', {
      dashboardName,
      stage: props.stage,
      api: props.api,
      mobileApi: props.mobileApi,
      functions: [...props.functions, ...props.jobFunctions],
      queues: props.queues,
      deadLetterQueues: props.deadLetterQueues,
      table: props.table,
    });
    new CfnOutput(parent, 'MonitoringDashboardUrl', {
      value: `https://${parent.region}.console.aws.amazon.com/cloudwatch/home?region=${parent.region}#dashboards:name=${dashboardName}`,
      description: 'CloudWatch dashboard: APIs, functions, queues, table and business metrics',
    });
    if (props.tracing) {
      Aspects.of(Stack.of(this)).add(new ActiveTracing(), { priority: AspectPriority.MUTATING });
    }
  }

  /** On the business metrics (shared/observability.ts): sync failures per provider, signatures, stale connections. */
  private businessAlarms(): void {
    const { stage } = this;
    for (let first = 0; first < SYNC_PROVIDERS.length; first += PROVIDERS_PER_ALARM) {
      const providers = SYNC_PROVIDERS.slice(first, first + PROVIDERS_PER_ALARM);
      // One expression per provider (a query of its own), then the highest of them per timestamp.
      const rates: Record<string, IMetric> = {};
      providers.forEach((provider, i) => {
        const runs = (outcome: string) =>
          businessMetric(stage, BUSINESS_METRICS.syncRuns, { provider, outcome }, BUSINESS_PERIOD);
        const ended = `(FILL(s${i}, 0) + FILL(p${i}, 0) + FILL(f${i}, 0))`;
        rates[`e${i}`] = new MathExpression({
          expression: `IF(${ended} >= ${SYNC_MIN_RUNS}, FILL(f${i}, 0) / ${ended}, 0)`,
          usingMetrics: { [`s${i}`]: runs('success'), [`p${i}`]: runs('partial'), [`f${i}`]: runs('failed') },
          label: `${provider}: share of failed sync runs`,
          period: BUSINESS_PERIOD,
        });
      });
      const rate = new MathExpression({
        expression: `MAX([${Object.keys(rates).join(', ')}])`,
        usingMetrics: rates,
        label: `Highest share of failed sync runs: ${providers.join(', ')}`,
        period: BUSINESS_PERIOD,
      });
      const id = providers.map((provider) => pascal(SYNC_QUEUES[provider]).replace(/^Sync/, '')).join('');
      this.alarm(`SyncFailureRate${id}`, rate, SYNC_FAILURE_RATE, {
        description:
          `${SYNC_FAILURE_RATE * 100}% or more of the sync runs of one of ${providers.join(', ')} ended in an hour ` +
          `failed (with ${SYNC_MIN_RUNS} or more ended); the dashboard's "Sync runs" shows which`,
      });
    }
    // The totals every count files under the stage alone (shared/observability.ts `count`, `total`).
    const signatures = businessMetric(stage, BUSINESS_METRICS.webhookSignatureRejected, {}, BUSINESS_PERIOD);
    this.alarm('WebhookSignatureFailures', signatures, SIGNATURE_FAILURES, {
      description: `${SIGNATURE_FAILURES} or more provider webhooks refused for their signature in an hour`,
    });
    const stale = businessMetric(stage, BUSINESS_METRICS.staleConnections, {}, BUSINESS_PERIOD);
    this.alarm('StaleConnections', stale, STALE_CONNECTIONS, {
      evaluationPeriods: 3,
      description: `${STALE_CONNECTIONS} or more push connections stale for 3 hours in a row (the watchdog's catch-ups are not bringing them back)`,
    });
  }

  private alarm(
    id: string,
    metric: IMetric,
    threshold: number,
    { evaluationPeriods = 1, description }: { evaluationPeriods?: number; description?: string } = {},
  ): void {
    new Alarm(this.monitoring, id, {
      // What a notification's subject shows: CloudFormation's generated names carry the nested stack's path.
      alarmName: `open-wearables-${this.stage}-${id}`,
      metric,
      threshold,
      evaluationPeriods,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription: description ?? `${id} >= ${threshold} in ${PERIOD.toMinutes()} minutes`,
    });
  }
}
