import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  type CfnStage,
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
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  AppFunction,
  type FunctionEnvironment,
  type QueueUrlKey,
  type SecretArnKey,
} from '#lib/app-function.js';
import type { AppConfig } from '#lib/config.js';
import { ApiDomain } from '#lib/domain.js';
import { pascal } from '#lib/names.js';
import { ProviderVault } from '#lib/provider-vault.js';
import type { Secrets } from '#lib/secrets.js';
import { DOCS_ASSETS, DOCS_ASSETS_DIR } from '#shared/api/docs.js';
import { type ApiArea, allRoutes, apiAreaEnv, apiAreas, FALLBACK_AREA } from '#shared/api/index.js';
import { CORS_ALLOWED_HEADERS, CORS_MAX_AGE_SECONDS } from '#shared/http/cors.js';
import { QUEUES, type QueueName, SYNC_QUEUES, WEBHOOK_QUEUES } from '#shared/jobs/queues.js';
import { ENDPOINT_SECRET_OWNER } from '#shared/store/webhook-endpoints.js';
import { NARROW_READS, WRITE_SCOPES } from '#shared/store/write-scopes.js';

/**
 * JSON lines with HTTP API variables (CDK's default is the REST API's Common Log Format). The route key
 * (`POST /api/v1/developer/api-keys/{key_id}/rotate`), never the raw path: paths may carry an API key, and query
 * strings codes and states. No header is logged.
 */
export const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  requestTime: '$context.requestTime',
  ip: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
  method: '$context.httpMethod',
  routeKey: '$context.routeKey',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationLatency: '$context.integrationLatency',
  integrationError: '$context.integrationErrorMessage',
};
const ACCESS_LOG_FORMAT = AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS));

/**
 * Areas that neither read the table nor verify tokens (docs, OpenAPI, the 404/405 fallback; the webhook ingress,
 * which reads its app secrets only): no table grant beyond their `NARROW_READS`, no signing key. Every other area
 * gets reads and its write scope (shared/store/write-scopes.ts) and the JWT key.
 */
export const STATELESS_AREAS: readonly ApiArea[] = ['meta', 'webhooks'];

/**
 * Swagger UI's files (shared/api/docs.ts) and the OpenAPI document (shared/api/openapi-document.ts), served by the
 * meta area from next to its bundle: bundled, the document alone would be half of it.
 */
export const META_BUNDLE_FILES = {
  ...Object.fromEntries(
    Object.keys(DOCS_ASSETS).map((file) => [
      `${DOCS_ASSETS_DIR}/${file}`,
      `node_modules/swagger-ui-dist/${file}`,
    ]),
  ),
  'openapi.json': 'shared/api/openapi.json',
};

/**
 * Areas that get the token key's id: they encrypt or decrypt provider OAuth tokens (oauth; users, for a provider's
 * deregistration at disconnect; sync, for an inline sync and the vendor workouts), or open the sealed app secrets
 * (webhooks) or seal the integrator endpoints' signing secrets (outgoing); the grants of those two are narrower, see
 * below.
 */
const TOKEN_AREAS: readonly ApiArea[] = ['oauth', 'users', 'webhooks', 'outgoing', 'sync'];

type AreaEnvSchema<A extends ApiArea> = (typeof apiAreaEnv)[A];
export type AreaFunction<A extends ApiArea> = AppFunction<AreaEnvSchema<A>>;
export type ApiFunction = { [A in ApiArea]: AreaFunction<A> }[ApiArea];

interface AreaResources {
  secrets: Secrets;
  queues: Record<QueueName, IQueue>;
  vault: ProviderVault;
  webhookBodies: IBucket;
  table: ITable;
}

/** Lets an area queue syncs of every pull provider (sqs:SendMessage and the URL variable of each sync queue). */
function bindSyncQueues<A extends ApiArea>(fn: AreaFunction<A>, queues: Record<QueueName, IQueue>): void {
  for (const name of Object.values(SYNC_QUEUES)) {
    fn.bindQueue(queues[name], QUEUES[name].urlVariable as QueueUrlKey<AreaEnvSchema<A>>);
  }
}

/**
 * What each area may use beyond the table and the JWT key, typed by the area's env schema: a secret or queue
 * variable its schema lacks does not compile, and a new area cannot be added without deciding.
 */
const AREA_BINDINGS: { [A in ApiArea]: (fn: AreaFunction<A>, resources: AreaResources) => void } = {
  // Only the tokens area bootstraps the admin developer.
  tokens: (fn, { secrets }) => fn.bindSecret(secrets.adminCredentials, 'ADMIN_SECRET_ARN'),
  // DELETE /users/{id} hands large erasures to the erasure worker; a disconnect opens the tokens for the provider's
  // deregistration (Polar, Withings).
  users: (fn, { queues, vault }) => {
    fn.bindQueue(queues.erasure, QUEUES.erasure.urlVariable);
    vault.bindTokenHandler(fn);
  },
  sdk: () => {},
  data: () => {},
  meta: () => {},
  // Stores the tokens of new connections (token key, provider credentials) and queues the historical sync.
  oauth: (fn, { queues, vault }) => {
    vault.bindTokenHandler(fn);
    bindSyncQueues(fn, queues);
  },
  // Manual and historical syncs; an inline sync and the vendor workouts call the providers as the user (token key,
  // provider credentials).
  sync: (fn, { queues, vault }) => {
    bindSyncQueues(fn, queues);
    vault.bindTokenHandler(fn);
  },
  // Verifies with the provider credentials' webhook secrets, stores notifications (large ones in the bucket).
  webhooks: (fn, { queues, vault, webhookBodies, table }) => {
    // The app secrets a provider returned once (Polar's webhook key): those items only, decrypt only.
    fn.bindTableItems(table, NARROW_READS.webhooks!);
    vault.bindAppSecretReader(fn);
    for (const name of Object.values(WEBHOOK_QUEUES)) {
      fn.bindQueue(queues[name], QUEUES[name].urlVariable as QueueUrlKey<AreaEnvSchema<'webhooks'>>);
    }
    fn.bindBucket(webhookBodies, 'WEBHOOK_BODIES_BUCKET', ['s3:PutObject']);
  },
  // Integrator endpoints: seals their signing secrets (and opens one for GET .../secret), queues test messages.
  outgoing: (fn, { queues, vault }) => {
    vault.bindEndpointSecrets(fn, ENDPOINT_SECRET_OWNER, ['kms:GenerateDataKey', 'kms:Decrypt']);
    fn.bindQueue(queues.webhookDeliveries, QUEUES.webhookDeliveries.urlVariable);
  },
  // Statistics, priorities, seed data, data lifecycle. The seed's pushes reach the sdk-uploads queue through the
  // uploads bucket's notifications (lib/admin-grants.ts): only the sandbox's seed sends there itself.
  admin: (fn, { queues }) => {
    // POST /settings/archival/run queues an archival run.
    fn.bindQueue(queues.archival, QUEUES.archival.urlVariable);
  },
};

export interface ApiProps {
  config: AppConfig;
  table: ITable;
  secrets: Secrets;
  queues: Record<QueueName, IQueue>;
  webhookBodies: IBucket;
  /** Browser origins allowed by CORS (the dashboard's, then `corsOrigins`); none: no CORS at all. */
  corsOrigins: string[];
}

/** The HTTP API: one function per area of `apiAreas`, one route per contract route, `$default` to the fallback. */
export class Api extends Construct {
  readonly httpApi: HttpApi;
  /** Public base URL, without trailing slash (API_BASE_URL of every function). */
  readonly baseUrl: string;
  /** The custom domain (`-c domainName`), whose base URL is then `baseUrl`. */
  readonly domain?: ApiDomain;
  readonly functions: Record<ApiArea, ApiFunction>;

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);
    const { config, table, secrets, queues } = props;
    const vault = ProviderVault.of(this);

    this.httpApi = new HttpApi(this, 'HttpApi', {
      apiName: `open-wearables-${config.stage}`,
      createDefaultStage: false,
      // Browsers only: integrator backends and phones send no Origin. Tokens travel in headers, never cookies.
      ...(props.corsOrigins.length > 0 && {
        corsPreflight: {
          allowOrigins: props.corsOrigins,
          allowMethods: [CorsHttpMethod.ANY],
          allowHeaders: CORS_ALLOWED_HEADERS,
          maxAge: Duration.seconds(CORS_MAX_AGE_SECONDS),
        },
      }),
    });
    const stage = new HttpStage(this, 'DefaultStage', {
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
    const mobileThrottle = {
      ThrottlingRateLimit: config.mobileThrottleRateLimit,
      ThrottlingBurstLimit: config.mobileThrottleBurstLimit,
    };
    (stage.node.defaultChild as CfnStage).routeSettings = Object.fromEntries(
      allRoutes
        .filter((route) => route.mobile)
        .map((route) => [`${route.method} ${route.path}`, mobileThrottle]),
    );
    if (config.domainName) {
      this.domain = new ApiDomain(this, 'Domain', { config, httpApi: this.httpApi, stage });
    }
    // Same value as httpApi.apiEndpoint, spelled out so the synth-time env check sees a URL rather than one
    // opaque token. The functions depend on the API, never the reverse (routes and integrations depend on
    // both), so referencing it from their environment creates no cycle.
    const { region, urlSuffix } = Stack.of(this);
    // With a custom domain, config.apiBaseUrl is https://<domainName> (lib/config.ts).
    this.baseUrl =
      config.apiBaseUrl?.replace(/\/+$/, '') ??
      `https://${this.httpApi.apiId}.execute-api.${region}.${urlSuffix}`;

    const routes = new Construct(this, 'Routes');
    const integrations = {} as Record<ApiArea, HttpLambdaIntegration>;
    this.functions = {} as Record<ApiArea, ApiFunction>;

    const areaFunction = <A extends ApiArea>(area: A): AreaFunction<A> => {
      // Every area schema has API_BASE_URL as its only caller-set variable, and every stateful one JWT_SECRET_ARN
      // (tsc cannot see through the generic; the synth-time env check does).
      const environment = {
        API_BASE_URL: this.baseUrl,
        ...(TOKEN_AREAS.includes(area) ? vault.tokenKeyVariable : {}),
      } as FunctionEnvironment<AreaEnvSchema<A>>;
      const jwtKey = 'JWT_SECRET_ARN' as SecretArnKey<AreaEnvSchema<A>>;
      const fn = new AppFunction(this, `${pascal(area)}Function`, {
        name: area,
        description: `Open Wearables API: ${area} routes`,
        config,
        envSchema: apiAreaEnv[area],
        environment,
        ...(area === 'meta' && { bundleFiles: META_BUNDLE_FILES }),
      });
      if (!STATELESS_AREAS.includes(area)) {
        fn.bindTable(table, WRITE_SCOPES[area]).bindSecret(secrets.jwtSigningKey, jwtKey);
      }
      AREA_BINDINGS[area](fn, { secrets, queues, vault, webhookBodies: props.webhookBodies, table });
      return fn;
    };

    for (const [area, areaRoutes] of Object.entries(apiAreas) as [ApiArea, (typeof apiAreas)[ApiArea]][]) {
      const fn = areaFunction(area);
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
    // The stage's route settings name the mobile routes: API Gateway refuses a stage naming a route not yet created.
    stage.node.addDependency(routes);

    Validations.of(routes).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'Authorization is done in the Lambda per the Open Wearables contract (API keys, developer JWTs, SDK ' +
        'JWTs, OAuth state; some routes are public): API Gateway authorizers cannot express its auth classes ' +
        'nor its 401 error bodies.',
    });
  }
}
