import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildApp } from '#lib/app.js';
import { readConfig } from '#lib/config.js';
import { withConnectSrc } from '#lib/dashboard.js';
import { PRIVATE_BUCKET, TLS_ONLY } from './private-bucket.js';

// biome-ignore lint/suspicious/noExplicitAny: synthesized CloudFormation JSON, navigated by path in assertions
type Json = any;
type Resource = { Type: string; Properties: Json };

// No esbuild in tests: the dashboard gets a placeholder page, like the functions get placeholder code.
const NO_BUNDLING = { 'aws:cdk:bundling-stacks': [] };
const synth = (context: Record<string, unknown> = {}) => {
  const { app, stack } = buildApp({ ...NO_BUNDLING, stage: 'test', ...context });
  const template = Template.fromStack(stack).toJSON();
  return {
    resources: template.Resources as Record<string, Resource>,
    outputs: template.Outputs as Record<string, Json>,
    assemblyDir: app.synth().directory,
  };
};
const ofType = (resources: Record<string, Resource>, type: string) =>
  Object.entries(resources).filter(([, r]) => r.Type === type);
const only = (resources: Record<string, Resource>, type: string) => {
  const found = ofType(resources, type);
  expect(found, type).toHaveLength(1);
  return found[0]!;
};
const getAtt = (id: string, attribute: string) => ({ 'Fn::GetAtt': [id, attribute] });

const { resources, outputs, assemblyDir } = synth();
const [bucketId, bucket] = ofType(resources, 'AWS::S3::Bucket').find(([id]) => id.startsWith('Dashboard'))!;
const [distributionId, distribution] = only(resources, 'AWS::CloudFront::Distribution');
const [httpApiId, httpApi] = only(resources, 'AWS::ApiGatewayV2::Api');
const dashboardOrigin = { 'Fn::Join': ['', ['https://', getAtt(distributionId, 'DomainName')]] };
const csp = (from: Record<string, Resource>) =>
  JSON.stringify(
    only(from, 'AWS::CloudFront::ResponseHeadersPolicy')[1].Properties.ResponseHeadersPolicyConfig
      .SecurityHeadersConfig.ContentSecurityPolicy,
  );

describe('dashboard hosting', () => {
  it('keeps the bucket private: SSE-S3, public access blocked, TLS only, readable by this distribution only', () => {
    expect(bucket.Properties).toMatchObject(PRIVATE_BUCKET);
    const policy = ofType(resources, 'AWS::S3::BucketPolicy').find(
      ([, p]) => p.Properties.Bucket.Ref === bucketId,
    )![1];
    const statements: Json[] = policy.Properties.PolicyDocument.Statement;
    expect(statements).toContainEqual(expect.objectContaining(TLS_ONLY));
    const allows = statements.filter((s) => s.Effect === 'Allow');
    expect(allows).toEqual([
      expect.objectContaining({
        Action: 's3:GetObject',
        Principal: { Service: 'cloudfront.amazonaws.com' },
        Condition: {
          StringEquals: {
            'AWS:SourceArn': expect.objectContaining({
              'Fn::Join': ['', expect.arrayContaining([':distribution/', { Ref: distributionId }])],
            }),
          },
        },
      }),
    ]);
  });

  it('serves it through CloudFront with Origin Access Control, HTTPS only, index.html at /', () => {
    const [oacId, oac] = only(resources, 'AWS::CloudFront::OriginAccessControl');
    expect(oac.Properties.OriginAccessControlConfig).toMatchObject({
      OriginAccessControlOriginType: 's3',
      SigningBehavior: 'always',
      SigningProtocol: 'sigv4',
    });
    const config = distribution.Properties.DistributionConfig;
    expect(config.DefaultRootObject).toBe('index.html');
    expect(config.Origins).toEqual([
      expect.objectContaining({
        DomainName: getAtt(bucketId, 'RegionalDomainName'),
        OriginAccessControlId: getAtt(oacId, 'Id'),
        S3OriginConfig: { OriginAccessIdentity: '' },
      }),
    ]);
    expect(config.DefaultCacheBehavior).toMatchObject({
      ViewerProtocolPolicy: 'https-only',
      AllowedMethods: ['GET', 'HEAD'],
      ResponseHeadersPolicyId: { Ref: only(resources, 'AWS::CloudFront::ResponseHeadersPolicy')[0] },
    });
  });

  it('sends a CSP of its own files, plus the region execute-api hosts for connect-src, and HSTS', () => {
    const [, policy] = only(resources, 'AWS::CloudFront::ResponseHeadersPolicy');
    const security = policy.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig;
    const text = csp(resources);
    for (const directive of [
      "default-src 'none'",
      "script-src 'self'",
      "style-src 'self'",
      "frame-ancestors 'none'",
      "object-src 'none'",
    ]) {
      expect(text).toContain(directive);
    }
    expect(text).not.toContain('unsafe-');
    expect(text).toContain(`connect-src 'self' https://*.execute-api.",{"Ref":"AWS::Region"},".`);
    expect(security).toMatchObject({
      StrictTransportSecurity: { AccessControlMaxAgeSec: 63_072_000, Override: true },
      ContentTypeOptions: { Override: true },
      FrameOptions: { FrameOption: 'DENY', Override: true },
      ReferrerPolicy: { ReferrerPolicy: 'no-referrer', Override: true },
    });
  });

  it("deploys index.html whose own CSP allows connect-src to this API only, and config.json with the API's URL", () => {
    const [, deployment] = only(resources, 'Custom::CDKBucketDeployment');
    const { SourceObjectKeys: keys, SourceMarkers: markers } = deployment.Properties;
    expect(keys).toHaveLength(3);
    expect(deployment.Properties).toMatchObject({
      DestinationBucketName: { Ref: bucketId },
      DistributionId: { Ref: distributionId },
      DistributionPaths: ['/*'],
      SystemMetadata: { 'cache-control': 'no-cache' },
    });
    // The staged file, with each marker shown as the value the deployment substitutes for it.
    const staged = (source: number, file: string) =>
      readFileSync(join(assemblyDir, `asset.${keys[source].replace(/\.zip$/, '')}`, file), 'utf8').replace(
        /<<marker:0xbaba:\d+>>/g,
        (marker) => JSON.stringify(markers[source][marker]),
      );
    const apiUrl = `https://{"Ref":"${httpApiId}"}.execute-api.{"Ref":"AWS::Region"}.{"Ref":"AWS::URLSuffix"}`;
    expect(staged(1, 'index.html')).toContain(
      `<meta http-equiv="Content-Security-Policy" content="connect-src 'self' ${apiUrl}" />`,
    );
    expect(staged(2, 'config.json')).toBe(`{"apiBaseUrl":"${apiUrl}","demo":false}`);
  });

  it('inserts the meta policy first in <head>, before any script or stylesheet', () => {
    const html =
      '<!doctype html><html><head lang="en"><meta charset="utf-8"><script src="/a.js"></script></head></html>';
    const out = withConnectSrc(html, 'https://api.example.com');
    expect(out.indexOf('http-equiv="Content-Security-Policy"')).toBeLessThan(out.indexOf('<script'));
    expect(out).toContain(`content="connect-src 'self' https://api.example.com"`);
    expect(() => withConnectSrc('<body></body>', 'https://api.example.com')).toThrow(/no <head>/);
  });

  it('outputs DashboardUrl and lets the API take browser calls from that origin only', () => {
    expect(outputs.DashboardUrl).toMatchObject({ Value: dashboardOrigin });
    expect(httpApi.Properties.CorsConfiguration).toMatchObject({
      AllowOrigins: [dashboardOrigin],
      AllowHeaders: expect.arrayContaining(['authorization', 'x-open-wearables-api-key']),
    });
  });

  it('with a custom API domain and extra origins: the exact API origin in the header, CORS for each origin', () => {
    const custom = synth({
      apiBaseUrl: 'https://api.example.com/wearables',
      corsOrigins: 'https://admin.example.com, http://localhost:5173',
    });
    expect(csp(custom.resources)).toContain("connect-src 'self' https://api.example.com;");
    const [, api] = only(custom.resources, 'AWS::ApiGatewayV2::Api');
    expect(api.Properties.CorsConfiguration.AllowOrigins).toEqual([
      expect.objectContaining({ 'Fn::Join': expect.any(Array) }),
      'https://admin.example.com',
      'http://localhost:5173',
    ]);
    // The heaviest configuration still fits CloudFormation's 500 resources per stack.
    const heaviest = synth({ dataLake: true });
    expect(Object.keys(heaviest.resources).length).toBeLessThan(500);
  });

  it('off by context (-c dashboard=false): no bucket, distribution, deployment or output; no CORS unless asked', () => {
    const off = synth({ dashboard: 'false' });
    expect(ofType(off.resources, 'AWS::CloudFront::Distribution')).toEqual([]);
    expect(ofType(off.resources, 'Custom::CDKBucketDeployment')).toEqual([]);
    expect(ofType(off.resources, 'AWS::S3::Bucket').filter(([id]) => id.startsWith('Dashboard'))).toEqual([]);
    expect(off.outputs.DashboardUrl).toBeUndefined();
    expect(only(off.resources, 'AWS::ApiGatewayV2::Api')[1].Properties.CorsConfiguration).toBeUndefined();

    const config = (context: Record<string, unknown>) =>
      readConfig(new App({ context: { stage: 'test', ...context } }).node);
    expect(config({ dashboard: 'false', corsOrigins: ['https://a.example'] })).toMatchObject({
      dashboard: false,
      corsOrigins: ['https://a.example'],
    });
    expect(() => config({ corsOrigins: 'https://a.example/path' })).toThrow(/corsOrigins.0: not an origin/);
  });
});
