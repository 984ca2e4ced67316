import { NestedStack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { QUEUES } from '#shared/jobs/queues.js';
import { BUSINESS_METRICS } from '#shared/observability.js';
import { type Json, type Resource, synth } from './template.js';

/**
 * Issue 12, operations: the CloudWatch dashboard (in the nested stack `Monitoring`, its URL an output of the parent),
 * TLS-only queues, and the optional X-Ray tracing. Queue policies one by one: test/infra/resource-limits.test.ts.
 */

const { app, stack, json, ofType } = synth();
const functions = ofType('AWS::Lambda::Function').filter(([, fn]) => fn.Properties.FunctionName);
const nested = stack.node.findAll().find((c): c is NestedStack => c instanceof NestedStack)!;
const monitoring = Template.fromStack(nested).toJSON();
/** The nested stack's parameters: each the parent's reference it is given (`{ Ref: <logical id> }`, ...). */
const [, nestedStack] = ofType('AWS::CloudFormation::Stack')[0]!;
const parameters = nestedStack.Properties.Parameters as Record<string, Json>;

/** The dashboard body with every parent resource it names written as that resource's logical id (`<Id>`). */
function dashboardBody(dashboard: Resource): Json {
  const parts = dashboard.Properties.DashboardBody['Fn::Join'][1] as Json[];
  const text = parts
    .map((part) => {
      if (typeof part === 'string') return part;
      const given = parameters[part.Ref] ?? part;
      const id = given.Ref ?? given['Fn::GetAtt']?.[0];
      return `<${id}>`;
    })
    .join('');
  return JSON.parse(text);
}

describe('the CloudWatch dashboard', () => {
  const dashboards = Object.entries(monitoring.Resources as Record<string, Resource>).filter(
    ([, r]) => r.Type === 'AWS::CloudWatch::Dashboard',
  );
  const [, dashboard] = dashboards[0]!;
  const body = dashboardBody(dashboard);
  const widgets = body.widgets.filter((w: Json) => w.type === 'metric');
  const titled = (title: string) => widgets.find((w: Json) => w.properties.title === title);
  const serialized = JSON.stringify(body);

  it('is one dashboard in the nested stack, named per stage and region, its URL the parent’s output', () => {
    expect(dashboards).toHaveLength(1);
    expect(ofType('AWS::CloudWatch::Dashboard')).toEqual([]);
    // Dashboards are global per account: the region keeps the same stage in two regions apart.
    expect(dashboard.Properties.DashboardName).toEqual({
      'Fn::Join': ['', ['open-wearables-test-', { Ref: 'AWS::Region' }]],
    });
    const url = JSON.stringify(json.Outputs.MonitoringDashboardUrl.Value);
    expect(url).toContain('.console.aws.amazon.com/cloudwatch/home?region=');
    expect(url).toContain('#dashboards:name=open-wearables-test-');
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

  it('shows the messages of every dead-letter queue an alarm watches', () => {
    const widget = widgets.find((w: Json) => w.properties.title.startsWith('Dead-letter queues'));
    const shown = widget.properties.metrics.map((m: Json) => m[m.length - 1].label as string);
    const alarmed = Object.values(monitoring.Resources as Record<string, Resource>)
      .map((r) => /^open-wearables-test-(.+)DeadLetters$/.exec(r.Properties?.AlarmName ?? '')?.[1])
      .filter(Boolean);
    expect(alarmed.length).toBeGreaterThanOrEqual(Object.keys(QUEUES).length);
    expect(shown.sort()).toEqual(alarmed.sort());
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

describe('the queues', () => {
  it('are TLS-only, each by a policy of its own (cdk-nag AwsSolutions-SQS4 for every queue)', () => {
    const report = new AwsSolutionsChecks(app).validateScope(app);
    expect(report.violations.filter((v) => v.ruleName.includes('SQS'))).toEqual([]);
    expect(ofType('AWS::SQS::QueuePolicy')).toHaveLength(ofType('AWS::SQS::Queue').length);
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
