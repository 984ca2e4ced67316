import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import {
  AccessLogFormat,
  AwsIntegration,
  ContentHandling,
  EndpointType,
  HttpIntegration,
  IdentitySource,
  type IResource,
  LogGroupLogDestination,
  MethodLoggingLevel,
  PassthroughBehavior,
  RequestAuthorizer,
  RestApi,
} from 'aws-cdk-lib/aws-apigateway';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { BlockPublicAccess, Bucket, BucketEncryption, type CfnBucket, EventType } from 'aws-cdk-lib/aws-s3';
import { SqsDestination } from 'aws-cdk-lib/aws-s3-notifications';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type * as z from 'zod/mini';
import { AppFunction, grantMissingAsNotFound } from '#lib/app-function.js';
import type { AppConfig } from '#lib/config.js';
import type { ApiDomain } from '#lib/domain.js';
import { addJsonGatewayResponses } from '#lib/gateway-responses.js';
import { apiEnvSchema } from '#shared/config/env.js';
import { UPLOAD_PREFIX } from '#shared/ingest/sdk-uploads.js';
import { WRITE_SCOPES } from '#shared/store/write-scopes.js';

/**
 * The mobile ingress (README "Large SDK pushes"): the base URL the mobile SDKs are given. Lambda takes at most
 * 6 MB per request, the Android SDK sends rounds of up to 10 MB and re-sends a refused one forever, so the push
 * route is storage-first: a REST API (the API Gateway flavour that can write to S3 and accepts 10 MB) checks the
 * caller with a Lambda authorizer (the SDK route's own authentication), stores the body as it came under
 * `sdk-uploads/<user id>/<request id>` and answers the reference's 202; S3 notifies the `sdk-uploads` queue, whose
 * worker ingests the object like the synchronous route. Every other path is proxied to the HTTP API, so token
 * refresh, logs and sign-out work on the same base URL.
 */

/** The singleton function CDK adds to configure bucket notifications. */
const NOTIFICATIONS_HANDLER = 'BucketNotificationsHandler050a0587b7544547bf325f094a3db834';

/** The push route's resource chain; each level but `users` and the route itself gets a greedy proxy. */
const PUSH_ROUTE = ['api', 'v1', 'sdk', 'users', '{user_id}', 'sync'] as const;

const REFERENCE_ACCEPTED = JSON.stringify({
  status_code: 202,
  response: 'Import task queued successfully',
  user_id: '__USER__',
  dropped_count: 0,
  records_saved: 0,
  workouts_saved: 0,
  sleep_saved: 0,
}).replace('"__USER__"', `"$util.escapeJavaScript($input.params('user_id'))"`);

const detail = (text: string) => ({ 'application/json': JSON.stringify({ detail: text }) });

export interface MobileIngressProps {
  config: AppConfig;
  table: ITable;
  jwtSigningKey: ISecret;
  /** The HTTP API's base URL, which every other path is proxied to. */
  httpApiUrl: string;
  /** Where object-created notifications go (the `sdk-uploads` queue). */
  uploadQueue: IQueue;
  /** The function that ingests the uploads: it may read and delete them, nothing else. */
  uploadWorker: AppFunction<z.ZodMiniObject>;
  /** The API's custom domain: the ingress is mapped under `/mobile` there, and that is its URL. */
  domain?: ApiDomain;
}

export class MobileIngress extends Construct {
  private readonly httpApiUrl: string;
  readonly restApi: RestApi;
  readonly bucket: Bucket;
  readonly authorizerFunction: AppFunction<typeof apiEnvSchema>;
  /** Base URL for the mobile SDKs, without trailing slash. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: MobileIngressProps) {
    super(scope, id);
    const { config } = props;
    this.httpApiUrl = props.httpApiUrl;

    this.bucket = new Bucket(this, 'Uploads', {
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      // An upload normally lives seconds; one its worker never managed goes with its dead letter.
      lifecycleRules: [{ prefix: UPLOAD_PREFIX, expiration: Duration.days(14) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.bucket.addEventNotification(EventType.OBJECT_CREATED, new SqsDestination(props.uploadQueue), {
      prefix: UPLOAD_PREFIX,
    });
    props.uploadWorker.addToRolePolicy(
      new PolicyStatement({
        actions: ['s3:GetObject', 's3:DeleteObject'],
        resources: [this.bucket.arnForObjects(`${UPLOAD_PREFIX}*`)],
      }),
    );
    grantMissingAsNotFound(props.uploadWorker, this.bucket);

    this.authorizerFunction = new AppFunction(this, 'SdkAuthorizer', {
      name: 'sdk-authorizer',
      description: 'Open Wearables: authorizer of the mobile ingress push route',
      config,
      envSchema: apiEnvSchema,
      environment: { API_BASE_URL: props.httpApiUrl },
      timeout: Duration.seconds(10),
    })
      .bindTable(props.table, WRITE_SCOPES['sdk-authorizer'])
      .bindSecret(props.jwtSigningKey, 'JWT_SECRET_ARN');

    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: config.logRetentionDays });
    this.restApi = new RestApi(this, 'RestApi', {
      restApiName: `open-wearables-${config.stage}-mobile`,
      description: 'Open Wearables mobile ingress: storage-first SDK pushes, everything else proxied',
      endpointConfiguration: { types: [EndpointType.REGIONAL] },
      // A REST stage with access logs is refused in an account (and region) without this role.
      cloudWatchRole: config.apiGatewayLogsRole,
      // Bodies pass to S3 byte for byte (a gzip body included) and proxied answers come back unchanged; the push
      // route's own answers are converted back to text for their templates.
      binaryMediaTypes: ['*/*'],
      deployOptions: {
        stageName: 'mobile',
        throttlingRateLimit: config.mobileThrottleRateLimit,
        throttlingBurstLimit: config.mobileThrottleBurstLimit,
        loggingLevel: MethodLoggingLevel.OFF,
        accessLogDestination: new LogGroupLogDestination(accessLogs),
        accessLogFormat: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            requestTime: '$context.requestTime',
            ip: '$context.identity.sourceIp',
            method: '$context.httpMethod',
            resourcePath: '$context.resourcePath',
            status: '$context.status',
            responseLength: '$context.responseLength',
            responseLatency: '$context.responseLatency',
            integrationLatency: '$context.integrationLatency',
            authorizerError: '$context.authorizer.error',
          }),
        ),
      },
    });
    // RestApi's own `Endpoint` output is the raw execute-api URL, beside MobileApiUrl (the one the SDKs take).
    this.restApi.node.tryRemoveChild('Endpoint');
    this.url = props.domain?.mapMobile(this.restApi) ?? this.restApi.url.replace(/\/+$/, '');
    addJsonGatewayResponses(this.restApi);

    const authorizer = new RequestAuthorizer(this, 'Authorizer', {
      handler: this.authorizerFunction,
      // Caching off: the decision depends on the Authorization or API-key header and the path's user; an
      // identity source is still required, and the request id is always present.
      identitySources: [IdentitySource.context('requestId')],
      resultsCacheTtl: Duration.seconds(0),
    });
    const uploadRole = new Role(this, 'UploadRole', {
      assumedBy: new ServicePrincipal('apigateway.amazonaws.com'),
    });
    uploadRole.addToPolicy(
      new PolicyStatement({
        actions: ['s3:PutObject'],
        resources: [this.bucket.arnForObjects(`${UPLOAD_PREFIX}*`)],
      }),
    );

    let resource: IResource = this.restApi.root;
    this.proxy(resource, '');
    for (const [i, part] of PUSH_ROUTE.entries()) {
      resource = resource.addResource(part);
      // `users` already has a path-variable child ({user_id}); the push route itself is the end of the chain.
      if (part !== 'users' && part !== 'sync') this.proxy(resource, PUSH_ROUTE.slice(0, i + 1).join('/'));
    }
    resource.addMethod(
      'POST',
      new AwsIntegration({
        service: 's3',
        integrationHttpMethod: 'PUT',
        path: `${this.bucket.bucketName}/${UPLOAD_PREFIX}{user_id}/{request_id}`,
        options: {
          credentialsRole: uploadRole,
          passthroughBehavior: PassthroughBehavior.WHEN_NO_TEMPLATES,
          requestParameters: {
            'integration.request.path.user_id': 'method.request.path.user_id',
            'integration.request.path.request_id': 'context.requestId',
            'integration.request.header.Content-Type': "'application/json'",
          },
          integrationResponses: [
            {
              selectionPattern: '2\\d{2}',
              statusCode: '202',
              contentHandling: ContentHandling.CONVERT_TO_TEXT,
              responseTemplates: { 'application/json': REFERENCE_ACCEPTED },
            },
            {
              // S3 throttling or an outage: a 503 the SDKs retry, never a 4xx the iOS 0.6 SDK would skip.
              selectionPattern: '5\\d{2}',
              statusCode: '503',
              contentHandling: ContentHandling.CONVERT_TO_TEXT,
              responseParameters: { 'method.response.header.Retry-After': "'1'" },
              responseTemplates: detail('Service temporarily overloaded, please retry'),
            },
            // Anything else (a 4xx: the role or the bucket is misconfigured) is ours to fix, and alarmed.
            {
              statusCode: '500',
              contentHandling: ContentHandling.CONVERT_TO_TEXT,
              responseTemplates: detail('Internal Server Error'),
            },
          ],
        },
      }),
      {
        authorizer,
        requestParameters: { 'method.request.path.user_id': true },
        // Body validation has no model to check against: the body is stored as sent and validated by the worker.
        requestValidatorOptions: { validateRequestParameters: true, validateRequestBody: true },
        methodResponses: [
          { statusCode: '202' },
          { statusCode: '503', responseParameters: { 'method.response.header.Retry-After': true } },
          { statusCode: '500' },
        ],
      },
    );

    const { region, urlSuffix } = Stack.of(this);
    Validations.of(this.restApi).acknowledge(
      {
        id: 'AwsSolutions-APIG3',
        reason:
          'No WAF by default (it costs a fixed monthly fee); the push route authenticates every request and the ' +
          'stage is throttled. Operators who want one associate a web ACL with the stage.',
      },
      {
        id: 'AwsSolutions-APIG6',
        reason:
          'Execution logging would write every request of every phone a second time; access logs record every ' +
          'request, and the functions log their own work.',
      },
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        reason:
          "The account's API Gateway logging role (apiGatewayLogsRole) uses the managed policy API Gateway " +
          'documents for it: log groups are created and named by API Gateway, so it cannot be narrowed.',
      },
      {
        id: 'AwsSolutions-APIG4',
        reason:
          'Only the push route is authorized here (it writes to S3 directly); every other path is proxied to the ' +
          'HTTP API, whose functions authenticate per the Open Wearables contract.',
      },
      {
        id: 'AwsSolutions-COG4',
        reason: 'The API authenticates SDK tokens and API keys of its own, not Cognito users.',
      },
    );
    const uploadObjects = `Resource::<${Stack.of(this).resolve(Stack.of(this).getLogicalId(this.bucket.node.defaultChild as CfnBucket))}.Arn>/${UPLOAD_PREFIX}*`;
    for (const role of [uploadRole, props.uploadWorker.role!]) {
      Validations.of(role).acknowledge({
        id: `AwsSolutions-IAM5[${uploadObjects}]`,
        reason:
          'Each upload is its own object, named by its request id: the grant is the upload prefix only.',
      });
    }
    const notifications = Stack.of(this).node.tryFindChild(NOTIFICATIONS_HANDLER);
    if (notifications) {
      Validations.of(notifications).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason:
          "CDK's own handler that configures the bucket's notifications at deploy time; it only writes its logs.",
      });
    }
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'Objects live seconds (the worker deletes each one it ingested) and every write is an API Gateway ' +
        `request, already in the ingress's access log (execute-api.${region}.${urlSuffix}).`,
    });
  }

  /** ANY on `{proxy+}` under `resource`, forwarded to the HTTP API with the same path, query and headers. */
  private proxy(resource: IResource, prefix: string) {
    const base = prefix ? `${prefix}/` : '';
    const parameters = Object.fromEntries(
      [...prefix.matchAll(/\{(\w+)\}/g)].map(([, name]) => [
        `integration.request.path.${name}`,
        `method.request.path.${name}`,
      ]),
    );
    const integration = new HttpIntegration(`${this.httpApiUrl}/${base}{proxy}`, {
      proxy: true,
      httpMethod: 'ANY',
      options: {
        requestParameters: { 'integration.request.path.proxy': 'method.request.path.proxy', ...parameters },
      },
    });
    resource.addResource('{proxy+}').addMethod('ANY', integration, {
      requestParameters: {
        'method.request.path.proxy': true,
        ...Object.fromEntries(Object.values(parameters).map((source) => [source, true])),
      },
    });
  }
}
