import { NestedStack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { buildApp } from '#lib/app.js';

/**
 * Issue 12: CloudFormation allows 500 resources and 200 parameters per stack. The fullest configuration keeps both
 * stacks (the parent and the nested `Monitoring` of the alarms and dashboard) under, with room for one more API
 * area or worker (about 8 resources) before the next one must move to a nested stack too, and every queue keeps the
 * one TLS-only policy of its own it had in the previous release (an upgrade replaces no queue policy).
 */

// biome-ignore lint/suspicious/noExplicitAny: synthesized CloudFormation JSON, navigated by path in assertions
type Json = any;

const RESOURCE_BUDGET = 490;
const FULLEST = {
  'aws:cdk:bundling-stacks': [],
  stage: 'test',
  dataLake: true,
  dashboard: true,
  delivery: true,
  eventBus: true,
  tracing: 'true' as const,
  alarmEmail: 'ops@example.com',
  domainName: 'api.example.com',
  certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/12345678-1234-1234-1234-123456789012',
  hostedZoneId: 'Z0123456789ABC',
  hostedZoneName: 'example.com',
  dashboardDomainName: 'dashboard.example.com',
  dashboardCertificateArn:
    'arn:aws:acm:us-east-1:123456789012:certificate/abcdefab-1234-1234-1234-123456789012',
};

// The region the stack goes to, as the CDK CLI tells the app: the API certificate above is of eu-west-1.
vi.stubEnv('CDK_DEFAULT_REGION', 'eu-west-1');
afterAll(() => vi.unstubAllEnvs());

const { app, stack } = buildApp(FULLEST);
const nested = stack.node.findAll().find((c): c is NestedStack => c instanceof NestedStack)!;
const parent = Template.fromStack(stack).toJSON();
const monitoring = Template.fromStack(nested).toJSON();
const ofType = (json: Json, type: string) =>
  Object.entries(json.Resources as Record<string, Json>).filter(([, r]) => r.Type === type);

describe('the fullest configuration', () => {
  it(`keeps the parent stack at ${RESOURCE_BUDGET} resources or fewer`, () => {
    expect(Object.keys(parent.Resources).length).toBeLessThanOrEqual(RESOURCE_BUDGET);
  });

  it(`keeps the nested Monitoring stack at ${RESOURCE_BUDGET} resources or fewer, and under 200 parameters`, () => {
    expect(nested.node.id).toBe('Monitoring');
    expect(Object.keys(monitoring.Resources).length).toBeLessThanOrEqual(RESOURCE_BUDGET);
    expect(Object.keys(monitoring.Parameters ?? {}).length).toBeLessThan(150);
    expect(ofType(parent, 'AWS::CloudFormation::Stack')).toHaveLength(1);
  });

  it('puts every alarm and the dashboard in the nested stack', () => {
    expect(ofType(parent, 'AWS::CloudWatch::Alarm')).toEqual([]);
    expect(ofType(parent, 'AWS::CloudWatch::Dashboard')).toEqual([]);
    expect(ofType(monitoring, 'AWS::CloudWatch::Dashboard')).toHaveLength(1);
    expect(ofType(monitoring, 'AWS::CloudWatch::Alarm').length).toBeGreaterThanOrEqual(45);
  });

  it('is cdk-nag clean, the nested stack included', () => {
    const report = new AwsSolutionsChecks(app).validateScope(app);
    expect(report.violations.map((v) => `${v.ruleName}: ${JSON.stringify(v.violatingResources)}`)).toEqual(
      [],
    );
  });
});

describe('queue policies', () => {
  const queues = ofType(parent, 'AWS::SQS::Queue');
  const policies = ofType(parent, 'AWS::SQS::QueuePolicy');
  const policyOf = (queueId: string) =>
    policies.filter(([, p]) => p.Properties.Queues.some((q: Json) => q.Ref === queueId));
  const byName = (suffix: string) =>
    queues.find(([, q]) => q.Properties.QueueName === `open-wearables-test-${suffix}`)![0];

  it('are one per queue, each over that queue alone, denying anything without TLS', () => {
    expect(policies).toHaveLength(queues.length);
    for (const [id] of queues) {
      const own = policyOf(id);
      expect(own, id).toHaveLength(1);
      const [, policy] = own[0]!;
      expect(policy.Properties.Queues, id).toEqual([{ Ref: id }]);
      expect(policy.Properties.PolicyDocument.Statement, id).toContainEqual(
        expect.objectContaining({
          Effect: 'Deny',
          Principal: { AWS: '*' },
          Action: 'sqs:*',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          Resource: { 'Fn::GetAtt': [id, 'Arn'] },
        }),
      );
    }
  });

  it.each(['sdk-uploads', 'apple-imports'])('let S3 send to %s (its bucket notifications)', (name) => {
    const id = byName(name);
    const [[, policy]] = policyOf(id) as [[string, Json]];
    const s3 = (policy.Properties.PolicyDocument.Statement as Json[]).filter(
      (s) => s.Principal?.Service === 's3.amazonaws.com',
    );
    expect(s3).toHaveLength(1);
    expect([s3[0].Action].flat()).toEqual(expect.arrayContaining(['sqs:SendMessage']));
    expect(s3[0].Resource).toEqual({ 'Fn::GetAtt': [id, 'Arn'] });
  });
});
