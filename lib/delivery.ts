import { CfnOutput, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { CfnDatabase, CfnTable } from 'aws-cdk-lib/aws-glue';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { BlockPublicAccess, Bucket, BucketEncryption, type CfnBucket } from 'aws-cdk-lib/aws-s3';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type * as z from 'zod/mini';
import type { AppFunction } from '#lib/app-function.js';
import type { AppConfig } from '#lib/config.js';
import { EVENT_TYPES } from '#shared/delivery/catalogue.js';
import { LAKE_PREFIX } from '#shared/delivery/lake.js';
import { QUEUES } from '#shared/jobs/queues.js';
import type { ScopedFunction } from '#shared/store/write-scopes.js';

/**
 * The functions that emit the events of what they write (shared/delivery/emit.ts): only they get the events
 * queue. test/infra/delivery.test.ts keeps this list equal to the functions whose bundle imports emit.ts.
 */
export const EVENT_EMITTERS = [
  // Only a seed without the uploads bucket ingests in the request (on AWS its pushes go through the bucket).
  'admin',
  'oauth',
  'users',
  'sync',
  'sdk',
  'sync-dispatcher',
  'sync-worker',
  'webhook-worker',
  'sdk-upload-worker',
  'apple-import-worker',
  'sleep-finaliser',
] as const satisfies readonly ScopedFunction[];

/** Where the fan-out writes and erasure deletes: the lake's objects, nothing else of the bucket. */
const LAKE_OBJECTS = `${LAKE_PREFIX}*`;

export interface DeliveryProps {
  config: AppConfig;
  /** Every function of the stack by name (API areas and workers). */
  functions: Partial<Record<ScopedFunction, AppFunction<z.ZodMiniObject>>>;
  eventsQueue: IQueue;
}

/**
 * Outgoing delivery's AWS side (shared/delivery). Context `delivery` (default on): off, no function is given the
 * events queue, so nothing is emitted; the fan-out and delivery workers stay (the management API's test messages
 * still go out). Context `eventBus` (default on): the EventBridge bus `open-wearables-<stage>`, without rules (an
 * operator adds rules and targets), only the fan-out may put on it. Context `dataLake` (default off): an S3
 * bucket of gzipped JSON Lines (layout: shared/delivery/lake.ts) and a Glue table over it with partition
 * projection, written by the fan-out and erased, user by user, by the erasure worker.
 */
export class Delivery extends Construct {
  readonly bus?: EventBus;
  readonly lake?: Bucket;

  constructor(scope: Construct, id: string, props: DeliveryProps) {
    super(scope, id);
    const { config, functions, eventsQueue } = props;
    const fanout = functions['event-fanout']!;
    const eraser = functions['erasure-worker']!;

    if (config.delivery) {
      for (const name of EVENT_EMITTERS) {
        functions[name]!.bindQueue(eventsQueue, QUEUES.deliveryEvents.urlVariable);
      }
    }

    if (config.eventBus) {
      this.bus = new EventBus(this, 'EventBus', { eventBusName: `open-wearables-${config.stage}` });
      this.bus.grantPutEventsTo(fanout);
      fanout.setEnv('EVENT_BUS_NAME', this.bus.eventBusName);
      new CfnOutput(Stack.of(this), 'EventBusName', {
        value: this.bus.eventBusName,
        description:
          'EventBridge bus of the events (source "open-wearables", detail-type = event type; EVENT_BUS_EVENT_TYPES)',
      });
      new CfnOutput(Stack.of(this), 'EventBusArn', { value: this.bus.eventBusArn });
    }

    if (config.dataLake) {
      const lake = this.dataLake(config.stage);
      this.lake = lake;
      const objects = lake.arnForObjects(LAKE_OBJECTS);
      fanout.addToRolePolicy(new PolicyStatement({ actions: ['s3:PutObject'], resources: [objects] }));
      fanout.setEnv('LAKE_BUCKET', lake.bucketName);
      eraser.addToRolePolicy(
        new PolicyStatement({
          actions: ['s3:ListBucket'],
          resources: [lake.bucketArn],
          conditions: { StringLike: { 's3:prefix': [`${LAKE_PREFIX}user_id=*`] } },
        }),
      );
      eraser.addToRolePolicy(new PolicyStatement({ actions: ['s3:DeleteObject'], resources: [objects] }));
      eraser.setEnv('LAKE_BUCKET', lake.bucketName);
      const stack = Stack.of(this);
      const bucketId = stack.resolve(stack.getLogicalId(lake.node.defaultChild as CfnBucket));
      for (const fn of [fanout, eraser]) {
        Validations.of(fn.role!).acknowledge({
          id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/${LAKE_OBJECTS}]`,
          reason:
            'The data lake objects under events/ (one per user, event type, day and batch, named by a hash): the ' +
            "fan-out writes them, erasure deletes a user's; no other object of the bucket.",
        });
      }
    }
  }

  /** The bucket, the Glue database and table, and their outputs. */
  private dataLake(stage: string): Bucket {
    const bucket = new Bucket(this, 'LakeBucket', {
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      // Health data, like the table: it outlives the stack. Turning the lake off leaves the bucket to the operator.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'Written only by the fan-out function and read by Athena under IAM; CloudTrail data events, when the ' +
        'operator enables them, record object access without a second bucket of logs to erase users from.',
    });

    const { account } = Stack.of(this);
    const databaseName = `open_wearables_${stage}`;
    const database = new CfnDatabase(this, 'LakeDatabase', {
      catalogId: account,
      databaseInput: { name: databaseName, description: 'Open Wearables: the data lake of events' },
    });
    const location = `s3://${bucket.bucketName}/${LAKE_PREFIX}`;
    new CfnTable(this, 'LakeTable', {
      catalogId: account,
      // The database's Ref is its name: the table waits for it.
      databaseName: database.ref,
      tableInput: {
        name: 'events',
        description: 'Every event as one JSON line (shared/delivery/lake.ts); filter on user_id (injected)',
        tableType: 'EXTERNAL_TABLE',
        parameters: {
          classification: 'json',
          compressionType: 'gzip',
          'projection.enabled': 'true',
          // Any user id, given by the query (`WHERE user_id = '...'`, or `IN (...)`).
          'projection.user_id.type': 'injected',
          'projection.type.type': 'enum',
          'projection.type.values': EVENT_TYPES.join(','),
          'projection.date.type': 'date',
          'projection.date.format': 'yyyy-MM-dd',
          'projection.date.range': '2025-01-01,NOW',
          'projection.date.interval': '1',
          'projection.date.interval.unit': 'DAYS',
          'storage.location.template': `${location}user_id=\${user_id}/type=\${type}/date=\${date}/`,
        },
        partitionKeys: [
          { name: 'user_id', type: 'string' },
          { name: 'type', type: 'string' },
          { name: 'date', type: 'string' },
        ],
        storageDescriptor: {
          location,
          inputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
          outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
          // OpenX reads the nested `data` object into a string column: json_extract(data, '$.field').
          serdeInfo: { serializationLibrary: 'org.openx.data.jsonserde.JsonSerDe' },
          columns: [
            { name: 'id', type: 'string', comment: 'event id (at least once: dedupe on it)' },
            { name: 'timestamp', type: 'string', comment: 'ISO-8601 UTC, when the fact became durable' },
            { name: 'data', type: 'string', comment: 'the event payload as JSON text' },
          ],
        },
      },
    });

    new CfnOutput(Stack.of(this), 'LakeBucket', {
      value: bucket.bucketName,
      description: 'Data lake bucket',
    });
    new CfnOutput(Stack.of(this), 'GlueTable', {
      value: `${databaseName}.events`,
      description: 'Glue (Athena) table over the data lake',
    });
    return bucket;
  }
}
