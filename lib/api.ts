import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  CorsHttpMethod,
  HttpApi,
  HttpMethod,
  HttpRoute,
  HttpRouteKey,
  HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { AppFunction, type TableAccess } from '#lib/app-function.js';
import type { AppConfig } from '#lib/config.js';
import type { Secrets } from '#lib/secrets.js';
import { type ApiArea, apiAreas, FALLBACK_AREA } from '#shared/api/index.js';
import { apiEnvSchema, tokensEnvSchema } from '#shared/config/env.js';
import { CORS_ALLOWED_HEADERS, CORS_MAX_AGE_SECONDS } from '#shared/http/cors.js';

/** JSON lines with HTTP API variables (CDK's default is the REST API's Common Log Format). */
const ACCESS_LOG_FORMAT = AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    requestTime: '$context.requestTime',
    ip: '$context.identity.sourceIp',
    userAgent: '$context.identity.userAgent',
    method: '$context.httpMethod',
    path: '$context.path',
    routeKey: '$context.routeKey',
    status: '$context.status',
    protocol: '$context.protocol',
    responseLength: '$context.responseLength',
    responseLatency: '$context.responseLatency',
    integrationLatency: '$context.integrationLatency',
    integrationError: '$context.integrationErrorMessage',
  }),
);

/** Typed per area, so a new area cannot be added without deciding what it may do to the table. */
const TABLE_ACCESS: Record<ApiArea, TableAccess> = {
  users: 'RW',
  tokens: 'RW',
  meta: 'RO',
};

export interface ApiProps {
  config: AppConfig;
  table: ITable;
  secrets: Secrets;
}

export type ApiFunction = AppFunction<typeof apiEnvSchema> | AppFunction<typeof tokensEnvSchema>;

/** The HTTP API: one function per area of `apiAreas`, one route per contract route, `$default` to the fallback. */
export class Api extends Construct {
  readonly httpApi: HttpApi;
  /** Public base URL, without trailing slash (API_BASE_URL of every function). */
  readonly baseUrl: string;
  readonly functions: Record<ApiArea, ApiFunction>;

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);
    const { config, table, secrets } = props;

    this.httpApi = new HttpApi(this, 'HttpApi', {
      apiName: `open-wearables-${config.stage}`,
      createDefaultStage: false,
      corsPreflight: {
        allowOrigins: ['*'],
        allowMethods: [CorsHttpMethod.ANY],
        allowHeaders: CORS_ALLOWED_HEADERS,
        maxAge: Duration.seconds(CORS_MAX_AGE_SECONDS),
      },
    });
    new HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      autoDeploy: true,
      throttle: { rateLimit: config.apiThrottleRateLimit, burstLimit: config.apiThrottleBurstLimit },
      accessLogSettings: {
        destination: new LogGroupLogDestination(
          new LogGroup(this, 'AccessLogs', { retention: config.logRetentionDays }),
        ),
        format: ACCESS_LOG_FORMAT,
      },
    });
    // Same value as httpApi.apiEndpoint, spelled out so the synth-time env check sees a URL rather than one
    // opaque token. The functions depend on the API, never the reverse (routes and integrations depend on
    // both), so referencing it from their environment creates no cycle.
    const { region, urlSuffix } = Stack.of(this);
    this.baseUrl =
      config.apiBaseUrl?.replace(/\/+$/, '') ??
      `https://${this.httpApi.apiId}.execute-api.${region}.${urlSuffix}`;

    const routes = new Construct(this, 'Routes');
    const integrations = {} as Record<ApiArea, HttpLambdaIntegration>;
    this.functions = {} as Record<ApiArea, ApiFunction>;

    for (const [area, areaRoutes] of Object.entries(apiAreas) as [ApiArea, (typeof apiAreas)[ApiArea]][]) {
      const props = {
        name: area,
        description: `Open Wearables API: ${area} routes`,
        config,
        environment: { API_BASE_URL: this.baseUrl },
      };
      const fn =
        area === 'tokens'
          ? new AppFunction(this, `${pascal(area)}Function`, { ...props, envSchema: tokensEnvSchema })
              .bindTable(table, TABLE_ACCESS[area])
              .bindSecret(secrets.jwtSigningKey, 'JWT_SECRET_ARN')
              .bindSecret(secrets.adminCredentials, 'ADMIN_SECRET_ARN')
          : new AppFunction(this, `${pascal(area)}Function`, { ...props, envSchema: apiEnvSchema })
              .bindTable(table, TABLE_ACCESS[area])
              .bindSecret(secrets.jwtSigningKey, 'JWT_SECRET_ARN');
      // One invoke permission per function for the whole API instead of one per route.
      const integration = new HttpLambdaIntegration(`${pascal(area)}Integration`, fn, {
        scopePermissionToRoute: false,
      });
      for (const route of areaRoutes) {
        new HttpRoute(routes, `${route.method}${route.path.replace(/[^A-Za-z0-9]+/g, '-')}`, {
          httpApi: this.httpApi,
          routeKey: HttpRouteKey.with(route.path, HttpMethod[route.method]),
          integration,
        });
      }
      this.functions[area] = fn;
      integrations[area] = integration;
    }

    new HttpRoute(routes, 'Default', {
      httpApi: this.httpApi,
      routeKey: HttpRouteKey.DEFAULT,
      integration: integrations[FALLBACK_AREA],
    });

    Validations.of(routes).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'Authorization is done in the Lambda per the Open Wearables contract (API keys, developer JWTs, SDK ' +
        'JWTs, OAuth state; some routes are public): API Gateway authorizers cannot express its auth classes ' +
        'nor its 401 error bodies.',
    });
  }
}

function pascal(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}
