import { randomUUID } from 'node:crypto';
import {
  type SendMessageBatchCommand,
  type SendMessageBatchRequestEntry,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, beforeEach, vi } from 'vitest';
import { resetEnvCache } from '#shared/config/env.js';
import { packEvents } from '#shared/delivery/emit.js';
import { type DeliveryJob, type DomainEvent, deliveryJob, eventIdOf } from '#shared/delivery/types.js';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from '#shared/sandbox/local-aws.js';
import { toSqsRecord } from '#shared/sandbox/sqs.js';
import { createEndpoint } from '#shared/store/webhook-endpoint-management.js';
import type { WebhookEndpoint } from '#shared/store/webhook-endpoints.js';
import { lambdaContext } from '#test/helpers/events.js';
import { useLocalQueues } from '#test/helpers/local-queues.js';
import { newUserId } from '#test/helpers/users.js';
import { handler as fanoutHandler } from '../../functions/event-fanout.js';
import { handler as deliveryHandler } from '../../functions/webhook-delivery.js';
import { type Receiver, startReceiver } from './engine-receiver.js';

const ARN = (queue: string) => `arn:aws:sqs:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:${queue}`;
let sequence = 0;

/** The SQS event Lambda's event source mapping hands a worker for these message bodies. */
export function sqsEvent(bodies: string[], queue: string): SQSEvent {
  return {
    Records: bodies.map((Body) => {
      const id = `m-${++sequence}`;
      return toSqsRecord({ MessageId: id, ReceiptHandle: `r-${id}`, Body }, ARN(queue));
    }),
  };
}

const noFailures = (response: SQSBatchResponse | undefined) => {
  const failures = response?.batchItemFailures ?? [];
  if (failures.length > 0) throw new Error(`records failed: ${JSON.stringify(failures)}`);
};

/** Runs the event-fanout function on the events, packed as the emitter packs them. */
export async function runFanout(events: DomainEvent[]): Promise<void> {
  noFailures(
    await fanoutHandler(sqsEvent(packEvents(events), 'delivery-events'), lambdaContext('event-fanout')),
  );
}

/** Runs the webhook-delivery function on one batch of jobs. */
export async function runDeliveries(jobs: DeliveryJob[]): Promise<void> {
  const bodies = jobs.map((job) => JSON.stringify(job));
  noFailures(
    await deliveryHandler(sqsEvent(bodies, 'webhook-deliveries'), lambdaContext('webhook-delivery')),
  );
}

export interface SentDelivery {
  job: DeliveryJob;
  delaySeconds: number;
}

/**
 * A real local SQS with every queue, and a record of the delivery jobs sent to the deliveries queue (with their
 * delays, which local SQS would hold back in real time): `take()` returns and forgets those sent so far.
 */
export function useDeliveryQueue() {
  const queues = useLocalQueues();
  let sent: SentDelivery[] = [];
  beforeAll(() => {
    const send = SQSClient.prototype.send;
    vi.spyOn(SQSClient.prototype, 'send').mockImplementation(function (this: SQSClient, ...args: unknown[]) {
      const [command] = args as [SendMessageBatchCommand];
      const input = command.input as { QueueUrl?: string; Entries?: SendMessageBatchRequestEntry[] };
      if (input.QueueUrl === queues.get().urls.webhookDeliveries && input.Entries) {
        for (const entry of input.Entries) {
          const job = deliveryJob.parse(JSON.parse(entry.MessageBody!));
          sent.push({ job, delaySeconds: entry.DelaySeconds ?? 0 });
        }
      }
      return (send as (...a: unknown[]) => Promise<unknown>).apply(this, args);
    } as never);
  });
  afterAll(() => {
    vi.restoreAllMocks();
  });
  beforeEach(() => {
    sent = [];
  });
  return {
    take: (): SentDelivery[] => sent.splice(0),
  };
}

/**
 * One user's endpoints at a receiver on 127.0.0.1 (private URLs allowed, WEBHOOK_TIMEOUT_SECONDS as given), with
 * `Date` faked and set to `t0` before each test (`at` moves it). `receiver` stands for the one started before all.
 */
export function useUserEndpoints({ t0, timeoutSeconds }: { t0: number; timeoutSeconds: number }) {
  const owner = randomUUID();
  let started: Receiver;
  let userId: string;
  beforeAll(async () => {
    process.env.WEBHOOK_ALLOW_PRIVATE = 'true';
    process.env.WEBHOOK_TIMEOUT_SECONDS = String(timeoutSeconds);
    resetEnvCache();
    started = await startReceiver();
    userId = await newUserId();
  });
  afterAll(async () => {
    delete process.env.WEBHOOK_ALLOW_PRIVATE;
    delete process.env.WEBHOOK_TIMEOUT_SECONDS;
    resetEnvCache();
    await started.close();
  });
  const at = (ms: number) => vi.setSystemTime(ms);
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    at(t0);
  });
  afterEach(() => {
    vi.useRealTimers();
  });
  const receiver: Receiver = {
    url: (path) => started.url(path),
    get requests() {
      return started.requests;
    },
    script: (path, ...behaviours) => started.script(path, ...behaviours),
    next: (path, after) => started.next(path, after),
    answer: (path, status, body) => started.answer(path, status, body),
    close: () => started.close(),
  };
  return {
    owner,
    receiver,
    at,
    /** A new event of the user's, timestamped now (the fake `Date`). */
    event: (type = 'workout.created'): DomainEvent => ({
      id: eventIdOf(type, randomUUID()),
      type,
      userId,
      timestamp: new Date(Date.now()).toISOString(),
      data: { user_id: userId },
    }),
    /** An endpoint at the receiver's `path`, for the user's events only. */
    endpointAt: (path: string): Promise<WebhookEndpoint> =>
      createEndpoint(owner, {
        url: receiver.url(path),
        description: '',
        filter_types: null,
        user_id: userId,
      }),
  };
}
