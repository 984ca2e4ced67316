import { Duration, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { buildApp } from '#lib/app.js';
import { QUEUES } from '#shared/jobs/queues.js';
import { BUSINESS_METRICS } from '#shared/observability.js';

/**
 * Issue 12, operations: the CloudWatch dashboard, the stack's one queue policy (TLS only, every queue), and the
 * optional X-Ray tracing.
 */

// biome-ignore lint/suspicious/noExplicitAny: synthesized CloudFormation JSON, navigated by path in assertions
type Json = any;
type Resource = { Type: string; Properties: Json; DependsOn?: string[] };

const NO_BUNDLING = { 'aws:cdk:bundling-stacks': [] };

function synth(
  context: Record<string, unknown> = {},
  extend?: (stack: ReturnType<typeof buildApp>['stack']) => void,
) {
  const built = buildApp({ ...NO_BUNDLING, stage: 'test', ...context });
  extend?.(built.stack);
  const json = Template.fromStack(built.stack).toJSON();
  const resources = json.Resources as Record<string, Resource>;
  const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
  return { ...built, json, resources, ofType };
}

const { app, json, ofType } = synth();
const functions = ofType('AWS::Lambda::Function').filter(([, fn]) => fn.Properties.FunctionName);
const queues = ofType('AWS::SQS::Queue');

/** The dashboard body with every token written as its logical id (`<Id>`), parsed. */
function dashboardBody(dashboard: Resource): Json {
  const parts = dashboard.Properties.DashboardBody['Fn::Join'][1] as Json[];
  const text = parts
    .map((part) => {
      if (typeof part === 'string') return part;
      const id = part.Ref ?? part['Fn::GetAtt']?.[0];
      return `<${id}>`;
    })
    .join('');
  return JSON.parse(text);
}

describe('the CloudWatch dashboard', () => {
  const dashboards = ofType('AWS::CloudWatch::Dashboard');
  const [, dashboard] = dashboards[0]!;
  const body = dashboardBody(dashboard);
  const widgets = body.widgets.filter((w: Json) => w.type === 'metric');
  const titled = (title: string) => widgets.find((w: Json) => w.properties.title === title);
  const serialized = JSON.stringify(body);

  it('is one dashboard named per stage, its console URL the output MonitoringDashboardUrl', () => {
    expect(dashboards).toHaveLength(1);
    expect(dashboard.Properties.DashboardName).toBe('open-wearables-test');
    const url = JSON.stringify(json.Outputs.MonitoringDashboardUrl.Value);
    expect(url).toContain('.console.aws.amazon.com/cloudwatch/home?region=');
    expect(url).toContain('#dashboards:name=open-wearables-test');
  });

  it('shows requests, 4xx, 5xx and latency of the HTTP API and of the mobile ingress', () => {
    for (const title of ['HTTP API requests, 4xx, 5xx', 'Mobile ingress requests, 4xx, 5xx']) {
      const names = titled(title).properties.metrics.map((m: Json) => m[1]);
      expect(names.map((n: string) => n.replace('XXError', 'xx'))).toEqual(['Count', '4xx', '5xx']);
    }
    for (const title of ['HTTP API latency (ms)', 'Mobile ingress latency (ms)']) {
      expect(titled(title).properties.metrics.map((m: Json) => m[1])).toEqual([
        'Latency',
        'Latency',
        'Latency',
      ]);
    }
  });

  it('shows errors, throttles and duration of every function', () => {
    for (const title of ['Errors', 'Throttles', 'Duration p90 (ms)']) {
      const shown = titled(title).properties.metrics.map((m: Json) => m[3]);
      expect(shown.sort(), title).toEqual(functions.map(([id]) => `<${id}>`).sort());
    }
  });

  it('shows the depth and the age of the oldest message of every registry queue', () => {
    const depth = widgets
      .filter((w: Json) => w.properties.title.endsWith('messages visible'))
      .flatMap((w: Json) => w.properties.metrics.map((m: Json) => m[m.length - 1].label));
    const age = widgets
      .filter((w: Json) => w.properties.title.endsWith('age of oldest message'))
      .flatMap((w: Json) => w.properties.metrics.map((m: Json) => m[m.length - 1].label));
    expect(depth.sort()).toEqual(Object.keys(QUEUES).sort());
    expect(age.sort()).toEqual(Object.keys(QUEUES).sort());
  });

  it('shows the table’s consumed capacity and throttled requests', () => {
    expect(serialized).toContain('ConsumedReadCapacityUnits');
    expect(serialized).toContain('ConsumedWriteCapacityUnits');
    expect(serialized).toContain('ReadThrottleEvents');
    expect(serialized).toContain('WriteThrottleEvents');
  });

  it('searches every business metric of this stage (every provider shows as it reports)', () => {
    const searches = widgets.flatMap((w: Json) =>
      w.properties.metrics.map((m: Json) => m[0].expression).filter(Boolean),
    ) as string[];
    for (const name of Object.values(BUSINESS_METRICS)) {
      const search = searches.find((s) => s.includes(`MetricName="${name}"`));
      expect(search, name).toMatch(
        /^SEARCH\('\{OpenWearables,service,stage,.*\} MetricName=".*" stage="test"', 'Sum', 3600\)$/,
      );
    }
  });
});

describe('the queue policy', () => {
  const policies = ofType('AWS::SQS::QueuePolicy');
  const [policyId, policy] = policies[0]!;
  const statements = policy.Properties.PolicyDocument.Statement as Json[];
  const tls = statements.find((s) => s.Sid === 'TlsOnly');

  it('is one for the whole stack, over every queue, denying anything without TLS on each queue', () => {
    expect(policies).toHaveLength(1);
    const ids = queues.map(([id]) => id).sort();
    expect(policy.Properties.Queues.map((q: Json) => q.Ref).sort()).toEqual(ids);
    expect(tls).toMatchObject({
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: 'sqs:*',
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    });
    expect(tls.Resource.map((r: Json) => r['Fn::GetAtt'][0]).sort()).toEqual(ids);
  });

  it('carries the S3 notification grants the queues would have had, and the notifications wait for it', () => {
    const grants = statements.filter((s) => s.Principal?.Service === 's3.amazonaws.com');
    const notifications = ofType('Custom::S3BucketNotifications');
    expect(grants).toHaveLength(notifications.length);
    for (const [id, notification] of notifications) expect(notification.DependsOn, id).toContain(policyId);
  });

  it('stays under SQS’s 8,192-byte policy limit with the longest stage, region and partition', () => {
    const names = new Map(queues.map(([id, q]) => [id, q.Properties.QueueName as string]));
    const worst = JSON.stringify(policy.Properties.PolicyDocument, (_key, value) => {
      const [id] = value?.['Fn::GetAtt'] ?? [];
      if (!id) return value;
      const name = names.get(id)?.replace('open-wearables-test-', `open-wearables-${'x'.repeat(20)}-`);
      return name
        ? `arn:aws-us-gov:sqs:ap-southeast-2:123456789012:${name}`
        : `arn:aws-us-gov:s3:::${'b'.repeat(63)}`;
    });
    expect(worst.length).toBeLessThan(8192);
  });

  it('covers a queue (with its own grant) added after the stack was built, still as the one policy', () => {
    // Room for the extra resources whatever the stack's own count (CloudFormation's limit is not the point here).
    const { ofType: withExtra } = synth({ '@aws-cdk/core:stackResourceLimit': 1000 }, (stack) => {
      const queue = new Queue(stack, 'LateQueue', { visibilityTimeout: Duration.seconds(30) });
      // A grant to a service goes to the queue's resource policy: without the fold, a policy of its own.
      queue.grantSendMessages(new ServicePrincipal('events.amazonaws.com'));
      Validations.of(queue).acknowledge({ id: 'AwsSolutions-SQS3', reason: 'test queue' });
    });
    const [[, late]] = withExtra('AWS::SQS::QueuePolicy') as [[string, Resource]];
    expect(withExtra('AWS::SQS::QueuePolicy')).toHaveLength(1);
    const lateId = withExtra('AWS::SQS::Queue').find(([id]) => id.startsWith('LateQueue'))![0];
    expect(late.Properties.Queues).toContainEqual({ Ref: lateId });
    const resources = late.Properties.PolicyDocument.Statement.flatMap((s: Json) => [s.Resource].flat());
    expect(resources.filter((r: Json) => r['Fn::GetAtt']?.[0] === lateId)).toHaveLength(2);
  });

  it('is cdk-nag clean (AwsSolutions-SQS4 for every queue)', () => {
    const report = new AwsSolutionsChecks(app).validateScope(app);
    expect(report.violations.filter((v) => v.ruleName.includes('SQS'))).toEqual([]);
  });
});

describe('tracing', () => {
  it('is off by default', () => {
    for (const [id, fn] of functions) expect(fn.Properties.TracingConfig, id).toBeUndefined();
  });

  it('-c tracing=true: X-Ray active tracing on every function (allowed to upload) and on the REST API stage', () => {
    const traced = synth({ tracing: 'true' });
    // Ours (named); CDK's bucket-notifications handler is a bare resource, not a traced function.
    const tracedFunctions = traced
      .ofType('AWS::Lambda::Function')
      .filter(([, fn]) => fn.Properties.FunctionName);
    expect(tracedFunctions).toHaveLength(functions.length);
    for (const [id, fn] of tracedFunctions) {
      expect(fn.Properties.TracingConfig, id).toEqual({ Mode: 'Active' });
      const roleId = fn.Properties.Role['Fn::GetAtt'][0];
      const policies = traced
        .ofType('AWS::IAM::Policy')
        .filter(([, p]) => p.Properties.Roles.some((r: Json) => r.Ref === roleId));
      const actions = policies.flatMap(([, p]) =>
        p.Properties.PolicyDocument.Statement.flatMap((s: Json) => s.Action),
      );
      expect(actions, id).toEqual(
        expect.arrayContaining(['xray:PutTraceSegments', 'xray:PutTelemetryRecords']),
      );
    }
    for (const [, stage] of traced.ofType('AWS::ApiGateway::Stage'))
      expect(stage.Properties.TracingEnabled).toBe(true);
    const report = new AwsSolutionsChecks(traced.app).validateScope(traced.app);
    expect(report.violations.filter((v) => JSON.stringify(v).includes('xray'))).toEqual([]);
  });

  it('refuses anything but true or false at synth', () => {
    expect(() => synth({ tracing: 'yes' })).toThrow(/Invalid CDK context: tracing/);
  });
});
