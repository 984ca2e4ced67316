import {
  Annotations,
  ArnFormat,
  AspectPriority,
  Aspects,
  Duration,
  type IAspect,
  Stack,
  Token,
  Validations,
} from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  CfnAlarm,
  ComparisonOperator,
  type Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct, type IConstruct } from 'constructs';

export interface ObservabilityProps {
  stage: string;
  /** Subscribed to the alarm topic by email (`-c alarmEmail=`); the address must confirm the subscription. */
  alarmEmail?: string | undefined;
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

/**
 * Sends every CloudWatch alarm of the stack, whoever created it, to `topic` on ALARM and on OK. An alarm made as a
 * bare `CfnAlarm` with token-valued actions cannot be extended here and fails synthesis instead of notifying nobody.
 */
export class AlarmNotifications implements IAspect {
  private readonly action: SnsAction;

  constructor(private readonly topic: Topic) {
    this.action = new SnsAction(topic);
  }

  visit(node: IConstruct): void {
    if (node instanceof Alarm) {
      node.addAlarmAction(this.action);
      node.addOkAction(this.action);
    } else if (node instanceof CfnAlarm && !(node.node.scope instanceof Alarm)) {
      const arn = this.topic.topicArn;
      const extend = (actions: string[] | undefined) => {
        if (actions !== undefined && Token.isUnresolved(actions)) return undefined;
        return [...(actions ?? []), arn];
      };
      const alarmActions = extend(node.alarmActions);
      const okActions = extend(node.okActions);
      if (!alarmActions || !okActions) {
        Annotations.of(node).addError('Alarm actions are a token: create the alarm as cloudwatch.Alarm');
        return;
      }
      node.alarmActions = alarmActions;
      node.okActions = okActions;
    }
  }
}

/**
 * The stack's alarms and the SNS topic `open-wearables-<stage>-alarms` every one of them notifies (ALARM and OK),
 * by email with `alarmEmail`; an operator subscribes Slack or Chatbot to the topic (output `AlarmTopicArn`).
 */
export class Observability extends Construct {
  readonly alarmTopic: Topic;

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);

    this.alarmTopic = this.topic(props.stage);
    if (props.alarmEmail) this.alarmTopic.addSubscription(new EmailSubscription(props.alarmEmail));
    // Over the whole stack: alarms other constructs create (now or later) notify the same topic.
    Aspects.of(Stack.of(this)).add(new AlarmNotifications(this.alarmTopic), {
      priority: AspectPriority.MUTATING,
    });

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

  private topic(stage: string): Topic {
    const topic = new Topic(this, 'AlarmTopic', {
      topicName: `open-wearables-${stage}-alarms`,
      displayName: `Open Wearables ${stage} alarms`,
      // A topic policy denying publishes without TLS (cdk-nag AwsSolutions-SNS3).
      enforceSSL: true,
    });
    // The topic policy replaces SNS's default one: CloudWatch needs an explicit grant, for this account's alarms.
    const stack = Stack.of(this);
    topic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchAlarms',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: {
            'aws:SourceArn': stack.formatArn({
              service: 'cloudwatch',
              resource: 'alarm',
              resourceName: '*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
    Validations.of(topic).acknowledge({
      id: 'AwsSolutions-SNS2',
      reason:
        'CloudWatch alarms cannot publish to a topic encrypted with the AWS-managed SNS key (its key policy does not ' +
        'let CloudWatch use it), and a customer-managed key costs $1 a month. The messages are alarm state changes ' +
        '(alarm name, metric, threshold): no user data and no secrets.',
    });
    return topic;
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
