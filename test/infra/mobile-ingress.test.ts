import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { MAX_UPLOAD_BYTES, UPLOAD_PREFIX } from '#shared/ingest/sdk-uploads.js';
import { QUEUES } from '#shared/jobs/queues.js';
import { PRIVATE_BUCKET, TLS_ONLY } from './private-bucket.js';
import { getAtt, type Json, s3NotifiesQueue, synth as synthApp } from './template.js';

const synth = (context: Record<string, unknown> = {}) => Template.fromStack(synthApp(context).stack);
const built = synthApp();
const template = Template.fromStack(built.stack);
const { resources, ofType } = built;
const only = (type: string) => {
  const found = ofType(type);
  expect(found, type).toHaveLength(1);
  return found[0]!;
};
const functionNamed = (name: string) =>
  ofType('AWS::Lambda::Function').find(
    ([, fn]) => fn.Properties.FunctionName === `open-wearables-test-${name}`,
  )!;
const roleOf = (functionId: string) => resources[functionId]!.Properties.Role['Fn::GetAtt'][0] as string;
const statementsOf = (roleId: string): Json[] =>
  ofType('AWS::IAM::Policy')
    .filter(([, p]) => p.Properties.Roles.some((r: Json) => r.Ref === roleId))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);

// The uploads bucket (the other one holds webhook bodies, checked in stack.test.ts).
const [bucketId, bucket] = ofType('AWS::S3::Bucket').find(([id]) => id.startsWith('MobileIngressUploads'))!;
const [restApiId, restApi] = only('AWS::ApiGateway::RestApi');
const [httpApiId] = only('AWS::ApiGatewayV2::Api');
const [queueId] = ofType('AWS::SQS::Queue').find(
  ([, q]) => q.Properties.QueueName === `open-wearables-test-${QUEUES.sdkUploads.name}`,
)!;
const [authorizerFnId, authorizerFn] = functionNamed('sdk-authorizer');
const [workerId] = functionNamed(QUEUES.sdkUploads.worker);
const uploadObjects = { 'Fn::Join': ['', [getAtt(bucketId, 'Arn'), `/${UPLOAD_PREFIX}*`]] };
const httpApiUrl = [
  'https://',
  { Ref: httpApiId },
  '.execute-api.',
  { Ref: 'AWS::Region' },
  '.',
  { Ref: 'AWS::URLSuffix' },
];

/** Path of each REST API resource, from its parent chain ('' for the root). */
function pathOf(resourceId: Json): string {
  if (resourceId['Fn::GetAtt']) return '';
  const { ParentId, PathPart } = resources[resourceId.Ref]!.Properties;
  return `${pathOf(ParentId)}/${PathPart}`;
}
const methods = ofType('AWS::ApiGateway::Method').map(([, m]) => ({
  key: `${m.Properties.HttpMethod} ${pathOf(m.Properties.ResourceId)}`,
  ...m.Properties,
}));
const pushMethod = methods.find((m) => m.key === 'POST /api/v1/sdk/users/{user_id}/sync')!;

describe('uploads bucket', () => {
  it('is SSE-S3, never public, TLS only, retained; uploads expire after 14 days', () => {
    expect(bucket.DeletionPolicy).toBe('Retain');
    expect(bucket.Properties).toMatchObject({
      ...PRIVATE_BUCKET,
      LifecycleConfiguration: {
        Rules: [{ Prefix: UPLOAD_PREFIX, ExpirationInDays: 14, Status: 'Enabled' }],
      },
    });
    const [, policy] = ofType('AWS::S3::BucketPolicy').find(([, p]) => p.Properties.Bucket.Ref === bucketId)!;
    expect(policy.Properties.PolicyDocument.Statement).toContainEqual(
      expect.objectContaining({
        ...TLS_ONLY,
        Action: 's3:*',
        Resource: [getAtt(bucketId, 'Arn'), { 'Fn::Join': ['', [getAtt(bucketId, 'Arn'), '/*']] }],
      }),
    );
  });

  it('notifies the sdk-uploads queue of each object created under the upload prefix; only it may send there', () => {
    // The imports bucket has its own (lib/imports.ts, test/infra/imports.test.ts).
    const onUploads = ofType('Custom::S3BucketNotifications').filter(
      ([, n]) => n.Properties.BucketName.Ref === bucketId,
    );
    expect(onUploads).toHaveLength(1);
    expect(onUploads[0]![1].Properties.NotificationConfiguration).toEqual({
      QueueConfigurations: [
        {
          Events: ['s3:ObjectCreated:*'],
          Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: UPLOAD_PREFIX }] } },
          QueueArn: getAtt(queueId, 'Arn'),
        },
      ],
    });
    // The queue's own policy (enforceSSL): besides the TLS deny, only S3's grant for this bucket.
    const [, queuePolicy] = ofType('AWS::SQS::QueuePolicy').find(
      ([, p]) => p.Properties.Queues[0].Ref === queueId,
    )!;
    expect(queuePolicy.Properties.Queues).toEqual([{ Ref: queueId }]);
    const allows = (queuePolicy.Properties.PolicyDocument.Statement as Json[]).filter(
      (s) => s.Effect === 'Allow',
    );
    expect(allows).toEqual([s3NotifiesQueue(bucketId)]);
  });
});

describe('access to the uploads', () => {
  // The push route's role; the other role API Gateway assumes is the account's logging role (apiGatewayLogsRole).
  const uploadRoleId = pushMethod.Integration.Credentials['Fn::GetAtt'][0] as string;
  const uploadRole = resources[uploadRoleId]!;

  it('API Gateway writes with a role that may only s3:PutObject under the upload prefix', () => {
    expect(JSON.stringify(uploadRole.Properties.AssumeRolePolicyDocument)).toContain(
      'apigateway.amazonaws.com',
    );
    expect(pushMethod.Integration.Credentials).toEqual(getAtt(uploadRoleId, 'Arn'));
    expect(uploadRole.Properties.ManagedPolicyArns).toBeUndefined();
    expect(statementsOf(uploadRoleId)).toEqual([
      { Action: 's3:PutObject', Effect: 'Allow', Resource: uploadObjects },
    ]);
  });

  it('the upload worker may only read, delete and list uploads; no other function touches the uploads', () => {
    const s3 = (roleId: string) =>
      statementsOf(roleId).filter((s) => JSON.stringify(s.Action).includes('s3:'));
    // Listing makes S3 answer a deleted upload (a redelivery) 404 NoSuchKey rather than 403 AccessDenied.
    expect(s3(roleOf(workerId))).toEqual([
      { Action: ['s3:GetObject', 's3:DeleteObject'], Effect: 'Allow', Resource: uploadObjects },
      { Action: 's3:ListBucket', Effect: 'Allow', Resource: getAtt(bucketId, 'Arn') },
    ]);
    // Besides the worker and the upload role: the seed (POST /settings/seed) stores its pushes as uploads, writing
    // under the upload prefix only; and CDK's notifications handler (s3:PutBucketNotification).
    const onUploads = (roleId: string) =>
      s3(roleId).filter((s) => JSON.stringify(s.Resource).includes(bucketId));
    const [adminId] = functionNamed('admin');
    expect(onUploads(roleOf(adminId))).toEqual([
      { Action: 's3:PutObject', Effect: 'Allow', Resource: uploadObjects },
    ]);
    const s3Roles = ofType('AWS::IAM::Role')
      .map(([id]) => id)
      .filter((id) => onUploads(id).length > 0);
    const [handlerId] = ofType('AWS::Lambda::Function').find(([id]) =>
      id.startsWith('BucketNotificationsHandler'),
    )!;
    expect(s3Roles.sort()).toEqual(
      [roleOf(workerId), uploadRoleId, roleOf(adminId), roleOf(handlerId)].sort(),
    );
  });

  it('the authorizer reads the table and the JWT key and writes nothing', () => {
    const statements = statementsOf(roleOf(authorizerFnId));
    const actions = statements.flatMap((s) => s.Action);
    expect(actions).toContain('dynamodb:Query');
    expect(actions.filter((a) => /^dynamodb:(Put|Update|Delete|BatchWrite)/.test(a))).toEqual([]);
    expect(actions.filter((a) => !/^(logs|dynamodb|secretsmanager):/.test(a))).toEqual([]);
    const [jwtKeyId] = ofType('AWS::SecretsManager::Secret').find(
      ([, s]) => s.Properties.GenerateSecretString?.PasswordLength === 64,
    )!;
    expect(statements.filter((s) => JSON.stringify(s.Action).includes('secretsmanager:'))).toEqual([
      expect.objectContaining({ Resource: { Ref: jwtKeyId } }),
    ]);
    expect(authorizerFn.Properties).toMatchObject({
      Timeout: 10,
      MemorySize: 1024,
      ReservedConcurrentExecutions: 100,
      Environment: {
        Variables: expect.objectContaining({ API_BASE_URL: { 'Fn::Join': ['', httpApiUrl] } }),
      },
    });
  });
});

describe('REST API', () => {
  it('POST sync: checked by the sdk-authorizer (uncached), stored as sdk-uploads/<user id>/<request id>', () => {
    const [authorizerId, authorizer] = only('AWS::ApiGateway::Authorizer');
    expect(authorizer.Properties).toMatchObject({
      Type: 'REQUEST',
      AuthorizerResultTtlInSeconds: 0,
      IdentitySource: 'context.requestId',
    });
    expect(JSON.stringify(authorizer.Properties.AuthorizerUri)).toContain(authorizerFnId);
    template.hasResourceProperties('AWS::Lambda::Permission', {
      FunctionName: getAtt(authorizerFnId, 'Arn'),
      Principal: 'apigateway.amazonaws.com',
    });
    expect(pushMethod).toMatchObject({
      AuthorizationType: 'CUSTOM',
      AuthorizerId: { Ref: authorizerId },
      RequestParameters: { 'method.request.path.user_id': true },
      Integration: {
        Type: 'AWS',
        IntegrationHttpMethod: 'PUT',
        Uri: {
          'Fn::Join': [
            '',
            [
              'arn:',
              { Ref: 'AWS::Partition' },
              ':apigateway:',
              { Ref: 'AWS::Region' },
              ':s3:path/',
              { Ref: bucketId },
              `/${UPLOAD_PREFIX}{user_id}/{request_id}`,
            ],
          ],
        },
        RequestParameters: {
          'integration.request.path.user_id': 'method.request.path.user_id',
          'integration.request.path.request_id': 'context.requestId',
        },
      },
    });
  });

  it("POST sync answers the reference's 202 on S3 2xx, 503 + Retry-After on S3 5xx (SDKs retry), else 500", () => {
    const byStatus = Object.fromEntries(
      pushMethod.Integration.IntegrationResponses.map((r: Json) => [r.StatusCode, r]),
    );
    expect(Object.keys(byStatus).sort()).toEqual(['202', '500', '503']);
    expect(byStatus['202'].SelectionPattern).toBe('2\\d{2}');
    expect(JSON.parse(byStatus['202'].ResponseTemplates['application/json'])).toEqual({
      status_code: 202,
      response: 'Import task queued successfully',
      user_id: "$util.escapeJavaScript($input.params('user_id'))",
      dropped_count: 0,
      records_saved: 0,
      workouts_saved: 0,
      sleep_saved: 0,
    });
    expect(byStatus['503']).toMatchObject({
      SelectionPattern: '5\\d{2}',
      ResponseParameters: { 'method.response.header.Retry-After': "'1'" },
    });
    // The default: anything but a 2xx or a 5xx (a misconfigured role or bucket) is a 500, never a 202.
    expect(byStatus['500'].SelectionPattern).toBeUndefined();
    for (const status of ['202', '503', '500'])
      expect(byStatus[status].ContentHandling).toBe('CONVERT_TO_TEXT');
    for (const status of ['503', '500']) {
      expect(Object.keys(JSON.parse(byStatus[status].ResponseTemplates['application/json']))).toEqual([
        'detail',
      ]);
    }
    expect(pushMethod.MethodResponses.map((r: Json) => r.StatusCode).sort()).toEqual(['202', '500', '503']);
  });

  it('proxies every other path to the HTTP API, same path, at each level of the push route', () => {
    const prefixes = ['', 'api', 'api/v1', 'api/v1/sdk', 'api/v1/sdk/users/{user_id}'];
    // The push route and the five proxies: nothing else is answered by the REST API itself.
    expect(methods.map((m) => m.key).sort()).toEqual(
      [
        'POST /api/v1/sdk/users/{user_id}/sync',
        ...prefixes.map((prefix) => `ANY ${prefix ? `/${prefix}` : ''}/{proxy+}`),
      ].sort(),
    );
    for (const prefix of prefixes) {
      const method = methods.find((m) => m.key === `ANY ${prefix ? `/${prefix}` : ''}/{proxy+}`)!;
      expect(method.AuthorizationType, prefix).toBe('NONE');
      expect(method.Integration, prefix).toMatchObject({
        Type: 'HTTP_PROXY',
        IntegrationHttpMethod: 'ANY',
        Uri: { 'Fn::Join': ['', [...httpApiUrl, `/${prefix ? `${prefix}/` : ''}{proxy}`]] },
        RequestParameters: { 'integration.request.path.proxy': 'method.request.path.proxy' },
      });
      if (prefix.includes('{user_id}')) {
        expect(method.Integration.RequestParameters['integration.request.path.user_id']).toBe(
          'method.request.path.user_id',
        );
      }
    }
  });

  it('answers its own errors as JSON {"detail"}; throttling is a 503 with Retry-After', () => {
    const responses = Object.fromEntries(
      ofType('AWS::ApiGateway::GatewayResponse').map(([, r]) => [r.Properties.ResponseType, r.Properties]),
    ) as Record<string, Json>;
    const statuses = Object.fromEntries(Object.entries(responses).map(([type, r]) => [type, r.StatusCode]));
    // Strict: DEFAULT_4XX must exist, with no status of its own.
    expect(statuses).toStrictEqual({
      UNAUTHORIZED: '401',
      ACCESS_DENIED: '403',
      REQUEST_TOO_LARGE: '413',
      THROTTLED: '503',
      AUTHORIZER_FAILURE: '503',
      // API Gateway's own status (404 for no route, 403 for a missing method, ...).
      DEFAULT_4XX: undefined,
      DEFAULT_5XX: '500',
    });
    for (const [type, r] of Object.entries(responses)) {
      expect(r.ResponseParameters['gatewayresponse.header.Content-Type'], type).toBe("'application/json'");
      // $context.error.messageString is already a quoted JSON string.
      const body = r.ResponseTemplates['application/json']
        .replace('$context.error.messageString', '"m"')
        .replace(/\$util\.escapeJavaScript\([^)]*\)\.replaceAll\("[^"]*","[^"]*"\)/, 'm');
      expect(Object.keys(JSON.parse(body)), type).toEqual(['detail']);
    }
    for (const type of ['THROTTLED', 'AUTHORIZER_FAILURE']) {
      expect(responses[type].ResponseParameters['gatewayresponse.header.Retry-After'], type).toBe("'1'");
    }
    // escapeJavaScript turns ' into \', which is not JSON: the template undoes it.
    expect(responses.ACCESS_DENIED.ResponseTemplates['application/json']).toContain(
      `.replaceAll("\\\\'","'")`,
    );
    expect(responses.ACCESS_DENIED.ResponseTemplates['application/json']).toContain(
      '$context.authorizer.detail',
    );
    expect(responses.REQUEST_TOO_LARGE.ResponseTemplates['application/json']).toContain(
      `${MAX_UPLOAD_BYTES}`,
    );
  });

  it('is regional; its stage "mobile" is throttled from mobileThrottle* context and access-logged as JSON', () => {
    expect(restApi.Properties).toMatchObject({
      Name: 'open-wearables-test-mobile',
      EndpointConfiguration: { Types: ['REGIONAL'] },
    });
    const [, stage] = only('AWS::ApiGateway::Stage');
    expect(stage.Properties).toMatchObject({
      StageName: 'mobile',
      MethodSettings: [
        expect.objectContaining({
          HttpMethod: '*',
          ResourcePath: '/*',
          ThrottlingRateLimit: 1000,
          ThrottlingBurstLimit: 2000,
        }),
      ],
    });
    expect(JSON.parse(stage.Properties.AccessLogSetting.Format)).toMatchObject({
      requestId: '$context.requestId',
      status: '$context.status',
      authorizerError: '$context.authorizer.error',
    });
    const custom = synth({ mobileThrottleRateLimit: '5000', mobileThrottleBurstLimit: '6000' });
    custom.hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: [Match.objectLike({ ThrottlingRateLimit: 5000, ThrottlingBurstLimit: 6000 })],
    });
    // The HTTP API keeps its own throttle.
    custom.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 },
    });
  });

  it("sets the account's API Gateway logging role its access logs need, before the stage; not with apiGatewayLogsRole=false", () => {
    const [accountId, account] = only('AWS::ApiGateway::Account');
    const roleId = account.Properties.CloudWatchRoleArn['Fn::GetAtt'][0] as string;
    expect(resources[roleId]).toMatchObject({
      DeletionPolicy: 'Retain',
      Properties: {
        AssumeRolePolicyDocument: {
          Statement: [expect.objectContaining({ Principal: { Service: 'apigateway.amazonaws.com' } })],
        },
      },
    });
    expect(JSON.stringify(resources[roleId]!.Properties.ManagedPolicyArns)).toContain(
      'service-role/AmazonAPIGatewayPushToCloudWatchLogs',
    );
    const [, stage] = only('AWS::ApiGateway::Stage');
    expect(stage.DependsOn).toContain(accountId);
    const without = synthApp({ apiGatewayLogsRole: 'false' });
    expect(without.ofType('AWS::ApiGateway::Account')).toEqual([]);
    expect(without.ofType('AWS::ApiGateway::Stage')[0]![1].Properties.AccessLogSetting).toBeDefined();
  });

  it('outputs MobileApiUrl: the stage URL, without trailing slash', () => {
    const [stageId] = only('AWS::ApiGateway::Stage');
    template.hasOutput('MobileApiUrl', {
      Value: {
        'Fn::Join': [
          '',
          [
            'https://',
            { Ref: restApiId },
            '.execute-api.',
            { Ref: 'AWS::Region' },
            '.',
            { Ref: 'AWS::URLSuffix' },
            '/',
            { Ref: stageId },
          ],
        ],
      },
    });
  });
});
