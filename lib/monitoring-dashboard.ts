import { Duration } from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Dashboard,
  GraphWidget,
  type IMetric,
  MathExpression,
  Metric,
  PeriodOverride,
  TextWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { SYNC_QUEUES, WEBHOOK_QUEUES } from '#shared/jobs/queues.js';
import { BUSINESS_METRICS, METRICS_NAMESPACE, METRICS_SERVICE } from '#shared/observability.js';
import { TABLE_KEYS } from '#shared/store/table.js';

/** The period of the AWS metrics, graphed and alarmed on. */
export const PERIOD = Duration.minutes(5);
/** Business counts are sparse (hourly dispatches, a push every 15 minutes): summed by the hour. */
export const BUSINESS_PERIOD = Duration.hours(1);

/** A business metric (shared/observability.ts `count`) of this stage, summed. */
export function businessMetric(
  stage: string,
  name: string,
  dimensions: Record<string, string> = {},
  period = BUSINESS_PERIOD,
): Metric {
  return new Metric({
    namespace: METRICS_NAMESPACE,
    metricName: name,
    dimensionsMap: { service: METRICS_SERVICE, stage, ...dimensions },
    statistic: 'Sum',
    period,
  });
}

/** 1 in a period when the API's 5xx are both `count` or more and `share` or more of its requests, else 0. */
export function serverErrors(
  api: Pick<IHttpApi, 'metricServerError' | 'metricCount'>,
  count: number,
  share: number,
): MathExpression {
  const errors = 'FILL(errors, 0)';
  return new MathExpression({
    expression: `IF(${errors} >= ${count} AND ${errors} >= ${share} * FILL(requests, 0), 1, 0)`,
    usingMetrics: {
      errors: api.metricServerError({ period: PERIOD, statistic: 'Sum' }),
      requests: api.metricCount({ period: PERIOD, statistic: 'Sum' }),
    },
    label: '5xx: many, and a share of the requests',
    period: PERIOD,
  });
}

/** Throttled reads and writes of the table and its GSI (on-demand tables throttle at their partition limits). */
export function tableThrottles(table: ITable, period = PERIOD): MathExpression {
  const metric = (name: string, index?: string) =>
    table.metric(name, {
      statistic: 'Sum',
      period,
      dimensionsMap: {
        TableName: table.tableName,
        ...(index ? { GlobalSecondaryIndexName: index } : {}),
      },
    });
  const index = TABLE_KEYS.gsi1.indexName;
  return new MathExpression({
    expression: 'FILL(r, 0) + FILL(w, 0) + FILL(ir, 0) + FILL(iw, 0)',
    usingMetrics: {
      r: metric('ReadThrottleEvents'),
      w: metric('WriteThrottleEvents'),
      ir: metric('ReadThrottleEvents', index),
      iw: metric('WriteThrottleEvents', index),
    },
    label: 'Throttled requests (table and GSI1)',
    period,
  });
}

export interface MonitoringDashboardProps {
  /** Unique in the account (dashboards are global): `open-wearables-<stage>-<region>`. */
  dashboardName: string;
  stage: string;
  api: IHttpApi;
  mobileApi: RestApi;
  functions: IFunction[];
  /** Every queue of the registry by its name (shared/jobs/queues.ts). */
  queues: Record<string, IQueue>;
  /** The dead-letter queues (each also alarmed on), by a name unique in the stack. */
  deadLetterQueues: Record<string, IQueue>;
  table: ITable;
}

/**
 * The stack's one CloudWatch dashboard (its URL the output `MonitoringDashboardUrl`): the APIs, the
 * functions, the queues, the table, and the business metrics. Business metrics are searched by their dimensions,
 * so every provider shows as soon as it reports; the rest is listed from the stack.
 */
export class MonitoringDashboard extends Construct {
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: MonitoringDashboardProps) {
    super(scope, id);
    const { stage, api, mobileApi, functions, table } = props;
    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      defaultInterval: Duration.days(1),
      periodOverride: PeriodOverride.INHERIT,
    });

    const sum = { statistic: 'Sum', period: PERIOD };
    const latency = (metric: (options: { statistic: string; period: Duration; label: string }) => IMetric) =>
      ['p50', 'p90', 'p99'].map((statistic) => metric({ statistic, period: PERIOD, label: statistic }));
    const graph = (title: string, left: IMetric[], width = 8) =>
      new GraphWidget({ title, left, width, height: 6, period: PERIOD });

    this.dashboard.addWidgets(heading('APIs', 'The HTTP API and the mobile ingress (REST API).'));
    this.dashboard.addWidgets(
      graph('HTTP API requests, 4xx, 5xx', [
        api.metricCount({ ...sum, label: 'requests' }),
        api.metricClientError({ ...sum, label: '4xx' }),
        api.metricServerError({ ...sum, label: '5xx' }),
      ]),
      graph(
        'HTTP API latency (ms)',
        latency((o) => api.metricLatency(o)),
      ),
      graph('Mobile ingress requests, 4xx, 5xx', [
        mobileApi.metricCount({ ...sum, label: 'requests' }),
        mobileApi.metricClientError({ ...sum, label: '4xx' }),
        mobileApi.metricServerError({ ...sum, label: '5xx' }),
      ]),
    );
    this.dashboard.addWidgets(
      graph(
        'Mobile ingress latency (ms)',
        latency((o) => mobileApi.metricLatency(o)),
      ),
    );

    const byFunction = (metric: (fn: IFunction) => IMetric) => functions.map(metric);
    const label = (fn: IFunction) => fn.node.id;
    this.dashboard.addWidgets(heading('Functions', 'Every Lambda function of the stack.'));
    this.dashboard.addWidgets(
      graph(
        'Errors',
        byFunction((fn) => fn.metricErrors({ ...sum, label: label(fn) })),
      ),
      graph(
        'Throttles',
        byFunction((fn) => fn.metricThrottles({ ...sum, label: label(fn) })),
      ),
      graph(
        'Duration p90 (ms)',
        byFunction((fn) => fn.metricDuration({ statistic: 'p90', period: PERIOD, label: label(fn) })),
      ),
    );

    this.dashboard.addWidgets(heading('Queues', 'Messages waiting, and the age of the oldest (seconds).'));
    for (const [title, queues] of queueGroups(props.queues)) {
      this.dashboard.addWidgets(
        graph(
          `${title}: messages visible`,
          queues.map(([name, q]) =>
            q.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: PERIOD, label: name }),
          ),
          12,
        ),
        graph(
          `${title}: age of oldest message`,
          queues.map(([name, q]) =>
            q.metricApproximateAgeOfOldestMessage({ statistic: 'Maximum', period: PERIOD, label: name }),
          ),
          12,
        ),
      );
    }

    this.dashboard.addWidgets(
      graph(
        'Dead-letter queues: messages visible (any is alarmed)',
        Object.entries(props.deadLetterQueues).map(([name, q]) =>
          q.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: PERIOD, label: name }),
        ),
        24,
      ),
    );

    this.dashboard.addWidgets(heading('Table', 'The single DynamoDB table (on demand).'));
    this.dashboard.addWidgets(
      graph(
        'Consumed capacity units',
        [
          table.metricConsumedReadCapacityUnits({ ...sum, label: 'read' }),
          table.metricConsumedWriteCapacityUnits({ ...sum, label: 'write' }),
        ],
        12,
      ),
      graph('Throttled requests', [tableThrottles(table)], 12),
    );

    const search = (name: string, dimensions: string[]) =>
      new MathExpression({
        expression: `SEARCH('{${METRICS_NAMESPACE},${['service', 'stage', ...dimensions].join(',')}} MetricName="${name}" stage="${stage}"', 'Sum', ${BUSINESS_PERIOD.toSeconds()})`,
        usingMetrics: {},
        label: '',
        period: BUSINESS_PERIOD,
      });
    const business = (title: string, name: string, dimensions: string[]) =>
      new GraphWidget({
        title,
        left: [search(name, dimensions)],
        width: 8,
        height: 6,
        period: BUSINESS_PERIOD,
      });
    this.dashboard.addWidgets(
      heading('Business', 'Custom metrics (namespace OpenWearables), summed by the hour.'),
    );
    this.dashboard.addWidgets(
      business('Samples ingested', BUSINESS_METRICS.samplesIngested, ['provider', 'source']),
      business('SDK pushes', BUSINESS_METRICS.sdkPushes, ['provider', 'outcome']),
      business('Sync runs', BUSINESS_METRICS.syncRuns, ['provider', 'outcome']),
    );
    this.dashboard.addWidgets(
      business('Provider HTTP errors (429, 4xx, 5xx)', BUSINESS_METRICS.providerHttpErrors, [
        'provider',
        'status',
      ]),
      business('Outgoing webhook deliveries', BUSINESS_METRICS.webhookDeliveries, ['outcome']),
      business('Webhook signatures refused', BUSINESS_METRICS.webhookSignatureRejected, ['provider']),
    );
    this.dashboard.addWidgets(
      business('Stale push connections', BUSINESS_METRICS.staleConnections, ['provider']),
      business('Unknown provider users (webhooks)', BUSINESS_METRICS.webhookUnknownUser, ['provider']),
      business('Provider data types refused', BUSINESS_METRICS.providerDataTypeSkipped, ['provider']),
    );
    this.dashboard.addWidgets(
      business('Malformed provider items skipped', BUSINESS_METRICS.providerItemsSkipped, ['provider']),
    );
  }
}

const heading = (title: string, text: string) =>
  new TextWidget({ markdown: `## ${title}\n${text}`, width: 24, height: 2 });

/** The queues by kind: sync (with the dispatcher's continuations), provider webhooks, everything else. */
function queueGroups(queues: Record<string, IQueue>): [string, [string, IQueue][]][] {
  const sync = new Set<string>([...Object.values(SYNC_QUEUES), 'syncDispatch']);
  const webhook = new Set<string>(Object.values(WEBHOOK_QUEUES));
  const entries = Object.entries(queues);
  return [
    ['Sync', entries.filter(([name]) => sync.has(name))],
    ['Provider webhooks', entries.filter(([name]) => webhook.has(name))],
    ['Delivery, erasure, uploads', entries.filter(([name]) => !sync.has(name) && !webhook.has(name))],
  ];
}
