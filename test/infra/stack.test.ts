import { App, NestedStack, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { buildApp } from '#lib/app.js';
import { AppFunction, type FunctionEnvironment } from '#lib/app-function.js';
import { readConfig } from '#lib/config.js';
import { EVENT_EMITTERS } from '#lib/delivery.js';
import { apiAreas, FALLBACK_AREA } from '#shared/api/index.js';
import { apiEnvSchema } from '#shared/config/env.js';
import { UPLOAD_PREFIX } from '#shared/ingest/sdk-uploads.js';
import {
  QUEUES,
  type QueueName,
  SYNC_QUEUES,
  visibilityTimeoutSeconds,
  WEBHOOK_QUEUES,
} from '#shared/jobs/queues.js';
import { SCHEDULES, scheduleSpec } from '#shared/jobs/schedules.js';
import { TABLE_KEYS } from '#shared/store/table.js';
import { WRITE_SCOPES } from '#shared/store/write-scopes.js';

// biome-ignore lint/suspicious/noExplicitAny: synthesized CloudFormation JSON, navigated by path in assertions
type Json = any;
type Resource = { Type: string; Properties: Json; DependsOn?: string[] };

// No esbuild in tests: the functions get placeholder assets.
const NO_BUNDLING = { 'aws:cdk:bundling-stacks': [] };
const { app, stack } = buildApp({ ...NO_BUNDLING, stage: 'test', logRetentionDays: 14 });
// Synthesis runs the env validations and the cdk-nag plugin: any failure throws here.
const template = Template.fromStack(stack);
const resources = template.toJSON().Resources as Record<string, Resource>;

const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
/** Our functions (AppFunction); CDK's own bucket-notifications handler is checked on its own. */
const functions = ofType('AWS::Lambda::Function').filter(([, fn]) => fn.Properties.FunctionName);
const areas = Object.keys(apiAreas);

/** Entry name (`functions/<name>.ts`) of each function's logical id, from its name `open-wearables-<stage>-<name>`. */
const areaOfFunction = new Map(
  functions.map(([id, fn]) => [
    id,
    (fn.Properties.FunctionName as string).replace('open-wearables-test-', ''),
  ]),
);
const functionOfArea = (area: string) => [...areaOfFunction].find(([, a]) => a === area)![0];
const apiFunctions = functions.filter(([id]) => areas.includes(areaOfFunction.get(id)!));
/** The areas that read no table and verify no token (docs, OpenAPI, 404/405). */
const stateless = ['meta', 'webhooks'];
/** API areas with the table and the JWT key. */
const statefulAreas = areas.filter((area) => !stateless.includes(area));
const queueNames = Object.keys(QUEUES) as QueueName[];
const syncQueueNames = Object.values(SYNC_QUEUES);
/** Every function named by a queue or a schedule: one function each, however many queues and schedules. */
const jobWorkers = [
  ...new Set([
    ...Object.values(QUEUES).map((q) => q.worker),
    ...Object.values(SCHEDULES).map((s) => s.worker),
  ]),
];
/** Functions that handle provider OAuth tokens: the token key and the provider credentials, nobody else. */
const tokenHandlers = ['oauth', 'users', 'sync', 'sync-worker', 'webhook-worker'];
/** Functions reading the provider credentials (token handlers, and the webhook verifiers for their secrets). */
const credentialReaders = [...tokenHandlers, 'webhooks', 'sync-dispatcher'];
/** The mobile ingress's Lambda authorizer (lib/mobile-ingress.ts): verifies SDK tokens and API keys, like the sdk area. */
const AUTHORIZER = 'sdk-authorizer';
/** Functions that verify tokens with the JWT signing key: the stateful API areas and the authorizer. */
const jwtReaders = [...statefulAreas, AUTHORIZER];
/** A grant on objects of a bucket, `<bucket ARN><suffix>`. */
const objectsGrant = (action: string | string[], bucketId: string, suffix: string) => ({
  Action: action,
  Effect: 'Allow',
  Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, suffix]] },
});
const listGrant = (bucketId: string) => ({
  Action: 's3:ListBucket',
  Effect: 'Allow',
  Resource: { 'Fn::GetAtt': [bucketId, 'Arn'] },
});
/** The mobile ingress's uploads, the webhook bodies and the Apple Health imports (and the dashboard's site). */
const bucketNamed = (prefix: string) => ofType('AWS::S3::Bucket').find(([id]) => id.startsWith(prefix))![0];
const uploadsBucket = () => bucketNamed('MobileIngressUploads');
const webhookBodiesBucket = () => bucketNamed('JobsWebhookBodies');
const importsBucket = () => bucketNamed('ImportsBucket');
const webhookBodiesGrant = (actions: string[]) =>
  objectsGrant(actions.length === 1 ? actions[0]! : actions, webhookBodiesBucket(), '/*');
const webhookQueueUrls = Object.values(WEBHOOK_QUEUES).map((name) => QUEUES[name].urlVariable);
/** The events queue of outgoing delivery: its URL goes to the functions that emit (lib/delivery.ts), only them. */
const emitterVariables = (name: string) =>
  (EVENT_EMITTERS as readonly string[]).includes(name) ? [QUEUES.deliveryEvents.urlVariable] : [];
/** Functions that open the integrator endpoints' signing secrets (sealed by the token key, their own binding). */
const endpointSecretReaders = ['outgoing', 'webhook-delivery'];

/** Queue resource (logical id and resource) by its physical name. */
const queueNamed = (name: string) =>
  ofType('AWS::SQS::Queue').find(([, q]) => q.Properties.QueueName === `open-wearables-test-${name}`)!;
const getAtt = (id: string, attribute: string) => ({ 'Fn::GetAtt': [id, attribute] });
const roleOfFunction = (id: string) => resources[id]!.Properties.Role['Fn::GetAtt'][0] as string;
/** Statements of the function role's inline policies (CDK's notifications handler has one per bucket). */
const statementsOf = (id: string): Json[] =>
  ofType('AWS::IAM::Policy')
    .filter(([, p]) => p.Properties.Roles.some((role: Json) => role.Ref === roleOfFunction(id)))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);

/** Area served by a route: route target -> integration -> function ARN -> area. */
function areaOfRoute(route: Resource): string {
  const integrationId = route.Properties.Target['Fn::Join'][1][1].Ref as string;
  const functionId = resources[integrationId]!.Properties.IntegrationUri['Fn::GetAtt'][0] as string;
  return areaOfFunction.get(functionId)!;
}

/** Logical ids a resource's properties point at (Ref, Fn::GetAtt). */
function references(value: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const v of value) references(v, found);
  else if (value && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      if (key === 'Ref' && typeof v === 'string') found.add(v);
      else if (key === 'Fn::GetAtt') found.add((v as string[])[0]!);
      else references(v, found);
    }
  }
  return found;
}

describe('functions', () => {
  it('one per API area, per worker of the queues and schedules and the mobile authorizer, nothing else', () => {
    expect([...areaOfFunction.values()].sort()).toEqual([...areas, ...jobWorkers, AUTHORIZER].sort());
  });

  it("the only other function is CDK's bucket-notifications handler: logs and the uploads and imports buckets' notifications", () => {
    // CDK's dashboard deployment handler aside (test/infra/dashboard.test.ts).
    const others = ofType('AWS::Lambda::Function').filter(
      ([id, fn]) => !fn.Properties.FunctionName && !id.startsWith('CustomCDKBucketDeployment'),
    );
    expect(others.map(([id]) => id)).toEqual([
      expect.stringMatching(/^BucketNotificationsHandler050a0587b7544547bf325f094a3db834[0-9A-F]{8}$/),
    ]);
    const [[handlerId, handler]] = others as [[string, Resource]];
    expect(handler.Properties.Description).toContain('Custom::S3BucketNotifications');
    const role = roleOfFunction(handlerId);
    expect(resources[role]!.Properties.ManagedPolicyArns).toEqual([
      {
        'Fn::Join': [
          '',
          ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'],
        ],
      },
    ]);
    const statements = statementsOf(handlerId);
    expect(statements).toHaveLength(2);
    expect(statements).toEqual(
      expect.arrayContaining(
        [uploadsBucket(), importsBucket()].map((bucketId) => ({
          Action: 's3:PutBucketNotification',
          Effect: 'Allow',
          Resource: getAtt(bucketId, 'Arn'),
        })),
      ),
    );
  });

  it('API areas: Node 22 on ARM64, 1024 MB, 29 s, JSON logs', () => {
    expect(apiFunctions).toHaveLength(areas.length);
    for (const [, fn] of apiFunctions) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        MemorySize: 1024,
        Timeout: 29,
        LoggingConfig: { LogFormat: 'JSON', ApplicationLogLevel: 'INFO' },
      });
    }
  });

  it('jobs: Node 22 on ARM64, 1024 MB, the timeout of their registry entry, JSON logs', () => {
    const jobs = [...Object.values(QUEUES), ...Object.values(SCHEDULES)];
    for (const job of jobs) {
      expect(resources[functionOfArea(job.worker)]!.Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        MemorySize: 1024,
        Timeout: job.timeoutSeconds,
        LoggingConfig: { LogFormat: 'JSON', ApplicationLogLevel: 'INFO' },
      });
    }
  });

  it('get every variable of their env schema, ARNs instead of secret values; only tokens gets the admin secret', () => {
    const syncQueueUrls = syncQueueNames.map((name) => QUEUES[name].urlVariable);
    const extra: Record<string, string[]> = {
      tokens: ['ADMIN_SECRET_ARN'],
      // Presigns the Apple Health uploads (lib/imports.ts).
      sdk: ['IMPORTS_BUCKET'],
      // Queues archival runs; the seed stores its pushes in the uploads bucket (S3 then notifies their queue).
      admin: [QUEUES.archival.urlVariable, 'SDK_UPLOADS_BUCKET'],
      users: ['ERASURE_QUEUE_URL', 'TOKEN_KMS_KEY_ID', 'PROVIDER_CREDENTIALS_SECRET_ARN'],
      oauth: ['TOKEN_KMS_KEY_ID', 'PROVIDER_CREDENTIALS_SECRET_ARN', ...syncQueueUrls],
      sync: [...syncQueueUrls, 'TOKEN_KMS_KEY_ID', 'PROVIDER_CREDENTIALS_SECRET_ARN'],
      outgoing: ['TOKEN_KMS_KEY_ID', QUEUES.webhookDeliveries.urlVariable],
      webhooks: [
        'PROVIDER_CREDENTIALS_SECRET_ARN',
        'TABLE_NAME',
        'TOKEN_KMS_KEY_ID',
        'WEBHOOK_BODIES_BUCKET',
        ...webhookQueueUrls,
      ],
    };
    for (const [id, fn] of apiFunctions) {
      const area = areaOfFunction.get(id)!;
      const variables = fn.Properties.Environment.Variables;
      expect(Object.keys(variables).sort()).toEqual(
        [
          ...(extra[area] ?? []),
          ...emitterVariables(area),
          'API_BASE_URL',
          ...(stateless.includes(area) ? [] : ['JWT_SECRET_ARN', 'TABLE_NAME']),
          'POWERTOOLS_LOG_LEVEL',
          'POWERTOOLS_SERVICE_NAME',
          'STAGE',
        ].sort(),
      );
      // No --enable-source-maps: it parses every source map at each cold start; logged stacks are mapped instead.
      expect(variables).toMatchObject({ STAGE: 'test' });
      expect(variables).not.toHaveProperty('NODE_OPTIONS');
      if (!stateless.includes(area)) {
        expect(variables.TABLE_NAME).toEqual({ Ref: ofType('AWS::DynamoDB::Table')[0]![0] });
      }
    }
  });

  it('jobs get the base variables, plus the URL of the queues they send to (and the token vault, if they need it)', () => {
    const syncQueueUrls = syncQueueNames.map((name) => QUEUES[name].urlVariable);
    const expected: Record<string, string[]> = {
      [QUEUES.erasure.worker]: [QUEUES.erasure.urlVariable],
      [SCHEDULES.sleepFinaliser.worker]: [],
      // Told of each upload by S3 through its queue; the bucket is in the notification.
      [QUEUES.sdkUploads.worker]: [],
      // Likewise for each import; continues a long one through its own queue.
      [QUEUES.appleImports.worker]: [QUEUES.appleImports.urlVariable],
      // Continues a run through its own queue.
      [QUEUES.archival.worker]: [QUEUES.archival.urlVariable],
      'sync-dispatcher': [
        QUEUES.syncDispatch.urlVariable,
        ...syncQueueUrls,
        'PROVIDER_CREDENTIALS_SECRET_ARN',
      ],
      'sync-worker': [...syncQueueUrls, 'TOKEN_KMS_KEY_ID', 'PROVIDER_CREDENTIALS_SECRET_ARN'],
      'webhook-worker': [
        ...webhookQueueUrls,
        'TOKEN_KMS_KEY_ID',
        'PROVIDER_CREDENTIALS_SECRET_ARN',
        'WEBHOOK_BODIES_BUCKET',
      ],
      // The bus by default (test/infra/delivery.test.ts checks the switches).
      'event-fanout': [QUEUES.webhookDeliveries.urlVariable, 'EVENT_BUS_NAME'],
      'webhook-delivery': [QUEUES.webhookDeliveries.urlVariable, 'TOKEN_KMS_KEY_ID'],
    };
    expect(Object.keys(expected).sort()).toEqual([...jobWorkers].sort());
    for (const [worker, extra] of Object.entries(expected)) {
      const variables = resources[functionOfArea(worker)]!.Properties.Environment.Variables;
      expect(Object.keys(variables).sort(), worker).toEqual(
        [
          ...extra,
          ...emitterVariables(worker),
          'POWERTOOLS_LOG_LEVEL',
          'POWERTOOLS_SERVICE_NAME',
          'STAGE',
          'TABLE_NAME',
        ].sort(),
      );
    }
  });

  it('each function gets sqs:SendMessage and the URL of exactly the queues it sends to, nothing else', () => {
    const queueUrl = (queueId: string) => ({
      'Fn::Join': [
        '',
        [
          'https://sqs.',
          { Ref: 'AWS::Region' },
          '.',
          { Ref: 'AWS::URLSuffix' },
          '/',
          { Ref: 'AWS::AccountId' },
          '/',
          getAtt(queueId, 'QueueName'),
        ],
      ],
    });
    const senders: Record<string, string[]> = {
      erasure: ['users', QUEUES.erasure.worker],
      syncDispatch: ['sync-dispatcher'],
      // S3 sends (its queue policy, lib/mobile-ingress.ts); no function does, the seed neither (it writes uploads).
      sdkUploads: [],
      // S3 too (lib/imports.ts), and the worker's continuations.
      appleImports: [QUEUES.appleImports.worker],
      // POST /settings/archival/run, and the worker's continuations.
      archival: ['admin', QUEUES.archival.worker],
      ...Object.fromEntries(
        Object.values(SYNC_QUEUES).map((queue) => [
          queue,
          ['oauth', 'sync', 'sync-dispatcher', 'sync-worker'],
        ]),
      ),
      ...Object.fromEntries(
        Object.values(WEBHOOK_QUEUES).map((queue) => [queue, ['webhooks', 'webhook-worker']]),
      ),
      deliveryEvents: [...EVENT_EMITTERS],
      // Test messages, fanned-out events, retries.
      webhookDeliveries: ['outgoing', 'event-fanout', 'webhook-delivery'],
    } as Record<string, string[]>;
    expect(Object.keys(senders).sort()).toEqual([...queueNames].sort());
    for (const [id, fn] of functions) {
      const name = areaOfFunction.get(id)!;
      const sendsTo = queueNames.filter((queue) => senders[queue]!.includes(name));
      const sends = statementsOf(id).filter((s) => JSON.stringify(s.Action).includes('sqs:SendMessage'));
      // In any order: the events queue is bound after the others (lib/delivery.ts).
      expect(sends, name).toHaveLength(sendsTo.length);
      expect(sends, name).toEqual(
        expect.arrayContaining(
          sendsTo.map((queue) => ({
            Action: 'sqs:SendMessage',
            Effect: 'Allow',
            Resource: getAtt(queueNamed(QUEUES[queue].name)[0], 'Arn'),
          })),
        ),
      );
      for (const queue of queueNames) {
        const variable = fn.Properties.Environment.Variables[QUEUES[queue].urlVariable];
        if (sendsTo.includes(queue))
          expect(variable, name).toEqual(queueUrl(queueNamed(QUEUES[queue].name)[0]));
        else expect(variable, name).toBeUndefined();
      }
    }
    // The API functions touch no queue otherwise.
    for (const [id] of apiFunctions) {
      const name = areaOfFunction.get(id)!;
      const sqs = statementsOf(id).filter((s) => JSON.stringify(s.Action).includes('sqs:'));
      expect(sqs).toHaveLength(queueNames.filter((queue) => senders[queue]!.includes(name)).length);
    }
  });

  it('log into their own log group with the retention from context', () => {
    for (const [, fn] of functions) {
      const logGroupId = fn.Properties.LoggingConfig.LogGroup.Ref as string;
      expect(resources[logGroupId]).toMatchObject({
        Type: 'AWS::Logs::LogGroup',
        Properties: { RetentionInDays: 14 },
      });
    }
  });

  it('have roles without managed policies, allowed only their own log group, the table and GSI1', () => {
    const table = ofType('AWS::DynamoDB::Table')[0]![0];
    // Every S3 grant of a function (objects only, each function its own actions): checked exactly here.
    const s3Grants: Record<string, Json[]> = {
      webhooks: [webhookBodiesGrant(['s3:PutObject'])],
      // A reader also lists its bucket, or S3 answers a missing object (one handled before) 403, not 404.
      'webhook-worker': [
        webhookBodiesGrant(['s3:GetObject', 's3:PutObject', 's3:DeleteObject']),
        listGrant(webhookBodiesBucket()),
      ],
      // The uploads under the upload prefix (lib/mobile-ingress.ts, mobile-ingress.test.ts).
      [QUEUES.sdkUploads.worker]: [
        objectsGrant(['s3:GetObject', 's3:DeleteObject'], uploadsBucket(), `/${UPLOAD_PREFIX}*`),
        listGrant(uploadsBucket()),
      ],
      // The seed's pushes, stored as uploads.
      admin: [objectsGrant('s3:PutObject', uploadsBucket(), `/${UPLOAD_PREFIX}*`)],
      // Raw exports are `<user id>/raw/<file>` (no prefix to narrow to) in a bucket holding nothing else
      // (lib/imports.ts): the worker reads them; presigned POSTs and part URLs act as the sdk area that signs them.
      [QUEUES.appleImports.worker]: [
        objectsGrant('s3:GetObject', importsBucket(), '/*'),
        listGrant(importsBucket()),
      ],
      sdk: [
        objectsGrant('s3:PutObject', importsBucket(), '/*'),
        objectsGrant('s3:AbortMultipartUpload', importsBucket(), '/*'),
      ],
    };
    for (const [id, fn] of functions) {
      const role = roleOfFunction(id);
      expect(resources[role]!.Properties.ManagedPolicyArns).toBeUndefined();
      const statements = statementsOf(id);
      expect(statements).toContainEqual(
        expect.objectContaining({
          Resource: { 'Fn::GetAtt': [fn.Properties.LoggingConfig.LogGroup.Ref, 'Arn'] },
        }),
      );
      const name = areaOfFunction.get(id)!;
      const s3 = statements.filter((s) => JSON.stringify(s.Action).includes('s3:'));
      const grants = s3Grants[name] ?? [];
      expect(s3, name).toHaveLength(grants.length);
      expect(s3, name).toEqual(expect.arrayContaining(grants));
      if (stateless.includes(name)) continue;
      const readStatement = statements.find((s) => String(s.Action).includes('dynamodb:Query'))!;
      expect(readStatement.Resource).toEqual([
        { 'Fn::GetAtt': [table, 'Arn'] },
        { 'Fn::Join': ['', [{ 'Fn::GetAtt': [table, 'Arn'] }, `/index/${TABLE_KEYS.gsi1.indexName}`]] },
      ]);
      // No wildcard action or resource besides the object grants above (the other '*' are the partition-key
      // prefixes of the write scope, in conditions).
      const unscoped = statements
        .filter((s) => !JSON.stringify(s.Action).includes('s3:'))
        .map(({ Condition, ...rest }) => rest);
      expect(JSON.stringify(unscoped), name).not.toContain('*');
    }
  });

  it('each function writes only its own partition-key prefixes; meta and the webhook ingress touch no table', () => {
    const table = ofType('AWS::DynamoDB::Table')[0]![0];
    for (const [id] of functions) {
      const name = areaOfFunction.get(id)! as keyof typeof WRITE_SCOPES;
      const statements = statementsOf(id);
      const writes = statements.filter((s) => String(s.Action).includes('dynamodb:PutItem'));
      if (name === 'webhooks') {
        // The ingress reads the sealed app secrets (Polar's webhook key), by key, and nothing else of the table.
        expect(statements.filter((s) => JSON.stringify(s.Action).includes('dynamodb:'))).toEqual([
          {
            Action: 'dynamodb:GetItem',
            Effect: 'Allow',
            Resource: getAtt(table, 'Arn'),
            Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['APPSECRET#*'] } },
          },
        ]);
        continue;
      }
      if (stateless.includes(name)) {
        expect(JSON.stringify(statements), name).not.toContain('dynamodb:');
        continue;
      }
      expect(JSON.stringify(statements), name).toContain('dynamodb:Query');
      if (WRITE_SCOPES[name].length === 0) {
        expect(writes, name).toEqual([]);
        continue;
      }
      expect(writes, name).toEqual([
        expect.objectContaining({
          Action: [
            'dynamodb:PutItem',
            'dynamodb:UpdateItem',
            'dynamodb:DeleteItem',
            'dynamodb:BatchWriteItem',
          ],
          Resource: { 'Fn::GetAtt': [table, 'Arn'] },
          Condition: {
            'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': WRITE_SCOPES[name].map((p) => `${p}*`) },
          },
        }),
      ]);
    }
    expect(WRITE_SCOPES.sdk).not.toContain('DEV#');
  });
});

describe('HTTP API', () => {
  const routes = ofType('AWS::ApiGatewayV2::Route').map(([, r]) => r);
  const routeByKey = new Map(routes.map((r) => [r.Properties.RouteKey as string, r]));

  it('has one route per contract route, integrated with its area function', () => {
    const contractRoutes = Object.entries(apiAreas).flatMap(([area, rs]) => rs.map((r) => ({ area, ...r })));
    expect(routes).toHaveLength(contractRoutes.length + 1);
    // Every area has routes, the sdk and data areas included.
    for (const area of areas)
      expect(
        contractRoutes.some((r) => r.area === area),
        area,
      ).toBe(true);
    for (const route of contractRoutes) {
      const resource = routeByKey.get(`${route.method} ${route.path}`);
      expect(resource, `${route.method} ${route.path}`).toBeDefined();
      expect(areaOfRoute(resource!)).toBe(route.area);
      expect(resource!.Properties.AuthorizationType ?? 'NONE').toBe('NONE');
    }
  });

  it('sends $default to the fallback area', () => {
    expect(areaOfRoute(routeByKey.get('$default')!)).toBe(FALLBACK_AREA);
  });

  it('lets API Gateway invoke each function through one permission', () => {
    const permissions = ofType('AWS::Lambda::Permission').map(([, p]) => p.Properties);
    for (const area of areas) {
      const own = permissions.filter((p) => p.FunctionName['Fn::GetAtt'][0] === functionOfArea(area));
      expect(own).toHaveLength(1);
      expect(own[0]).toMatchObject({
        Action: 'lambda:InvokeFunction',
        Principal: 'apigateway.amazonaws.com',
      });
    }
  });

  it('uses one name per path variable position, as API Gateway expects (/a/{x} and /a/{x}/b)', () => {
    const names = new Map<string, Set<string>>();
    for (const key of routeByKey.keys()) {
      const segments = key.split(' ')[1]?.split('/') ?? [];
      segments.forEach((segment, i) => {
        if (!segment.startsWith('{')) return;
        const prefix = segments
          .slice(0, i)
          .map((s) => (s.startsWith('{') ? '{}' : s))
          .join('/');
        names.set(prefix, (names.get(prefix) ?? new Set()).add(segment));
      });
    }
    for (const [prefix, set] of names) expect([...set], prefix).toHaveLength(1);
  });

  it("answers CORS preflight for the dashboard's origin with the contract headers", () => {
    const [[distributionId]] = ofType('AWS::CloudFront::Distribution') as [[string, Resource]];
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      ProtocolType: 'HTTP',
      CorsConfiguration: {
        AllowOrigins: [{ 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distributionId, 'DomainName'] }]] }],
        AllowMethods: ['*'],
        AllowHeaders: Match.arrayWith([
          'content-type',
          'authorization',
          'x-open-wearables-api-key',
          'x-api-key',
          'content-encoding',
        ]),
      },
    });
  });

  it('has an auto-deployed $default stage with throttling and JSON access logs', () => {
    const [[, stage]] = ofType('AWS::ApiGatewayV2::Stage') as [[string, Resource]];
    expect(stage.Properties).toMatchObject({
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingBurstLimit: 200, ThrottlingRateLimit: 100 },
    });
    const logGroupId = stage.Properties.AccessLogSettings.DestinationArn['Fn::GetAtt'][0] as string;
    expect(resources[logGroupId]).toMatchObject({ Properties: { RetentionInDays: 14 } });
    expect(JSON.parse(stage.Properties.AccessLogSettings.Format)).toMatchObject({
      requestId: '$context.requestId',
      routeKey: '$context.routeKey',
      status: '$context.status',
    });
  });

  it('creates the stage after every route: its route settings name the mobile routes, which must exist', () => {
    const [[, stage]] = ofType('AWS::ApiGatewayV2::Stage') as [[string, Resource]];
    const named = Object.keys(stage.Properties.RouteSettings);
    expect(named.length).toBeGreaterThan(0);
    const routeIds = ofType('AWS::ApiGatewayV2::Route')
      .filter(([, route]) => named.includes(route.Properties.RouteKey))
      .map(([id]) => id);
    expect(routeIds).toHaveLength(named.length);
    expect(stage.DependsOn).toEqual(expect.arrayContaining(routeIds));
  });

  it('passes its own URL as API_BASE_URL and outputs it as ApiUrl', () => {
    const [apiId] = ofType('AWS::ApiGatewayV2::Api')[0]!;
    const url = {
      'Fn::Join': [
        '',
        ['https://', { Ref: apiId }, '.execute-api.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }],
      ],
    };
    for (const [, fn] of apiFunctions) expect(fn.Properties.Environment.Variables.API_BASE_URL).toEqual(url);
    template.hasOutput('ApiUrl', { Value: url });
  });

  it('has no dependency cycle (CloudFormation, not synth, would reject one)', () => {
    const pending = new Map(
      Object.entries(resources).map(([id, r]) => [
        id,
        new Set([...references(r.Properties), ...(r.DependsOn ?? [])].filter((ref) => ref in resources)),
      ]),
    );
    let progressed = true;
    while (pending.size > 0 && progressed) {
      progressed = false;
      for (const [id, deps] of pending) {
        if ([...deps].every((dep) => !pending.has(dep))) {
          pending.delete(id);
          progressed = true;
        }
      }
    }
    expect([...pending.keys()]).toEqual([]);
  });
});

describe('table', () => {
  it('is the single table of TABLE_KEYS: on-demand, GSI1, TTL, PITR, deletion protection, retained', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [
          { AttributeName: TABLE_KEYS.partitionKey, KeyType: 'HASH' },
          { AttributeName: TABLE_KEYS.sortKey, KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [
          {
            IndexName: TABLE_KEYS.gsi1.indexName,
            KeySchema: [
              { AttributeName: TABLE_KEYS.gsi1.partitionKey, KeyType: 'HASH' },
              { AttributeName: TABLE_KEYS.gsi1.sortKey, KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
        TimeToLiveSpecification: { AttributeName: TABLE_KEYS.ttlAttribute, Enabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
        SSESpecification: { SSEEnabled: true },
      },
    });
  });
});

describe('queues (shared/jobs/queues.ts)', () => {
  const mappings = ofType('AWS::Lambda::EventSourceMapping').map(([, m]) => m.Properties);
  const queuePolicies = ofType('AWS::SQS::QueuePolicy').map(([, p]) => p.Properties);
  const deniesInsecureTransport = (queueId: string) =>
    queuePolicies.some(
      (p) =>
        p.Queues.some((queue: Json) => queue.Ref === queueId) &&
        p.PolicyDocument.Statement.some(
          (s: Json) =>
            s.Effect === 'Deny' &&
            s.Condition?.Bool?.['aws:SecureTransport'] === 'false' &&
            [s.Resource]
              .flat()
              .some((r: Json) => JSON.stringify(r) === JSON.stringify(getAtt(queueId, 'Arn'))),
        ),
    );

  it('only the registry queues, their DLQs and the schedules DLQs exist', () => {
    const names = ofType('AWS::SQS::Queue').map(([, q]) => q.Properties.QueueName as string);
    expect(names.sort()).toEqual(
      [
        ...Object.values(QUEUES).flatMap((q) => [q.name, `${q.name}-dlq`]),
        // One DLQ per scheduled function, shared by its schedules.
        ...new Set(Object.values(SCHEDULES).map((s) => `${s.worker}-schedule-dlq`)),
      ]
        .map((name) => `open-wearables-test-${name}`)
        .sort(),
    );
  });

  it.each(queueNames)('%s: visibility >= 6x its worker timeout, SSE, TLS only', (name) => {
    const [queueId, queue] = queueNamed(QUEUES[name].name);
    const workerTimeout = resources[functionOfArea(QUEUES[name].worker)]!.Properties.Timeout as number;
    expect(queue.Properties.VisibilityTimeout).toBe(visibilityTimeoutSeconds(name));
    expect(queue.Properties.VisibilityTimeout).toBeGreaterThanOrEqual(6 * workerTimeout);
    expect(queue.Properties.SqsManagedSseEnabled).toBe(true);
    expect(deniesInsecureTransport(queueId)).toBe(true);
  });

  it.each(queueNames)('%s: redrives to its DLQ after maxReceiveCount, kept 14 days', (name) => {
    const [, queue] = queueNamed(QUEUES[name].name);
    const [dlqId, dlq] = queueNamed(`${QUEUES[name].name}-dlq`);
    expect(queue.Properties.RedrivePolicy).toEqual({
      deadLetterTargetArn: getAtt(dlqId, 'Arn'),
      maxReceiveCount: QUEUES[name].maxReceiveCount,
    });
    expect(dlq.Properties).toMatchObject({
      MessageRetentionPeriod: 14 * 24 * 3600,
      SqsManagedSseEnabled: true,
    });
    expect(dlq.Properties.RedrivePolicy).toBeUndefined();
    expect(deniesInsecureTransport(dlqId)).toBe(true);
  });

  it.each(
    queueNames,
  )('%s: feeds its worker in batches of the registry size, with partial batch responses, capped', (name) => {
    const [queueId] = queueNamed(QUEUES[name].name);
    const own = mappings.filter(
      (m) => JSON.stringify(m.EventSourceArn) === JSON.stringify(getAtt(queueId, 'Arn')),
    );
    expect(own).toEqual([
      expect.objectContaining({
        FunctionName: { Ref: functionOfArea(QUEUES[name].worker) },
        BatchSize: QUEUES[name].batchSize,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        ScalingConfig: { MaximumConcurrency: QUEUES[name].maxConcurrency },
      }),
    ]);
    // A batch window is only needed (and allowed) above 10 messages.
    if (QUEUES[name].batchSize <= 10) expect(own[0].MaximumBatchingWindowInSeconds).toBeUndefined();
  });

  it('only the workers consume, each the queues naming it (the sync worker every provider queue)', () => {
    expect(mappings).toHaveLength(queueNames.length);
    for (const [id] of functions) {
      const consumes = statementsOf(id).filter((s) =>
        JSON.stringify(s.Action).includes('sqs:ReceiveMessage'),
      );
      const ownQueues = queueNames.filter((name) => functionOfArea(QUEUES[name].worker) === id);
      expect(consumes.map((s) => s.Resource)).toEqual(
        ownQueues.map((queue) => getAtt(queueNamed(QUEUES[queue].name)[0], 'Arn')),
      );
    }
  });
});

/** EventBridge Scheduler's rate expression as CDK writes it: the largest whole unit. */
function rateExpression(minutes: number): string {
  const [count, unit] =
    minutes % 1440 === 0
      ? [minutes / 1440, 'day']
      : minutes % 60 === 0
        ? [minutes / 60, 'hour']
        : [minutes, 'minute'];
  return `rate(${count} ${unit}${count === 1 ? '' : 's'})`;
}

describe('schedules (shared/jobs/schedules.ts)', () => {
  const schedules = ofType('AWS::Scheduler::Schedule').map(([, s]) => s.Properties);

  it('one per registry entry', () => {
    expect(schedules).toHaveLength(Object.keys(SCHEDULES).length);
  });

  it.each(
    Object.keys(SCHEDULES) as (keyof typeof SCHEDULES)[],
  )('%s: invokes its function at the registry rate with its input, with retries and a DLQ', (name) => {
    const { worker, rateMinutes, input } = scheduleSpec(name);
    const functionId = functionOfArea(worker);
    const schedule = schedules.find(
      (s) =>
        references(s.Target.Arn).has(functionId) &&
        s.Target.Input === (input === undefined ? undefined : JSON.stringify(input)),
    )!;
    expect(schedule).toBeDefined();
    expect(schedule).toMatchObject({
      ScheduleExpression: rateExpression(rateMinutes),
      State: 'ENABLED',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: {
        RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: rateMinutes * 60 },
        DeadLetterConfig: { Arn: getAtt(queueNamed(`${worker}-schedule-dlq`)[0], 'Arn') },
      },
    });

    // The Scheduler role may invoke exactly this function and write to the DLQ, nothing else.
    const roleId = schedule.Target.RoleArn['Fn::GetAtt'][0] as string;
    expect(resources[roleId]!.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      expect.objectContaining({
        Principal: { Service: 'scheduler.amazonaws.com' },
        Condition: {
          StringEquals: expect.objectContaining({ 'aws:SourceAccount': { Ref: 'AWS::AccountId' } }),
        },
      }),
    ]);
    const policy = ofType('AWS::IAM::Policy').find(([, p]) => p.Properties.Roles[0].Ref === roleId)!;
    expect(policy[1].Properties.PolicyDocument.Statement).toEqual([
      { Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: schedule.Target.Arn },
      {
        Action: 'sqs:SendMessage',
        Effect: 'Allow',
        Resource: getAtt(queueNamed(`${worker}-schedule-dlq`)[0], 'Arn'),
      },
    ]);

    // Asynchronous invocations are not retried by Lambda: the next run would overlap the retry.
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: functionId },
      MaximumRetryAttempts: 0,
    });
  });
});

describe('secrets', () => {
  const secrets = ofType('AWS::SecretsManager::Secret');
  const jwtKey = secrets.find(([, s]) => s.Properties.GenerateSecretString?.PasswordLength === 64)!;
  const admin = secrets.find(([, s]) => s.Properties.GenerateSecretString?.GenerateStringKey === 'password')!;
  const providerCredentials = secrets.find(([, s]) => s.Properties.SecretString === '{}')!;

  it('generates the JWT signing key and the admin credentials; the provider credentials start empty', () => {
    expect(secrets).toHaveLength(3);
    expect(jwtKey[1].Properties.GenerateSecretString).toEqual({
      PasswordLength: 64,
      ExcludePunctuation: true,
    });
    expect(admin[1].Properties.GenerateSecretString).toEqual({
      SecretStringTemplate: JSON.stringify({ email: 'admin@admin.com' }),
      GenerateStringKey: 'password',
      ExcludePunctuation: true,
      PasswordLength: 32,
    });
    template.hasOutput('AdminSecretArn', { Value: { Ref: admin[0] } });
    expect(providerCredentials).toBeDefined();
    template.hasOutput('ProviderCredentialsSecretArn', { Value: { Ref: providerCredentials[0] } });
  });

  it('are readable by the functions that use them and nothing else', () => {
    const readers = ofType('AWS::IAM::Policy')
      .filter(([, p]) => JSON.stringify(p.Properties).includes('secretsmanager:GetSecretValue'))
      .map(([, p]) => p.Properties.Roles[0].Ref as string);
    const tokenFunctions = functions.filter(([id]) => credentialReaders.includes(areaOfFunction.get(id)!));
    expect(readers.sort()).toEqual(
      [
        ...new Set(
          [
            ...apiFunctions.filter(([id]) => !stateless.includes(areaOfFunction.get(id)!)),
            [functionOfArea(AUTHORIZER)],
            ...tokenFunctions,
          ].map(([id]) => roleOfFunction(id)),
        ),
      ].sort(),
    );
    for (const [id, fn] of functions) {
      const name = areaOfFunction.get(id)!;
      const secretResources = statementsOf(id)
        .filter((s) => String(s.Action).includes('secretsmanager:'))
        .map((s) => s.Resource.Ref);
      const expected = [
        ...(jwtReaders.includes(name) ? [jwtKey[0]] : []),
        ...(name === 'tokens' ? [admin[0]] : []),
        ...(credentialReaders.includes(name) ? [providerCredentials[0]] : []),
      ];
      expect(secretResources.sort(), name).toEqual(expected.sort());
      const variables = fn.Properties.Environment.Variables;
      expect(variables.JWT_SECRET_ARN, name).toEqual(
        jwtReaders.includes(name) ? { Ref: jwtKey[0] } : undefined,
      );
      expect(variables.ADMIN_SECRET_ARN).toEqual(name === 'tokens' ? { Ref: admin[0] } : undefined);
      expect(variables.PROVIDER_CREDENTIALS_SECRET_ARN, name).toEqual(
        credentialReaders.includes(name) ? { Ref: providerCredentials[0] } : undefined,
      );
    }
  });
});

describe('provider token key (KMS)', () => {
  const keys = ofType('AWS::KMS::Key');

  it('is one customer-managed key with yearly rotation, retained with the stack', () => {
    expect(keys).toHaveLength(1);
    expect(keys[0]![1]).toMatchObject({
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: { EnableKeyRotation: true },
    });
  });

  it('only the token handlers may use it, only under the vault encryption context; the ingress only opens app secrets', () => {
    const [keyId] = keys[0]!;
    for (const [id, fn] of functions) {
      const name = areaOfFunction.get(id)!;
      const kms = statementsOf(id).filter((s) => JSON.stringify(s.Action).includes('kms:'));
      if (name === 'webhooks') {
        expect(kms).toEqual([
          {
            Action: 'kms:Decrypt',
            Effect: 'Allow',
            Resource: getAtt(keyId, 'Arn'),
            Condition: {
              StringEquals: {
                'kms:EncryptionContext:purpose': 'provider-tokens',
                'kms:EncryptionContext:user_id': 'app',
              },
            },
          },
        ]);
        expect(fn.Properties.Environment.Variables.TOKEN_KMS_KEY_ID).toEqual(getAtt(keyId, 'Arn'));
      } else if (endpointSecretReaders.includes(name)) {
        expect(kms, name).toEqual([
          {
            Action: name === 'outgoing' ? ['kms:GenerateDataKey', 'kms:Decrypt'] : 'kms:Decrypt',
            Effect: 'Allow',
            Resource: getAtt(keyId, 'Arn'),
            Condition: {
              StringEquals: {
                'kms:EncryptionContext:purpose': 'provider-tokens',
                'kms:EncryptionContext:user_id': 'webhook-endpoint',
              },
            },
          },
        ]);
        expect(fn.Properties.Environment.Variables.TOKEN_KMS_KEY_ID).toEqual(getAtt(keyId, 'Arn'));
      } else if (tokenHandlers.includes(name)) {
        expect(kms, name).toEqual([
          {
            Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey'],
            Effect: 'Allow',
            Resource: getAtt(keyId, 'Arn'),
            Condition: { StringEquals: { 'kms:EncryptionContext:purpose': 'provider-tokens' } },
          },
        ]);
        expect(fn.Properties.Environment.Variables.TOKEN_KMS_KEY_ID).toEqual(getAtt(keyId, 'Arn'));
      } else {
        expect(kms, name).toEqual([]);
        expect(fn.Properties.Environment.Variables.TOKEN_KMS_KEY_ID).toBeUndefined();
      }
    }
  });
});

describe('observability', () => {
  // The alarms live in the nested stack Monitoring (lib/observability.ts): its parameters, read back as the parent's
  // references they are given, name the queues and functions.
  const nested = stack.node.findAll().find((c): c is NestedStack => c instanceof NestedStack)!;
  const given = ofType('AWS::CloudFormation::Stack')[0]![1].Properties.Parameters as Record<string, unknown>;
  const monitoring = Template.fromJSON({
    Resources: JSON.parse(JSON.stringify(Template.fromStack(nested).toJSON().Resources), (_key, value) =>
      value?.Ref && given[value.Ref] ? given[value.Ref] : value,
    ),
  });

  it('alarms as soon as any dead-letter queue holds a message', () => {
    const dlqs = [
      ...Object.values(QUEUES).map((q) => `${q.name}-dlq`),
      ...Object.values(SCHEDULES).map((s) => `${s.worker}-schedule-dlq`),
    ];
    for (const dlq of dlqs) {
      monitoring.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: getAtt(queueNamed(dlq)[0], 'QueueName') }],
        Statistic: 'Maximum',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      });
    }
  });

  it('alarms on API 5xx, and on errors and throttles of every worker and scheduled function', () => {
    const apiAlarm = Object.values(monitoring.findResources('AWS::CloudWatch::Alarm')).find((a) =>
      String(a.Properties.AlarmName).endsWith('-Api5xx'),
    );
    expect(JSON.stringify(apiAlarm?.Properties.Metrics)).toContain(
      '"MetricName":"5xx","Namespace":"AWS/ApiGateway"',
    );
    for (const [id] of functions) {
      // An API function's (and the mobile authorizer's) crash, timeout or throttle is a 5xx of its API, which the
      // API alarms see; workers and scheduled functions alarm on their first error or throttle.
      const isApi = apiFunctions.some(([apiId]) => apiId === id) || id === functionOfArea(AUTHORIZER);
      const alarm = Object.values(monitoring.findResources('AWS::CloudWatch::Alarm')).find((a) =>
        JSON.stringify(a.Properties.Metrics ?? []).includes(JSON.stringify({ Ref: id })),
      );
      if (isApi) {
        expect(alarm, `alarm of API function ${id}`).toBeUndefined();
        continue;
      }
      expect(alarm, `alarm of ${id}`).toBeDefined();
      const metrics = alarm!.Properties.Metrics as {
        Id: string;
        Expression?: string;
        MetricStat?: { Metric: { MetricName: string; Dimensions: unknown } };
      }[];
      expect(metrics.find((m) => m.Expression)?.Expression).toBe(
        'IF(FILL(errors, 0) >= 1 OR FILL(throttles, 0) >= 1, 1, 0)',
      );
      for (const name of ['Errors', 'Throttles']) {
        expect(
          metrics.find((m) => m.MetricStat?.Metric.MetricName === name)?.MetricStat?.Metric.Dimensions,
        ).toEqual([{ Name: 'FunctionName', Value: { Ref: id } }]);
      }
      expect(alarm!.Properties).toMatchObject({
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      });
    }
  });
});

describe('cdk-nag and synth warnings', () => {
  it('AwsSolutions reports no unacknowledged error or warning', () => {
    const report = new AwsSolutionsChecks(app).validateScope(app);
    expect(report.violations.map((v) => `${v.ruleName} ${v.violatingResources[0]?.constructPath}`)).toEqual(
      [],
    );
  });

  it('with INVITATION_EMAIL_SENDER, only tokens may send email, from that address only; still nag clean', () => {
    const sending = buildApp({
      ...NO_BUNDLING,
      stage: 'test',
      INVITATION_EMAIL_SENDER: 'team@example.com',
      INVITATION_ACCEPT_URL: 'https://app.example.com/accept',
    });
    const policies = Object.values(
      Template.fromStack(sending.stack).toJSON().Resources as Record<string, Resource>,
    )
      .filter((r) => r.Type === 'AWS::IAM::Policy')
      .flatMap((p) =>
        (p.Properties.PolicyDocument.Statement as Json[]).map((statement) => ({ p, statement })),
      )
      .filter(({ statement }) => JSON.stringify(statement.Action).includes('ses:'));
    expect(policies).toHaveLength(1);
    const [{ p, statement }] = policies as [{ p: Resource; statement: Json }];
    expect(p.Properties.Roles).toEqual([{ Ref: expect.stringMatching(/^ApiTokensFunctionRole/) }]);
    // Any identity (in SES's sandbox the recipient's is authorised too), only ever from the sender.
    expect(statement).toMatchObject({
      Action: 'ses:SendEmail',
      Condition: { StringEquals: { 'ses:FromAddress': 'team@example.com' } },
    });
    expect(JSON.stringify(statement.Resource)).toMatch(
      /:ses:.*:identity\/\*".*:ses:.*:configuration-set\/\*"/,
    );
    const report = new AwsSolutionsChecks(sending.app).validateScope(sending.app);
    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
  });

  it('CDK itself emits no error or warning annotation', () => {
    expect(Annotations.fromStack(stack).findError('*', Match.anyValue())).toEqual([]);
    expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
  });
});

describe('settings', () => {
  it('takes apiBaseUrl, throttling and retention from context, as the CLI passes them (strings)', () => {
    const custom = buildApp({
      ...NO_BUNDLING,
      stage: 'custom',
      apiBaseUrl: 'https://api.example.com/',
      apiThrottleRateLimit: '50',
      apiThrottleBurstLimit: '80',
      logRetentionDays: '7',
      logLevel: 'DEBUG',
    });
    const customTemplate = Template.fromStack(custom.stack);
    expect(custom.stack.stackName).toBe('OpenWearables-custom');
    customTemplate.hasOutput('ApiUrl', { Value: 'https://api.example.com' });
    // Our functions; CDK's bucket-notifications handler (no name) has no log level of ours.
    const customFunctions = Object.values(customTemplate.findResources('AWS::Lambda::Function')).filter(
      (fn) => fn.Properties.FunctionName,
    );
    expect(customFunctions).toHaveLength(functions.length);
    for (const fn of customFunctions) {
      expect(fn.Properties.Environment.Variables.POWERTOOLS_LOG_LEVEL).toBe('DEBUG');
      // Lambda would otherwise drop the logger's DEBUG lines (its default application level is INFO).
      expect(fn.Properties.LoggingConfig).toMatchObject({ LogFormat: 'JSON', ApplicationLogLevel: 'DEBUG' });
    }
    // Above INFO, Lambda would drop the metric lines (no `level`: filed as INFO); the logger filters its own lines.
    const quiet = Template.fromStack(buildApp({ ...NO_BUNDLING, stage: 'quiet', logLevel: 'ERROR' }).stack);
    for (const fn of Object.values(quiet.findResources('AWS::Lambda::Function')).filter(
      (f) => f.Properties.FunctionName,
    )) {
      expect(fn.Properties.Environment.Variables.POWERTOOLS_LOG_LEVEL).toBe('ERROR');
      expect(fn.Properties.LoggingConfig).toMatchObject({ LogFormat: 'JSON', ApplicationLogLevel: 'INFO' });
    }
    // The API areas and the mobile authorizer.
    const withBaseUrl = customFunctions.filter((fn) => fn.Properties.Environment.Variables.API_BASE_URL);
    expect(withBaseUrl).toHaveLength(areas.length + 1);
    for (const fn of withBaseUrl) {
      expect(fn.Properties.Environment.Variables.API_BASE_URL).toBe('https://api.example.com');
    }
    customTemplate.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingBurstLimit: 80, ThrottlingRateLimit: 50 },
    });
    customTemplate.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 7 });
  });

  it('takes syncIntervalMinutes from context: the rate of the sync dispatch schedules, nothing else', () => {
    const custom = Template.fromStack(
      buildApp({ ...NO_BUNDLING, stage: 'custom', syncIntervalMinutes: '15' }).stack,
    );
    const rates = Object.values(custom.findResources('AWS::Scheduler::Schedule')).map((s) => [
      s.Properties.Target.Input ?? null,
      s.Properties.ScheduleExpression,
      s.Properties.Target.RetryPolicy.MaximumEventAgeInSeconds,
    ]);
    expect(rates.sort()).toEqual(
      [
        [
          null,
          `rate(${SCHEDULES.sleepFinaliser.rateMinutes} minutes)`,
          SCHEDULES.sleepFinaliser.rateMinutes * 60,
        ],
        [null, rateExpression(SCHEDULES.archival.rateMinutes), SCHEDULES.archival.rateMinutes * 60],
        ['{"provider":"fitbit"}', 'rate(15 minutes)', 900],
        ['{"provider":"ultrahuman"}', 'rate(15 minutes)', 900],
        ...['strava', 'oura', 'whoop', 'polar', 'suunto', 'google_health', 'withings', 'sensorbio'].map(
          (provider) => [`{"provider":"${provider}"}`, 'rate(15 minutes)', 900],
        ),
        // The watchdogs keep their own rate: the silence threshold decides how late a catch-up may be.
        ...['garmin', 'strava', 'oura', 'whoop', 'polar', 'suunto', 'google_health', 'withings'].map(
          (provider) => [`{"provider":"${provider}","kind":"watchdog"}`, 'rate(1 hour)', 3600],
        ),
        ['{"provider":"oura","kind":"renew"}', 'rate(1 day)', 86400],
      ].sort(),
    );
  });

  it.each<[Record<string, unknown>, RegExp]>([
    [{ stage: 'ok', syncIntervalMinutes: '0' }, /syncIntervalMinutes/],
    [{ stage: 'ok', syncIntervalMinutes: 'hourly' }, /syncIntervalMinutes/],
    [{ stage: 'Prod' }, /stage/],
    [{ stage: 'a'.repeat(21) }, /stage/],
    [{ stage: 'ok', logRetentionDays: 10 }, /logRetentionDays/],
    [{ stage: 'ok', adminEmail: 'nobody' }, /adminEmail/],
    // Every callback and webhook URL is the base plus a path: nothing may follow it, and providers want https.
    ...[
      'https://api.example.com?x=1',
      'https://api.example.com#top',
      'https://user:secret@api.example.com',
      'http://api.example.com',
      'javascript:alert(1)',
      'api.example.com',
    ].map((apiBaseUrl): [Record<string, unknown>, RegExp] => [
      { stage: 'ok', apiBaseUrl },
      /apiBaseUrl must be an https:\/\/ URL/,
    ]),
    // A misspelt key would silently fall back to the default: a new, empty table.
    [{ stage: 'ok', existingTablename: 'kept' }, /unknown key existingTablename/],
    [{ stage: 'ok', certificateARN: 'arn' }, /unknown key certificateARN/],
    [{ stage: 'ok', reservedConcurrency: '{"sdk":' }, /reservedConcurrency/],
  ])('rejects bad context %o', (context, message) => {
    expect(() => buildApp({ ...NO_BUNDLING, ...context })).toThrow(message);
  });

  it('takes a base URL with a path, and CDK keys of its own beside ours', () => {
    const app = new App({
      context: {
        stage: 'ok',
        apiBaseUrl: 'https://example.com/wearables',
        '@aws-cdk/core:newStyleStackSynthesis': true,
      },
    });
    expect(readConfig(app.node).apiBaseUrl).toBe('https://example.com/wearables');
  });
});

describe('AppFunction environment', () => {
  const config = readConfig(new App({ context: { stage: 'test' } }).node);
  const synthWith = (environment: FunctionEnvironment<typeof apiEnvSchema>) => {
    const scope = new Stack(new App({ context: NO_BUNDLING }), 'EnvCheck');
    new AppFunction(scope, 'Fn', { name: 'meta', config, envSchema: apiEnvSchema, environment });
    return () => Template.fromStack(scope);
  };

  it('fails synth when a schema variable is missing', () => {
    // No bindTable / bindSecret calls: TABLE_NAME and the secret ARNs are missing.
    expect(synthWith({ API_BASE_URL: 'https://api.example.com' })).toThrow(/TABLE_NAME/);
  });

  it('fails synth when a value does not match the schema', () => {
    expect(synthWith({ API_BASE_URL: 'not a url' })).toThrow(/API_BASE_URL/);
  });

  it('is typed by the schema (checked by tsc)', () => {
    // @ts-expect-error API_BASE_URL is required
    const missing: FunctionEnvironment<typeof apiEnvSchema> = {};
    // @ts-expect-error secret values never travel in a Lambda environment
    const secret: FunctionEnvironment<typeof apiEnvSchema> = { API_BASE_URL: 'https://a.b', JWT_SECRET: 'x' };
    // @ts-expect-error TABLE_NAME is set by bindTable, together with its grant
    const table: FunctionEnvironment<typeof apiEnvSchema> = { API_BASE_URL: 'https://a.b', TABLE_NAME: 't' };
    expect([missing, secret, table]).toHaveLength(3);
  });
});
