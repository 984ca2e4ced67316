import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type CfnBucket,
  EventType,
  HttpMethods,
} from 'aws-cdk-lib/aws-s3';
import { SqsDestination } from 'aws-cdk-lib/aws-s3-notifications';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type * as z from 'zod/mini';
import { type AppFunction, grantMissingAsNotFound } from '#lib/app-function.js';

export interface ImportsProps {
  /** The `apple-imports` queue, which object-created notifications feed. */
  queue: IQueue;
  /** The worker that imports the uploads: it may read them, nothing else. */
  worker: AppFunction<z.ZodMiniObject>;
  /** The sdk area, which presigns uploads into the bucket and writes direct uploads. */
  apiFunction: AppFunction<z.ZodMiniObject>;
  /** Browser origins that may upload straight to the bucket (the dashboard's and `corsOrigins`). */
  corsOrigins: string[];
}

/**
 * Apple Health export uploads (shared/imports): a private bucket of raw exports, `<user id>/raw/<file>`, written
 * through presigned POSTs, multipart uploads and the direct route; each object created notifies the
 * `apple-imports` queue directly (the reference goes S3 -> SNS -> `/sns/notification`). Raw uploads are transient:
 * they expire after a week, and an abandoned multipart upload after two days.
 */
export class Imports extends Construct {
  readonly bucket: Bucket;

  constructor(scope: Construct, id: string, props: ImportsProps) {
    super(scope, id);
    this.bucket = new Bucket(this, 'Bucket', {
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      lifecycleRules: [
        { expiration: Duration.days(7), abortIncompleteMultipartUploadAfter: Duration.days(2) },
      ],
      cors:
        props.corsOrigins.length > 0
          ? [
              {
                allowedOrigins: props.corsOrigins,
                allowedMethods: [HttpMethods.POST, HttpMethods.PUT],
                allowedHeaders: ['*'],
                exposedHeaders: ['ETag'],
                maxAge: 3600,
              },
            ]
          : undefined,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'Transient uploads, each presigned by an API-key request already in the HTTP API access log; they expire in 7 days.',
    });
    // Every key is `<user id>/raw/<file>` (S3 filters cannot match the user segment); the worker ignores others.
    this.bucket.addEventNotification(EventType.OBJECT_CREATED, new SqsDestination(props.queue));

    // Presigned POSTs and part URLs act with the signer's permissions: the sdk area's.
    props.apiFunction.bindBucket(this.bucket, 'IMPORTS_BUCKET', ['s3:PutObject']);
    props.apiFunction.addToRolePolicy(
      new PolicyStatement({
        actions: ['s3:AbortMultipartUpload'],
        resources: [this.bucket.arnForObjects('*')],
      }),
    );
    props.worker.addToRolePolicy(
      new PolicyStatement({ actions: ['s3:GetObject'], resources: [this.bucket.arnForObjects('*')] }),
    );
    grantMissingAsNotFound(props.worker, this.bucket);
    const stack = Stack.of(this);
    const objects = `Resource::<${stack.resolve(stack.getLogicalId(this.bucket.node.defaultChild as CfnBucket))}.Arn>/*`;
    Validations.of(props.worker.role!).acknowledge({
      id: `AwsSolutions-IAM5[${objects}]`,
      reason: 'Reads the uploads it is notified of; the bucket holds only raw export uploads.',
    });
  }
}
