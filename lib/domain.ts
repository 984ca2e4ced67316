import { CfnOutput, Stack, Token } from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import {
  ApiMapping,
  CfnApiMapping,
  DomainName,
  type HttpApi,
  type IStage,
  SecurityPolicy,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import { AaaaRecord, ARecord, HostedZone, type IHostedZone, RecordTarget } from 'aws-cdk-lib/aws-route53';
import { ApiGatewayv2DomainProperties } from 'aws-cdk-lib/aws-route53-targets';
import { Construct, type IConstruct } from 'constructs';
import { type AppConfig, certificateRegion } from '#lib/config.js';

/** Where the mobile ingress sits on the API's custom domain: `https://<domainName>/mobile`. */
export const MOBILE_BASE_PATH = 'mobile';

type DomainConfig = Pick<AppConfig, 'domainName' | 'certificateArn' | 'hostedZoneId' | 'hostedZoneName'>;

/** The Route 53 zone of `-c hostedZoneId -c hostedZoneName` (looked up by id: no lookup, no context file). */
export function hostedZone(scope: Construct, config: DomainConfig): IHostedZone | undefined {
  if (!config.hostedZoneId || !config.hostedZoneName) return undefined;
  return HostedZone.fromHostedZoneAttributes(scope, 'Zone', {
    hostedZoneId: config.hostedZoneId,
    zoneName: config.hostedZoneName,
  });
}

/** An A alias record for `name`, and an AAAA one when the target answers on IPv6 (CloudFront does). */
export function aliasRecords(
  scope: Construct,
  zone: IHostedZone,
  name: string,
  target: RecordTarget,
  ipv6: boolean,
): void {
  const recordName = `${name}.`;
  new ARecord(scope, 'AliasRecord', { zone, recordName, target });
  if (ipv6) new AaaaRecord(scope, 'AliasRecordIpv6', { zone, recordName, target });
}

/**
 * The region the stack deploys to, when known at synth: its own `env`, else the CLI's default region
 * (`CDK_DEFAULT_REGION`, where an environment-agnostic stack goes).
 */
function deployRegion(scope: IConstruct): string | undefined {
  const { region } = Stack.of(scope);
  return Token.isUnresolved(region) ? process.env.CDK_DEFAULT_REGION : region;
}

export interface ApiDomainProps {
  config: DomainConfig;
  httpApi: HttpApi;
  stage: IStage;
}

/**
 * The API's custom domain (`-c domainName -c certificateArn`): a regional API Gateway domain name (TLS 1.2) with the
 * HTTP API at its root and, through `mapMobile`, the mobile ingress under `/mobile`; an A alias record when a
 * hosted zone is given, otherwise the operator points a CNAME at the `ApiDomainTarget` output.
 */
export class ApiDomain extends Construct {
  readonly domainName: DomainName;
  /** `https://<domainName>`: the public base URL. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: ApiDomainProps) {
    super(scope, id);
    const { domainName, certificateArn } = props.config;
    if (!domainName || !certificateArn) throw new Error('ApiDomain needs domainName and certificateArn');
    const region = deployRegion(this);
    const certificate = certificateRegion(certificateArn);
    if (region && certificate !== region) {
      throw new Error(
        `Invalid CDK context: certificateArn: the API's certificate must be in the stack's region (${region}), not ${certificate}`,
      );
    }
    this.domainName = new DomainName(this, 'DomainName', {
      domainName,
      certificate: Certificate.fromCertificateArn(this, 'Certificate', certificateArn),
      securityPolicy: SecurityPolicy.TLS_1_2,
    });
    new ApiMapping(this, 'HttpApiMapping', {
      api: props.httpApi,
      domainName: this.domainName,
      stage: props.stage,
    });
    this.url = `https://${domainName}`;
    new CfnOutput(Stack.of(this), 'ApiDomainTarget', {
      value: this.domainName.regionalDomainName,
      description: `Where ${domainName} must point (CNAME or alias) when no hostedZoneId is given`,
    });
    const zone = hostedZone(this, props.config);
    if (zone) {
      const target = RecordTarget.fromAlias(
        new ApiGatewayv2DomainProperties(
          this.domainName.regionalDomainName,
          this.domainName.regionalHostedZoneId,
        ),
      );
      // A regional API Gateway domain name is IPv4 only unless made dual-stack.
      aliasRecords(this, zone, domainName, target, false);
    }
  }

  /** Maps the REST API's deployment stage under `/mobile`; returns the mobile SDKs' base URL there. */
  mapMobile(restApi: RestApi): string {
    new CfnApiMapping(this, 'MobileApiMapping', {
      apiId: restApi.restApiId,
      domainName: this.domainName.name,
      stage: restApi.deploymentStage.stageName,
      apiMappingKey: MOBILE_BASE_PATH,
    });
    return `${this.url}/${MOBILE_BASE_PATH}`;
  }
}
