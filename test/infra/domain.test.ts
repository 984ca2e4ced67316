import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { buildApp } from '#lib/app.js';

/** Issue 12: the API, the mobile ingress and the dashboard on the operator's own domains. */

// biome-ignore lint/suspicious/noExplicitAny: synthesized CloudFormation JSON, navigated by path in assertions
type Json = any;

const NO_BUNDLING = { 'aws:cdk:bundling-stacks': [] };
const CERT = 'arn:aws:acm:eu-west-1:123456789012:certificate/12345678-1234-1234-1234-123456789012';
const EDGE_CERT = 'arn:aws:acm:us-east-1:123456789012:certificate/abcdefab-1234-1234-1234-123456789012';
const API_DOMAIN = { domainName: 'api.example.com', certificateArn: CERT };
const ZONE = { hostedZoneId: 'Z0123456789ABC', hostedZoneName: 'example.com' };
const DASHBOARD_DOMAIN = { dashboardDomainName: 'dashboard.example.com', dashboardCertificateArn: EDGE_CERT };

const build = (context: Record<string, unknown> = {}) =>
  buildApp({ ...NO_BUNDLING, stage: 'test', ...context });
function synth(context: Record<string, unknown> = {}) {
  const { app, stack } = build(context);
  const template = Template.fromStack(stack);
  const json = template.toJSON();
  return { app, template, resources: json.Resources as Record<string, Json>, outputs: json.Outputs as Json };
}
const idOf = (resources: Record<string, Json>, type: string) =>
  Object.entries(resources).find(([, r]) => r.Type === type)![0];

// The region the stack goes to, as the CDK CLI tells the app: the certificates above are of eu-west-1.
vi.stubEnv('CDK_DEFAULT_REGION', 'eu-west-1');
afterAll(() => vi.unstubAllEnvs());

describe('without a custom domain', () => {
  const { template, outputs } = synth();

  it('creates no domain, mapping or record, and keeps the execute-api URLs', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::DomainName', 0);
    template.resourceCountIs('AWS::ApiGatewayV2::ApiMapping', 0);
    template.resourceCountIs('AWS::Route53::RecordSet', 0);
    expect(JSON.stringify(outputs.ApiUrl.Value)).toContain('execute-api');
    expect(outputs.ApiDomainTarget).toBeUndefined();
  });
});

describe('-c domainName -c certificateArn', () => {
  const { template, resources, outputs } = synth(API_DOMAIN);
  const domainId = idOf(resources, 'AWS::ApiGatewayV2::DomainName');

  it('is a regional TLS 1.2 domain name with the certificate given', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::DomainName', {
      DomainName: 'api.example.com',
      DomainNameConfigurations: [
        Match.objectLike({ CertificateArn: CERT, EndpointType: 'REGIONAL', SecurityPolicy: 'TLS_1_2' }),
      ],
    });
  });

  it('maps the HTTP API at the root and the mobile ingress under /mobile', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::ApiMapping', 2);
    const mappings = Object.values(resources).filter((r) => r.Type === 'AWS::ApiGatewayV2::ApiMapping');
    const root = mappings.find((r) => r.Properties.ApiMappingKey === undefined)!;
    expect(root.Properties).toEqual({
      ApiId: { Ref: idOf(resources, 'AWS::ApiGatewayV2::Api') },
      DomainName: { Ref: domainId },
      Stage: '$default',
    });
    // The stage is named by a literal: the mapping waits for it.
    expect(root.DependsOn).toContain(idOf(resources, 'AWS::ApiGatewayV2::Stage'));
    const mobile = mappings.find((r) => r.Properties.ApiMappingKey === 'mobile')!;
    expect(mobile.Properties).toEqual({
      ApiId: { Ref: idOf(resources, 'AWS::ApiGateway::RestApi') },
      ApiMappingKey: 'mobile',
      DomainName: { Ref: domainId },
      Stage: { Ref: idOf(resources, 'AWS::ApiGateway::Stage') },
    });
  });

  it('is the public base URL: outputs, every API_BASE_URL, the provider callback and webhook URLs', () => {
    expect(outputs.ApiUrl.Value).toBe('https://api.example.com');
    expect(outputs.MobileApiUrl.Value).toBe('https://api.example.com/mobile');
    expect(outputs.FitbitCallbackUrl.Value).toBe('https://api.example.com/api/v1/oauth/fitbit/callback');
    expect(outputs.GarminWebhookUrl.Value).toBe('https://api.example.com/api/v1/providers/garmin/webhooks');
    const withBaseUrl = Object.values(resources).filter(
      (r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Environment?.Variables?.API_BASE_URL,
    );
    expect(withBaseUrl.length).toBeGreaterThan(5);
    for (const fn of withBaseUrl) {
      expect(fn.Properties.Environment.Variables.API_BASE_URL).toBe('https://api.example.com');
    }
  });

  it("the dashboard's CSP connects to the API domain only", () => {
    const [, policy] = Object.entries(resources).find(
      ([, r]) => r.Type === 'AWS::CloudFront::ResponseHeadersPolicy',
    )!;
    const csp =
      policy.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig.ContentSecurityPolicy
        .ContentSecurityPolicy;
    expect(csp).toContain('https://api.example.com');
    expect(csp).not.toContain('execute-api');
  });

  it('without a zone: no record, and the target to point a CNAME at as an output', () => {
    template.resourceCountIs('AWS::Route53::RecordSet', 0);
    expect(outputs.ApiDomainTarget.Value).toEqual({ 'Fn::GetAtt': [domainId, 'RegionalDomainName'] });
  });
});

describe('with a hosted zone', () => {
  const api = synth({ ...API_DOMAIN, ...ZONE, dashboard: 'false' });
  const dashboard = synth({ ...ZONE, ...DASHBOARD_DOMAIN });
  const records = (from: typeof api) =>
    Object.values(from.resources).filter((r) => r.Type === 'AWS::Route53::RecordSet');

  it('an A alias record for the API domain, to the regional domain name, in the zone given', () => {
    const domainId = idOf(api.resources, 'AWS::ApiGatewayV2::DomainName');
    // A regional API Gateway domain name answers on IPv4 only: no AAAA record.
    expect(records(api)).toEqual([
      {
        Type: 'AWS::Route53::RecordSet',
        Properties: {
          Name: 'api.example.com.',
          Type: 'A',
          HostedZoneId: ZONE.hostedZoneId,
          AliasTarget: {
            DNSName: { 'Fn::GetAtt': [domainId, 'RegionalDomainName'] },
            HostedZoneId: { 'Fn::GetAtt': [domainId, 'RegionalHostedZoneId'] },
          },
        },
      },
    ]);
  });

  it('the dashboard answers on its domain with the us-east-1 certificate, TLS 1.2, and A + AAAA aliases', () => {
    const distributionId = idOf(dashboard.resources, 'AWS::CloudFront::Distribution');
    dashboard.template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        Aliases: ['dashboard.example.com'],
        ViewerCertificate: {
          AcmCertificateArn: EDGE_CERT,
          MinimumProtocolVersion: 'TLSv1.2_2021',
          SslSupportMethod: 'sni-only',
        },
      }),
    });
    const found = records(dashboard);
    expect(found.map((r) => [r.Properties.Name, r.Properties.Type]).sort()).toEqual([
      ['dashboard.example.com.', 'A'],
      ['dashboard.example.com.', 'AAAA'],
    ]);
    for (const record of found) {
      expect(record.Properties.AliasTarget.DNSName).toEqual({ 'Fn::GetAtt': [distributionId, 'DomainName'] });
      expect(record.Properties.HostedZoneId).toBe(ZONE.hostedZoneId);
    }
    expect(dashboard.outputs.DashboardDomainTarget.Value).toEqual({
      'Fn::GetAtt': [distributionId, 'DomainName'],
    });
  });

  it('DashboardUrl is the custom origin, the only one the API CORS allows', () => {
    expect(dashboard.outputs.DashboardUrl.Value).toBe('https://dashboard.example.com');
    dashboard.template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: Match.objectLike({ AllowOrigins: ['https://dashboard.example.com'] }),
    });
  });

  it('the API domain adds 4 resources (domain name, two mappings, a record), the dashboard’s 2 (its records)', () => {
    const count = (from: { resources: Record<string, Json> }) => Object.keys(from.resources).length;
    expect(count(api) - count(synth({ dashboard: 'false' }))).toBe(4);
    expect(count(dashboard) - count(synth())).toBe(2);
  });

  it('cdk-nag finds nothing unacknowledged', () => {
    for (const { app } of [api, dashboard]) {
      const report = new AwsSolutionsChecks(app).validateScope(app);
      expect(report.violations.map((v) => `${v.ruleName} ${v.violatingResources[0]?.constructPath}`)).toEqual(
        [],
      );
    }
  });
});

describe('bad domain context fails the synth, naming the key', () => {
  const refusals: Array<[Record<string, unknown>, RegExp]> = [
    [{ domainName: 'api.example.com' }, /certificateArn: domainName and certificateArn are given together/],
    [{ certificateArn: CERT }, /domainName: domainName and certificateArn/],
    [
      { ...API_DOMAIN, certificateArn: 'arn:aws:iam::123456789012:server-certificate/x' },
      /certificateArn must be an ACM certificate ARN/,
    ],
    [{ ...API_DOMAIN, domainName: 'https://api.example.com' }, /domainName must be a domain name/],
    [{ ...API_DOMAIN, domainName: 'localhost' }, /domainName must be a domain name/],
    [{ ...API_DOMAIN, apiBaseUrl: 'https://api.example.com' }, /apiBaseUrl: .*set one of them/],
    [{ ...API_DOMAIN, hostedZoneId: ZONE.hostedZoneId }, /hostedZoneName: hostedZoneId and hostedZoneName/],
    [
      { ...API_DOMAIN, ...ZONE, hostedZoneId: 'example.com' },
      /hostedZoneId must be a Route 53 hosted zone id/,
    ],
    [
      { ...API_DOMAIN, ...ZONE, hostedZoneName: 'example.org' },
      /domainName: api.example.com is not in the hosted zone example.org/,
    ],
    [{ ...ZONE }, /hostedZoneId: a hosted zone is only used with domainName or dashboardDomainName/],
    [
      { dashboardDomainName: 'dashboard.example.com' },
      /dashboardCertificateArn: dashboardDomainName and dashboardCertificateArn/,
    ],
    [
      { ...DASHBOARD_DOMAIN, dashboardCertificateArn: CERT },
      /dashboardCertificateArn: CloudFront takes only certificates of us-east-1/,
    ],
    [{ ...DASHBOARD_DOMAIN, dashboard: 'false' }, /dashboardDomainName needs the dashboard/],
    [
      { ...API_DOMAIN, ...DASHBOARD_DOMAIN, dashboardDomainName: 'api.example.com' },
      /different domain names/,
    ],
  ];
  it.each(
    refusals.map(([context, message]) => [JSON.stringify(context).slice(0, 90), context, message] as const),
  )('refuses %s', (_label, context, message) => {
    expect(() => build(context)).toThrow(message);
  });

  it('refuses an API certificate of another region than the one the stack deploys to', () => {
    vi.stubEnv('CDK_DEFAULT_REGION', 'us-east-1');
    expect(() => build(API_DOMAIN)).toThrow(
      /certificateArn: the API's certificate must be in the stack's region \(us-east-1\), not eu-west-1/,
    );
    vi.stubEnv('CDK_DEFAULT_REGION', 'eu-west-1');
    expect(() => build(API_DOMAIN)).not.toThrow();
  });

  it('takes a domain name in any case, as DNS does', () => {
    const { outputs } = synth({ ...API_DOMAIN, domainName: 'API.Example.com' });
    expect(outputs.ApiUrl.Value).toBe('https://api.example.com');
  });
});
