import { describe, expect, it } from 'vitest';
import { QUEUES } from '#shared/jobs/queues.js';
import { PRIVATE_BUCKET, TLS_ONLY } from './private-bucket.js';
import { getAtt, type Json, type Resource, s3NotifiesQueue, synth } from './template.js';

/** The Apple Health imports bucket (lib/imports.ts): who may write, read and be notified, nothing more. */

const { resources, ofType } = synth();
const functionNamed = (name: string) =>
  ofType('AWS::Lambda::Function').find(
    ([, fn]) => fn.Properties.FunctionName === `open-wearables-test-${name}`,
  )!;
const roleOf = (functionId: string) => resources[functionId]!.Properties.Role['Fn::GetAtt'][0] as string;
const statementsOf = (roleId: string): Json[] =>
  ofType('AWS::IAM::Policy')
    .filter(([, p]) => p.Properties.Roles.some((r: Json) => r.Ref === roleId))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
const bucketOf = (from: Record<string, Resource>) =>
  ofType('AWS::S3::Bucket', from).find(([id]) => id.startsWith('ImportsBucket'))!;

const [bucketId, bucket] = bucketOf(resources);
const [queueId] = ofType('AWS::SQS::Queue').find(
  ([, q]) => q.Properties.QueueName === `open-wearables-test-${QUEUES.appleImports.name}`,
)!;
const [workerId, worker] = functionNamed(QUEUES.appleImports.worker);
const [sdkId, sdk] = functionNamed('sdk');
const objects = { 'Fn::Join': ['', [getAtt(bucketId, 'Arn'), '/*']] };

describe('imports bucket', () => {
  it('is SSE-S3, never public, TLS only, retained; exports expire after 7 days, abandoned parts after 2', () => {
    expect(bucket.DeletionPolicy).toBe('Retain');
    expect(bucket.Properties).toMatchObject(PRIVATE_BUCKET);
    expect(bucket.Properties.LifecycleConfiguration).toEqual({
      Rules: [
        {
          AbortIncompleteMultipartUpload: { DaysAfterInitiation: 2 },
          ExpirationInDays: 7,
          Status: 'Enabled',
        },
      ],
    });
    const [, policy] = ofType('AWS::S3::BucketPolicy').find(([, p]) => p.Properties.Bucket.Ref === bucketId)!;
    expect(policy.Properties.PolicyDocument.Statement).toEqual([
      expect.objectContaining({
        ...TLS_ONLY,
        Action: 's3:*',
        Resource: [getAtt(bucketId, 'Arn'), objects],
      }),
    ]);
  });

  it("lets browsers upload from the dashboard's origin only (POST and PUT, ETag readable); none without origins", () => {
    const [distributionId] = ofType('AWS::CloudFront::Distribution')[0]!;
    expect(bucket.Properties.CorsConfiguration).toEqual({
      CorsRules: [
        {
          AllowedHeaders: ['*'],
          AllowedMethods: ['POST', 'PUT'],
          AllowedOrigins: [{ 'Fn::Join': ['', ['https://', getAtt(distributionId, 'DomainName')]] }],
          ExposedHeaders: ['ETag'],
          MaxAge: 3600,
        },
      ],
    });
    const [, bare] = bucketOf(synth({ dashboard: 'false' }).resources);
    expect(bare.Properties.CorsConfiguration).toBeUndefined();
  });

  it('notifies the apple-imports queue of every object created; only S3, for this bucket, may send there', () => {
    const notifications = ofType('Custom::S3BucketNotifications').filter(
      ([, n]) => n.Properties.BucketName.Ref === bucketId,
    );
    expect(notifications).toHaveLength(1);
    // No prefix filter: keys start with the user id (`<user id>/raw/<file>`).
    expect(notifications[0]![1].Properties.NotificationConfiguration).toEqual({
      QueueConfigurations: [{ Events: ['s3:ObjectCreated:*'], QueueArn: getAtt(queueId, 'Arn') }],
    });
    const [, queuePolicy] = ofType('AWS::SQS::QueuePolicy').find(
      ([, p]) => p.Properties.Queues[0].Ref === queueId,
    )!;
    const toQueue = (queuePolicy.Properties.PolicyDocument.Statement as Json[]).filter(
      (s) => s.Effect === 'Allow' && JSON.stringify(s.Resource) === JSON.stringify(getAtt(queueId, 'Arn')),
    );
    expect(toQueue).toEqual([s3NotifiesQueue(bucketId)]);
  });
});

describe('access to the imports', () => {
  const onBucket = (roleId: string) =>
    statementsOf(roleId).filter((s) => JSON.stringify(s.Resource).includes(`"${bucketId}"`));

  it('the sdk area writes and aborts uploads (its presigned URLs act as it) and is told the bucket', () => {
    expect(onBucket(roleOf(sdkId))).toEqual([
      { Action: 's3:PutObject', Effect: 'Allow', Resource: objects },
      { Action: 's3:AbortMultipartUpload', Effect: 'Allow', Resource: objects },
    ]);
    expect(sdk.Properties.Environment.Variables.IMPORTS_BUCKET).toEqual({ Ref: bucketId });
  });

  it('the worker only reads them (and lists: a missing export is then a 404, not a 403), learning the bucket from each notification', () => {
    expect(onBucket(roleOf(workerId))).toEqual([
      { Action: 's3:GetObject', Effect: 'Allow', Resource: objects },
      { Action: 's3:ListBucket', Effect: 'Allow', Resource: { 'Fn::GetAtt': [bucketId, 'Arn'] } },
    ]);
    expect(worker.Properties.Environment.Variables.IMPORTS_BUCKET).toBeUndefined();
  });

  it("no other role touches the bucket but CDK's notifications handler, to configure them", () => {
    const [handlerId] = ofType('AWS::Lambda::Function').find(([id]) =>
      id.startsWith('BucketNotificationsHandler'),
    )!;
    expect(onBucket(roleOf(handlerId))).toEqual([
      { Action: 's3:PutBucketNotification', Effect: 'Allow', Resource: getAtt(bucketId, 'Arn') },
    ]);
    const roles = ofType('AWS::IAM::Role')
      .map(([id]) => id)
      .filter((id) => onBucket(id).length > 0);
    expect(roles.sort()).toEqual([roleOf(sdkId), roleOf(workerId), roleOf(handlerId)].sort());
  });
});
