import { Duration, NestedStack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Alarm, CfnAlarm, Metric } from 'aws-cdk-lib/aws-cloudwatch';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { buildApp } from '#lib/app.js';
import { apiAreas } from '#shared/api/index.js';
import { QUEUES, SYNC_PROVIDERS } from '#shared/jobs/queues.js';
import { SCHEDULES } from '#shared/jobs/schedules.js';
import { BUSINESS_METRICS, METRICS_NAMESPACE, METRICS_SERVICE } from '#shared/observability.js';
import { type Json, NO_BUNDLING, type Resource, synth as synthParent } from './template.js';

/**
 * Issue 12, operations: every alarm notifies the stack's SNS topic; `alarmEmail` subscribes an address. The alarms
 * live in the nested stack `Monitoring`, the topic in the parent: the nested stack receives its ARN as a parameter.
 */

function synth(context: Record<string, unknown> = {}) {
  const built = synthParent(context);
  const { ofType } = built;
  const nested = built.stack.node.findAll().find((c): c is NestedStack => c instanceof NestedStack)!;
  const monitoring = Template.fromStack(nested).toJSON();
  const nestedResources = monitoring.Resources as Record<string, Resource>;
  const nestedOfType = (type: string) => ofType(type, nestedResources);
  /** The nested stack's parameter carrying the parent's topic ARN, as the nested template refers to it. */
  const [, nestedStack] = ofType('AWS::CloudFormation::Stack')[0]!;
  const topicParameter = (topicId: string) => {
    const [name] = Object.entries(nestedStack.Properties.Parameters as Record<string, Json>).find(
      ([, value]) => value.Ref === topicId,
    )!;
    return { Ref: name };
  };
  return { ...built, monitoring, nestedOfType, topicParameter };
}

const { app, json, resources, ofType, monitoring, nestedOfType, topicParameter } = synth();
const [topicId, topic] = ofType('AWS::SNS::Topic')[0]!;
const alarms = nestedOfType('AWS::CloudWatch::Alarm');
const topicRef = topicParameter(topicId);
/** Our functions (named); the workers and scheduled ones have an alarm on errors or throttles (`<function>Failing`). */
const functions = ofType('AWS::Lambda::Function').filter(([, fn]) => fn.Properties.FunctionName);
/** The API functions, whose errors and throttles reach their API's 5xx alarm instead. */
const apiFunctionNames = [...Object.keys(apiAreas), 'sdk-authorizer'].map(
  (name) => `open-wearables-test-${name}`,
);
const jobFunctions = functions.filter(([, fn]) => !apiFunctionNames.includes(fn.Properties.FunctionName));
/** One DLQ per queue and one per scheduled worker (lib/jobs.ts). */
const deadLetterQueues =
  Object.keys(QUEUES).length + new Set(Object.values(SCHEDULES).map((s) => s.worker)).size;
/** Sync failure rates (three providers an alarm), signatures, table throttles, stale connections, erasure backlog. */
const syncFailureAlarms = Math.ceil(SYNC_PROVIDERS.length / 3);
const operationsAlarms = syncFailureAlarms + 4;

describe('alarm topic', () => {
  it('is the one topic, named per stage, TLS-only, publishable by this account’s CloudWatch alarms', () => {
    expect(ofType('AWS::SNS::Topic')).toHaveLength(1);
    expect(topic.Properties.TopicName).toBe('open-wearables-test-alarms');
    const [, policy] = ofType('AWS::SNS::TopicPolicy')[0]!;
    expect(policy.Properties.Topics).toEqual([{ Ref: topicId }]);
    const statements = policy.Properties.PolicyDocument.Statement as Json[];
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Action: 'sns:Publish',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
    const cloudwatch = statements.find((s) => s.Principal?.Service === 'cloudwatch.amazonaws.com');
    expect(cloudwatch).toMatchObject({ Effect: 'Allow', Action: 'sns:Publish', Resource: { Ref: topicId } });
    expect(cloudwatch.Condition.StringEquals).toEqual({ 'aws:SourceAccount': { Ref: 'AWS::AccountId' } });
    expect(JSON.stringify(cloudwatch.Condition.ArnLike)).toContain(':alarm:*');
  });

  it('notifies every alarm in the template, on ALARM and on OK', () => {
    // 5xx of the HTTP API and of the mobile ingress, one on errors or throttles of each job function, each DLQ's
    // depth, and the operations alarms below.
    expect(jobFunctions.length).toBeGreaterThanOrEqual(10);
    expect(functions.length - jobFunctions.length).toBe(apiFunctionNames.length);
    expect(alarms).toHaveLength(2 + jobFunctions.length + deadLetterQueues + operationsAlarms);
    expect(alarms.filter(([id]) => /Failing[0-9A-F]{8}$/.test(id))).toHaveLength(jobFunctions.length);
    expect(alarms.length).toBeGreaterThanOrEqual(45);
    expect(ofType('AWS::CloudWatch::Alarm')).toEqual([]);
    for (const [id, alarm] of alarms) {
      expect(alarm.Properties.AlarmActions, id).toEqual([topicRef]);
      expect(alarm.Properties.OKActions, id).toEqual([topicRef]);
    }
  });

  it('names every alarm open-wearables-<stage>-<alarm>, the subject a notification shows', () => {
    const names = alarms.map(([, alarm]) => alarm.Properties.AlarmName as string);
    expect(
      names.every((name) => /^open-wearables-test-[A-Za-z0-9]+$/.test(name)),
      names.join(),
    ).toBe(true);
    expect(new Set(names).size).toBe(alarms.length);
    expect(names).toContain('open-wearables-test-Api5xx');
  });

  it('passes the topic to the nested stack as a parameter of its own', () => {
    expect(monitoring.Parameters[topicRef.Ref]).toEqual({ Type: 'String' });
  });

  it('also reaches alarms created outside Observability, L2 or bare CfnAlarm', () => {
    const { stack } = buildApp({ ...NO_BUNDLING, stage: 'test' });
    const metric = new Metric({ namespace: 'Test', metricName: 'Extra', period: Duration.minutes(5) });
    new Alarm(stack, 'ExtraAlarm', { metric, threshold: 1, evaluationPeriods: 1 });
    new CfnAlarm(stack, 'BareAlarm', {
      comparisonOperator: 'GreaterThanThreshold',
      evaluationPeriods: 1,
      namespace: 'Test',
      metricName: 'Bare',
      period: 300,
      statistic: 'Sum',
      threshold: 1,
      alarmActions: ['arn:aws:sns:eu-west-1:111111111111:elsewhere'],
    });
    const extra = Template.fromStack(stack).toJSON().Resources as Record<string, Resource>;
    const topicRef = { Ref: Object.entries(extra).find(([, r]) => r.Type === 'AWS::SNS::Topic')![0] };
    const added = Object.entries(extra).filter(
      ([id, r]) => r.Type === 'AWS::CloudWatch::Alarm' && /^(ExtraAlarm|BareAlarm)/.test(id),
    );
    expect(added).toHaveLength(2);
    expect(added.find(([id]) => id.startsWith('Extra'))![1].Properties.AlarmActions).toEqual([topicRef]);
    expect(extra.BareAlarm!.Properties.AlarmActions).toEqual([
      'arn:aws:sns:eu-west-1:111111111111:elsewhere',
      topicRef,
    ]);
    expect(extra.BareAlarm!.Properties.OKActions).toEqual([topicRef]);
  });

  it('is the output AlarmTopicArn', () => {
    expect(json.Outputs.AlarmTopicArn.Value).toEqual({ Ref: topicId });
  });

  it('is cdk-nag clean (SSL enforced, encryption acknowledged)', () => {
    const report = new AwsSolutionsChecks(app).validateScope(app);
    const topicViolations = report.violations.filter((v) =>
      v.violatingResources.some((r) => r.constructPath?.includes('AlarmTopic')),
    );
    expect(topicViolations.map((v) => v.ruleName)).toEqual([]);
  });

  it('keeps both stacks under CloudFormation’s 500 resources (test/infra/resource-limits.test.ts: 450)', () => {
    expect(Object.keys(resources).length).toBeLessThan(500);
    expect(Object.keys(monitoring.Resources).length).toBeLessThan(500);
  });
});

describe('alarmEmail', () => {
  it('subscribes nobody without the context', () => {
    expect(ofType('AWS::SNS::Subscription')).toEqual([]);
  });

  it('subscribes the address by email with the context', () => {
    const { ofType: withEmail } = synth({ alarmEmail: 'ops@example.com' });
    const subscriptions = withEmail('AWS::SNS::Subscription');
    expect(subscriptions).toHaveLength(1);
    expect(subscriptions[0]![1].Properties).toMatchObject({
      Protocol: 'email',
      Endpoint: 'ops@example.com',
      TopicArn: { Ref: topicId },
    });
  });

  it.each(['not-an-email', 'ops@', ''])('refuses %j at synth', (alarmEmail) => {
    expect(() => buildApp({ ...NO_BUNDLING, stage: 'test', alarmEmail })).toThrow(
      /Invalid CDK context: alarmEmail: alarmEmail must be an email address/,
    );
  });
});

describe('dead-letter queues', () => {
  /** The logical id of a queue an `Fn::GetAtt [id, Arn]` names. */
  const queueOf = (arn: Json | undefined): string[] => (arn?.['Fn::GetAtt'] ? [arn['Fn::GetAtt'][0]] : []);
  const props = (type: string) => ofType(type).map(([, resource]) => resource.Properties);
  /** Every queue anything in the template sends its failures to: SQS redrive, schedules, Lambda, rules. */
  const pointedAt = new Set([
    ...props('AWS::SQS::Queue').flatMap((q) => queueOf(q.RedrivePolicy?.deadLetterTargetArn)),
    ...props('AWS::Scheduler::Schedule').flatMap((s) => queueOf(s.Target?.DeadLetterConfig?.Arn)),
    ...[...props('AWS::Lambda::EventInvokeConfig'), ...props('AWS::Lambda::EventSourceMapping')].flatMap(
      (c) => queueOf(c.DestinationConfig?.OnFailure?.Destination),
    ),
    ...props('AWS::Lambda::Function').flatMap((f) => queueOf(f.DeadLetterConfig?.TargetArn)),
    ...props('AWS::Events::Rule').flatMap((r) =>
      (r.Targets ?? []).flatMap((t: Json) => queueOf(t.DeadLetterConfig?.Arn)),
    ),
  ]);

  it('each has a depth alarm, found from the template rather than from the registries', () => {
    expect(pointedAt.size).toBe(deadLetterQueues);
    const [, nestedStack] = ofType('AWS::CloudFormation::Stack')[0]!;
    const parameters = nestedStack.Properties.Parameters as Record<string, Json>;
    const watched = alarms
      .map(([, alarm]) => alarm.Properties)
      .filter((a) => a.MetricName === 'ApproximateNumberOfMessagesVisible' && a.Threshold === 1)
      .map((a) => parameters[a.Dimensions[0].Value.Ref]?.['Fn::GetAtt']);
    expect(watched.every((attribute) => attribute?.[1] === 'QueueName')).toBe(true);
    const alarmed = new Set(watched.map((attribute) => attribute[0]));
    expect([...pointedAt].filter((queue) => !alarmed.has(queue))).toEqual([]);
  });
});

describe('operations alarms', () => {
  const named = (prefix: string) => alarms.filter(([id]) => id.startsWith(prefix));
  const one = (prefix: string) => {
    const found = named(prefix);
    expect(found, prefix).toHaveLength(1);
    return found[0]![1].Properties;
  };
  /** The business metric the way `count` (shared/observability.ts) files it for stage `test`. */
  const business = (name: string, dimensions: Record<string, string> = {}) => ({
    Namespace: METRICS_NAMESPACE,
    MetricName: name,
    Dimensions: Object.entries({ service: METRICS_SERVICE, stage: 'test', ...dimensions })
      .map(([Name, Value]) => ({ Name, Value }))
      .sort((a, b) => a.Name.localeCompare(b.Name)),
  });
  const sortedDimensions = (metric: Json) => ({
    ...metric,
    Dimensions: [...metric.Dimensions].sort((a: Json, b: Json) => a.Name.localeCompare(b.Name)),
  });

  it('watch the sync failure rate of every pull provider, each exactly once, within ten metrics an alarm', () => {
    const syncAlarms = named('SyncFailureRate');
    expect(syncAlarms).toHaveLength(syncFailureAlarms);
    const watched: string[] = [];
    for (const [id, alarm] of syncAlarms) {
      const { Metrics: queries, Threshold, TreatMissingData, ComparisonOperator } = alarm.Properties;
      expect({ Threshold, TreatMissingData, ComparisonOperator }, id).toEqual({
        Threshold: 0.5,
        TreatMissingData: 'notBreaching',
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      });
      const metrics = (queries as Json[]).filter((q) => q.MetricStat);
      expect(metrics.length, id).toBeLessThanOrEqual(10);
      const expressions = (queries as Json[]).filter((q) => q.Expression);
      // Per provider, its own query: a minimum of ended runs, a rate of failed over ended...
      const rates = expressions.filter((q) => /^e\d+$/.test(q.Id));
      expect(rates.length, id).toBe(metrics.length / 3);
      rates.forEach((rate, i) => {
        expect(rate.Expression).toBe(
          `IF((FILL(s${i}, 0) + FILL(p${i}, 0) + FILL(f${i}, 0)) >= 5, FILL(f${i}, 0) / (FILL(s${i}, 0) + FILL(p${i}, 0) + FILL(f${i}, 0)), 0)`,
        );
        expect(rate.ReturnData).toBe(false);
      });
      // ...and the alarm watches the highest of them, by their ids (no expression inside the array).
      const [watchedQuery] = (queries as Json[]).filter((q) => q.ReturnData !== false);
      expect(watchedQuery.Expression).toBe(`MAX([${rates.map((r) => r.Id).join(', ')}])`);
      for (const query of metrics) {
        const { Metric, Period, Stat } = query.MetricStat;
        expect({ Period, Stat }).toEqual({ Period: 3600, Stat: 'Sum' });
        const dims = Object.fromEntries(Metric.Dimensions.map((d: Json) => [d.Name, d.Value]));
        expect(sortedDimensions(Metric)).toEqual(
          business(BUSINESS_METRICS.syncRuns, { provider: dims.provider, outcome: dims.outcome }),
        );
        if (dims.outcome === 'failed') watched.push(dims.provider);
      }
    }
    expect(watched.sort()).toEqual([...SYNC_PROVIDERS].sort());
  });

  it('page on 5xx of either API only when 5 or more are also 1% or more of its requests', () => {
    for (const [prefix, dimension, errors] of [
      ['Api5xx', 'ApiId', '5xx'],
      ['MobileApi5xx', 'ApiName', '5XXError'],
    ]) {
      const alarm = one(prefix!);
      expect(alarm.Threshold).toBe(1);
      const queries = alarm.Metrics as Json[];
      expect(queries.find((q) => q.ReturnData !== false).Expression).toBe(
        'IF(FILL(errors, 0) >= 5 AND FILL(errors, 0) >= 0.01 * FILL(requests, 0), 1, 0)',
      );
      const metric = (id: string) => queries.find((q) => q.Id === id).MetricStat;
      expect(metric('errors')).toMatchObject({ Metric: { MetricName: errors, Namespace: 'AWS/ApiGateway' } });
      expect(metric('requests')).toMatchObject({
        Metric: { MetricName: 'Count', Namespace: 'AWS/ApiGateway' },
      });
      for (const id of ['errors', 'requests']) {
        expect(metric(id).Metric.Dimensions[0].Name, prefix).toBe(dimension);
        expect(metric(id).Stat).toBe('Sum');
      }
    }
  });

  it('alarm on refused webhook signatures and stale connections over their totals', () => {
    const signatures = one('WebhookSignatureFailures');
    expect(signatures).toMatchObject({
      ...business(BUSINESS_METRICS.webhookSignatureRejected),
      Period: 3600,
    });
    expect(signatures.Threshold).toBe(5);
    const stale = one('StaleConnections');
    expect(stale).toMatchObject({ ...business(BUSINESS_METRICS.staleConnections), Period: 3600 });
    expect(stale.EvaluationPeriods).toBe(3);
  });

  it('alarm on throttled table requests (table and GSI) and on an erasure request waiting an hour', () => {
    const throttles = one('TableThrottles');
    const names = (throttles.Metrics as Json[])
      .filter((q) => q.MetricStat)
      .map(
        (q) =>
          `${q.MetricStat.Metric.MetricName}${q.MetricStat.Metric.Dimensions.length > 1 ? ' (GSI1)' : ''}`,
      );
    expect(names.sort()).toEqual([
      'ReadThrottleEvents',
      'ReadThrottleEvents (GSI1)',
      'WriteThrottleEvents',
      'WriteThrottleEvents (GSI1)',
    ]);
    const erasure = one('ErasureBacklog');
    expect(erasure).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateAgeOfOldestMessage',
      Statistic: 'Maximum',
      Threshold: 3600,
    });
    expect(JSON.stringify(erasure.Dimensions)).toContain('JobsErasureQueue');
  });
});
