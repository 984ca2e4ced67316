import { Annotations, ArnFormat, type IAspect, Stack, Token, Validations } from 'aws-cdk-lib';
import { Alarm, CfnAlarm } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { Construct, IConstruct } from 'constructs';

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

/** The SNS topic `open-wearables-<stage>-alarms` every alarm notifies: TLS only, publishable by this account's alarms. */
export function alarmTopic(scope: Construct, stage: string): Topic {
  const topic = new Topic(scope, 'AlarmTopic', {
    topicName: `open-wearables-${stage}-alarms`,
    displayName: `Open Wearables ${stage} alarms`,
    // A topic policy denying publishes without TLS (cdk-nag AwsSolutions-SNS3).
    enforceSSL: true,
  });
  // The topic policy replaces SNS's default one: CloudWatch needs an explicit grant, for this account's alarms.
  const stack = Stack.of(scope);
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
