import { Duration } from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { Alarm, ComparisonOperator, type Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface ObservabilityProps {
  api: IHttpApi;
  /** The mobile ingress: its push route writes to S3 itself, so only its 5xx count shows a broken integration. */
  mobileApi: RestApi;
  /** The API functions: alarmed on a burst of errors (one bad request is the caller's problem). */
  functions: IFunction[];
  /**
   * Workers and scheduled functions: alarmed on the first error. A scheduled run fails at most once per period
   * (and is not retried), so a burst threshold would never trip.
   */
  jobFunctions: IFunction[];
  /** Dead-letter queues by a name unique in the stack: any message in one means work was lost. */
  deadLetterQueues: Record<string, IQueue>;
}

const PERIOD = Duration.minutes(5);

/** Alarms only: wire them to SNS or a chat channel per deployment. */
export class Observability extends Construct {
  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);

    this.alarm('Api5xx', props.api.metricServerError({ period: PERIOD, statistic: 'Sum' }), 5);
    this.alarm('MobileApi5xx', props.mobileApi.metricServerError({ period: PERIOD, statistic: 'Sum' }), 5);
    const functions = [
      ...props.functions.map((fn) => ({ fn, errors: 5 })),
      ...props.jobFunctions.map((fn) => ({ fn, errors: 1 })),
    ];
    for (const { fn, errors } of functions) {
      const name = fn.node.id;
      this.alarm(`${name}Errors`, fn.metricErrors({ period: PERIOD, statistic: 'Sum' }), errors);
      this.alarm(`${name}Throttles`, fn.metricThrottles({ period: PERIOD, statistic: 'Sum' }), 1);
    }
    for (const [name, queue] of Object.entries(props.deadLetterQueues)) {
      const depth = queue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: 'Maximum' });
      this.alarm(`${name}DeadLetters`, depth, 1);
    }
  }

  private alarm(id: string, metric: Metric, threshold: number): void {
    new Alarm(this, id, {
      metric,
      threshold,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription: `${id} >= ${threshold} in ${PERIOD.toMinutes()} minutes`,
    });
  }
}
