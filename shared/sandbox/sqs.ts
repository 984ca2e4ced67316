import type { Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  type Message,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSMessageAttributes, SQSRecord } from 'aws-lambda';
import { createSqsServer } from 'local-aws-sqs';
import { createLambdaContext } from '#shared/sandbox/lambda-context.js';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION, localClientConfig } from '#shared/sandbox/local-aws.js';

/** A Lambda handler fed by an SQS event source mapping (partial batch responses enabled). */
export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse> | Promise<void>;

export interface QueueOptions {
  /** Dead-letter queue, created first; messages go there after `maxReceiveCount` receives. */
  dlqName?: string;
  maxReceiveCount?: number;
  visibilityTimeout?: number;
}

export interface PollerOptions {
  batchSize?: number;
  /** Pause between receives while the queue is empty. */
  idleDelayMs?: number;
  /** `functionName` of the Lambda context (default: the queue name). */
  functionName?: string;
  /** Deadline given to the handler, like the function timeout. */
  timeoutMs?: number;
  onError?: (error: unknown) => void;
}

export interface Poller {
  stop(): Promise<void>;
}

export interface LocalSqs {
  endpoint: string;
  client: SQSClient;
  /** Creates the queue (and its DLQ) if absent; resolves to the queue URL. */
  ensureQueue(name: string, options?: QueueOptions): Promise<string>;
  /** Polls the queue and feeds batches to `handler` as the Lambda event source mapping would. */
  startPoller(queueUrl: string, handler: SqsHandler, options?: PollerOptions): Poller;
  /** Stops every poller, then the server. */
  stop(): Promise<void>;
}

async function queueArn(client: SQSClient, queueUrl: string): Promise<string> {
  const out = await client.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  );
  return out.Attributes!.QueueArn!;
}

async function ensureQueue(client: SQSClient, name: string, options: QueueOptions = {}): Promise<string> {
  const attributes: Record<string, string> = {};
  if (options.visibilityTimeout !== undefined)
    attributes.VisibilityTimeout = String(options.visibilityTimeout);
  if (options.dlqName) {
    const dlqUrl = await ensureQueue(client, options.dlqName);
    attributes.RedrivePolicy = JSON.stringify({
      deadLetterTargetArn: await queueArn(client, dlqUrl),
      maxReceiveCount: options.maxReceiveCount ?? 3,
    });
  }
  const out = await client.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  return out.QueueUrl!;
}

function toRecordAttribute(value: MessageAttributeValue): SQSMessageAttributes[string] {
  return {
    dataType: value.DataType ?? 'String',
    stringValue: value.StringValue,
    binaryValue: value.BinaryValue ? Buffer.from(value.BinaryValue).toString('base64') : undefined,
    stringListValues: [],
    binaryListValues: [],
  };
}

/** One SQS message as Lambda's event source mapping presents it. */
export function toSqsRecord(message: Message, eventSourceARN: string): SQSRecord {
  const attributes = message.Attributes ?? {};
  return {
    messageId: message.MessageId!,
    receiptHandle: message.ReceiptHandle!,
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
      SenderId: attributes.SenderId ?? LOCAL_ACCOUNT_ID,
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
      ...(attributes.MessageGroupId && { MessageGroupId: attributes.MessageGroupId }),
      ...(attributes.MessageDeduplicationId && { MessageDeduplicationId: attributes.MessageDeduplicationId }),
      ...(attributes.SequenceNumber && { SequenceNumber: attributes.SequenceNumber }),
    },
    messageAttributes: Object.fromEntries(
      Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [
        name,
        toRecordAttribute(value),
      ]),
    ),
    md5OfBody: message.MD5OfBody ?? '',
    ...(message.MD5OfMessageAttributes && { md5OfMessageAttributes: message.MD5OfMessageAttributes }),
    eventSource: 'aws:sqs',
    eventSourceARN,
    awsRegion: LOCAL_REGION,
  };
}

/**
 * Receipt handles to delete after the handler returned `response`. As in Lambda, a malformed response (an
 * identifier missing, empty or not in the batch) fails the whole batch.
 */
export function handlesToDelete(records: SQSRecord[], response: SQSBatchResponse | undefined): string[] {
  const failures = response?.batchItemFailures ?? [];
  const ids = new Set(records.map((r) => r.messageId));
  if (failures.some((f) => !f?.itemIdentifier || !ids.has(f.itemIdentifier))) return [];
  const failed = new Set(failures.map((f) => f.itemIdentifier));
  return records.filter((r) => !failed.has(r.messageId)).map((r) => r.receiptHandle);
}

async function deleteHandles(client: SQSClient, queueUrl: string, handles: string[]): Promise<void> {
  for (let i = 0; i < handles.length; i += 10) {
    const Entries = handles
      .slice(i, i + 10)
      .map((ReceiptHandle, index) => ({ Id: String(index), ReceiptHandle }));
    await client.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries }));
  }
}

function startPoller(
  client: SQSClient,
  queueUrl: string,
  handler: SqsHandler,
  options: PollerOptions = {},
): Poller {
  const abort = new AbortController();
  const functionName = options.functionName ?? queueUrl.split('/').pop()!;
  const onError = options.onError ?? ((error) => console.error(`[sqs poller ${functionName}]`, error));

  const receive = () =>
    client.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: Math.min(options.batchSize ?? 10, 10),
        // Short polls: local-aws-sqs answers a long poll only once the batch is full or the wait is over, and
        // meanwhile re-adds messages whose visibility timeout lapsed, so a batch could hold duplicates.
        WaitTimeSeconds: 0,
        // The legacy name: local-aws-sqs ignores MessageSystemAttributeNames.
        AttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
      { abortSignal: abort.signal },
    );

  const invoke = async (messages: Message[], eventSourceARN: string) => {
    const event: SQSEvent = { Records: messages.map((m) => toSqsRecord(m, eventSourceARN)) };
    let response: SQSBatchResponse | undefined;
    try {
      const context = createLambdaContext(functionName, options.timeoutMs ?? 30_000);
      response = (await handler(event, context)) ?? undefined;
    } catch (error) {
      // Like Lambda: the whole batch becomes visible again after the visibility timeout.
      onError(error);
      return;
    }
    await deleteHandles(client, queueUrl, handlesToDelete(event.Records, response));
  };

  const loop = async () => {
    const eventSourceARN = await queueArn(client, queueUrl);
    while (!abort.signal.aborted) {
      try {
        const { Messages = [] } = await receive();
        if (Messages.length > 0) await invoke(Messages, eventSourceARN);
        else await sleep(options.idleDelayMs ?? 100, undefined, { signal: abort.signal });
      } catch (error) {
        if (abort.signal.aborted) break;
        onError(error);
        await sleep(1_000);
      }
    }
  };

  const running = loop().catch(onError);
  return {
    stop: async () => {
      abort.abort();
      await running;
    },
  };
}

/** Starts local-aws-sqs on a free port of 127.0.0.1. */
export async function startLocalSqs(): Promise<LocalSqs> {
  const server: Server = await createSqsServer({
    port: 0,
    hostname: '127.0.0.1',
    emulateQueueCreationLifecycle: false,
  });
  const { port } = server.address() as { port: number };
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new SQSClient(localClientConfig(endpoint));
  const pollers = new Set<Poller>();
  return {
    endpoint,
    client,
    ensureQueue: (name, options) => ensureQueue(client, name, options),
    startPoller: (queueUrl, handler, options) => {
      const poller = startPoller(client, queueUrl, handler, options);
      pollers.add(poller);
      return {
        stop: async () => {
          pollers.delete(poller);
          await poller.stop();
        },
      };
    },
    stop: async () => {
      await Promise.all([...pollers].map((p) => p.stop()));
      pollers.clear();
      client.destroy();
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}
