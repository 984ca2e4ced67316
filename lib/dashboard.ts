import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CfnOutput, Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  PriceClass,
  ResponseHeadersPolicy,
  SecurityPolicyProtocol,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { RecordTarget } from 'aws-cdk-lib/aws-route53';
import { CloudFrontTarget } from 'aws-cdk-lib/aws-route53-targets';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type CfnBucket,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, CacheControl, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import type { AppConfig } from '#lib/config.js';
import { aliasRecords, hostedZone } from '#lib/domain.js';
import { dashboardCsp } from '#shared/http/dashboard-csp.js';

const ROOT = new URL('../', import.meta.url);
/** Bundle directories of this process, removed at exit: an asset is copied into the cloud assembly when built. */
const temporary = new Set<string>();

/**
 * index.html with a second CSP, in a meta element before anything it governs, allowing `connect-src` to the API's
 * exact origin. Browsers enforce every policy, so the page may connect only where both allow.
 */
export function withConnectSrc(html: string, apiOrigin: string): string {
  const meta = `<meta http-equiv="Content-Security-Policy" content="connect-src 'self' ${apiOrigin}" />`;
  const head = /<head[^>]*>/i.exec(html);
  if (!head) throw new Error('the dashboard index.html has no <head>');
  const at = head.index + head[0].length;
  return `${html.slice(0, at)}\n    ${meta}${html.slice(at)}`;
}

/**
 * The dashboard's files (web/bundle.ts) in a fresh directory. Stacks excluded from bundling
 * (`aws:cdk:bundling-stacks`, as the infra tests do) get a placeholder page instead, like their functions.
 */
function bundleDirectory(bundling: boolean): string {
  const dir = mkdtempSync(join(tmpdir(), 'open-wearables-dashboard-'));
  if (temporary.size === 0) {
    process.once('exit', () => {
      for (const path of temporary) rmSync(path, { recursive: true, force: true });
    });
  }
  temporary.add(dir);
  if (!bundling) {
    writeFileSync(
      join(dir, 'index.html'),
      '<!doctype html><html><head></head><body>placeholder</body></html>\n',
    );
    return dir;
  }
  const script = new URL('lib/dashboard-bundle.ts', ROOT).pathname;
  const result = spawnSync(process.execPath, ['--import', 'tsx', script, dir], {
    cwd: ROOT.pathname,
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`dashboard bundle failed: ${result.stderr || result.error}`);
  return dir;
}

export interface DashboardProps {
  config: AppConfig;
}

/**
 * The developer dashboard: a private S3 bucket behind CloudFront (Origin Access Control, HTTPS only, security
 * headers). The distribution needs nothing of the API, so the API's CORS can name its origin; `publish` then
 * uploads the files with a `config.json` holding the API URL.
 */
export class Dashboard extends Construct {
  readonly bucket: Bucket;
  readonly distribution: Distribution;
  /** `https://<dashboardDomainName>` or `https://<id>.cloudfront.net`: the URL, and the origin the API's CORS allows. */
  readonly origin: string;
  private readonly config: AppConfig;

  constructor(scope: Construct, id: string, props: DashboardProps) {
    super(scope, id);
    this.config = props.config;
    const { region, urlSuffix } = Stack.of(this);

    this.bucket = new Bucket(this, 'Bucket', {
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      // Emptying the bucket at stack deletion would take a custom resource; it holds only rebuildable files.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // The header cannot name the API's own origin: the API's CORS names the distribution's, and CloudFormation
    // allows no cycle. It allows the region's execute-api hosts; index.html's meta policy narrows to the API.
    const apiSources = this.config.apiBaseUrl
      ? [new URL(this.config.apiBaseUrl).origin]
      : [`https://*.execute-api.${region}.${urlSuffix}`];
    const headers = new ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'Open Wearables dashboard: CSP, HSTS, no framing, no sniffing, no referrer',
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: dashboardCsp(apiSources), override: true },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(730),
          includeSubdomains: true,
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
      },
      customHeadersBehavior: {
        customHeaders: [
          { header: 'Cross-Origin-Opener-Policy', value: 'same-origin', override: true },
          { header: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=()', override: true },
        ],
      },
    });

    const { dashboardDomainName: domainName, dashboardCertificateArn } = this.config;
    this.distribution = new Distribution(this, 'Distribution', {
      comment: `Open Wearables dashboard (${this.config.stage})`,
      ...(domainName &&
        dashboardCertificateArn && {
          domainNames: [domainName],
          certificate: Certificate.fromCertificateArn(this, 'Certificate', dashboardCertificateArn),
          minimumProtocolVersion: SecurityPolicyProtocol.TLS_V1_2_2021,
        }),
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: headers,
        compress: true,
      },
      httpVersion: HttpVersion.HTTP2_AND_3,
      // A developer console: North America and Europe edges are enough, and the cheapest.
      priceClass: PriceClass.PRICE_CLASS_100,
    });
    this.origin = `https://${domainName ?? this.distribution.distributionDomainName}`;
    if (domainName) this.mapDomain(domainName);
    this.acknowledge();
  }

  /** Uploads the bundle, index.html with the API's origin in its CSP, and `config.json`; invalidates the cache. */
  publish(apiBaseUrl: string): BucketDeployment {
    const stack = Stack.of(this);
    const dir = bundleDirectory(stack.bundlingRequired);
    const apiOrigin = Token.isUnresolved(apiBaseUrl) ? apiBaseUrl : new URL(apiBaseUrl).origin;
    const html = withConnectSrc(readFileSync(join(dir, 'index.html'), 'utf8'), apiOrigin);
    const deployment = new BucketDeployment(this, 'Deployment', {
      destinationBucket: this.bucket,
      sources: [
        Source.asset(dir, { exclude: ['index.html'] }),
        Source.data('index.html', html),
        Source.jsonData('config.json', { apiBaseUrl, demo: false }),
      ],
      // Revalidated on every load (ETags make that a 304): a new deployment shows at once.
      cacheControl: [CacheControl.noCache()],
      distribution: this.distribution,
      distributionPaths: ['/*'],
      logGroup: new LogGroup(this, 'DeploymentLogs', { retention: this.config.logRetentionDays }),
      outputObjectKeys: false,
    });
    const bucketId = stack.resolve(stack.getLogicalId(this.bucket.node.defaultChild as CfnBucket));
    const copies = "CDK's BucketDeployment handler copies the asset's files into the dashboard bucket";
    Validations.of(deployment.handlerRole).acknowledge(
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason:
          "CDK's own deploy-time handler copying the dashboard's files; the managed policy only writes logs.",
      },
      ...['s3:GetObject*', 's3:GetBucket*', 's3:List*', 's3:DeleteObject*', 's3:Abort*'].map((action) => ({
        id: `AwsSolutions-IAM5[Action::${action}]`,
        reason: `${copies} (and prunes old ones): CDK's grant reads and writes for those two buckets only.`,
      })),
      {
        id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*]',
        reason: `${copies}: it reads the uploaded asset zip from the CDK bootstrap bucket.`,
      },
      {
        id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/*]`,
        reason: `${copies}: every object of that bucket is a dashboard file.`,
      },
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'cloudfront:CreateInvalidation and GetInvalidation after each upload; CDK grants them on every ' +
          'distribution, and the handler only invalidates the one it is given.',
      },
    );
    const handler = stack.node.children.find((child) =>
      child.node.id.startsWith('Custom::CDKBucketDeployment'),
    );
    if (handler) {
      Validations.of(handler).acknowledge({
        id: 'AwsSolutions-L1',
        reason: "CDK's BucketDeployment handler: its runtime is chosen and updated by aws-cdk-lib.",
      });
    }
    return deployment;
  }

  /** Alias records in the hosted zone, if given; else the output names what the operator's CNAME points at. */
  private mapDomain(domainName: string) {
    const zone = hostedZone(this, this.config);
    if (zone)
      aliasRecords(
        this,
        zone,
        domainName,
        RecordTarget.fromAlias(new CloudFrontTarget(this.distribution)),
        true,
      );
    new CfnOutput(Stack.of(this), 'DashboardDomainTarget', {
      value: this.distribution.distributionDomainName,
      description: `Where ${domainName} must point (CNAME or alias) when no hostedZoneId is given`,
    });
  }

  private acknowledge() {
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'Holds only the public static files of the dashboard, written by the stack at deploy and read by CloudFront ' +
        'through Origin Access Control; no data of any user is stored here.',
    });
    Validations.of(this.distribution).acknowledge(
      {
        id: 'AwsSolutions-CFR1',
        reason:
          'The dashboard is for developers anywhere; access is controlled by the API sign-in, not geography.',
      },
      {
        id: 'AwsSolutions-CFR2',
        reason:
          'No WAF by default (a fixed monthly fee): the distribution serves static files only, every API call ' +
          'goes to the throttled HTTP API. Operators who want one associate a web ACL with the distribution.',
      },
      {
        id: 'AwsSolutions-CFR3',
        reason:
          'No access logs for static files (a log bucket with ACLs or a log delivery per stage); every request ' +
          'that matters, the API calls, is in the HTTP API access log.',
      },
    );
    // With -c dashboardDomainName the distribution has its own certificate and TLSv1.2_2021: nothing to acknowledge.
    if (!this.config.dashboardDomainName) {
      Validations.of(this.distribution).acknowledge({
        id: 'AwsSolutions-CFR4',
        reason:
          'The default *.cloudfront.net certificate, which cannot be pinned to TLSv1.2; viewers are HTTPS only. ' +
          'A custom domain (-c dashboardDomainName, README "Custom domain") gets TLSv1.2_2021.',
      });
    }
  }
}
