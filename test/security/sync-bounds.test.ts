import { randomUUID } from 'node:crypto';
import { DeleteMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '#shared/identity/users.js';
import { DEFAULT_HISTORY_DAYS, type SyncJob, syncJob } from '#shared/sync/enqueue.js';
import { runSyncJob } from '#shared/sync/worker.js';
import { DEFAULT_SYNC_DEPS } from '#shared/sync/worker-deps.js';
import { testApiKey } from '#test/helpers/credentials.js';
import { httpEvent, lambdaContext } from '#test/helpers/events.js';
import { useLocalQueues } from '#test/helpers/local-queues.js';
import { handler } from '../../functions/sync.js';

/**
 * Review finding 6: one API-key call could start unbounded work: `summary_start_time=0` produced 20,788 provider
 * calls, 20 duplicate 365-day backfills of one user were all queued, and syncs were queued for users that do not
 * exist.
 */

const queues = useLocalQueues();
const DAY = 86_400_000;
let apiKey: string;

beforeAll(async () => {
  apiKey = await testApiKey('bounds');
});

async function post(path: string, query: Record<string, string> = {}) {
  const result = (await handler(
    httpEvent('POST', path, { headers: { 'x-open-wearables-api-key': apiKey }, query }),
    lambdaContext('sync'),
  )) as APIGatewayProxyStructuredResultV2;
  return { status: result.statusCode, body: JSON.parse(result.body ?? 'null') };
}

const sync = (userId: string) => `/api/v1/providers/ultrahuman/users/${userId}/sync`;

/** Every job queued for Ultrahuman so far (taken off the queue). */
async function takeJobs(): Promise<SyncJob[]> {
  const { sqs, urls } = queues.get();
  const jobs: SyncJob[] = [];
  for (;;) {
    const out = await sqs.client.send(
      new ReceiveMessageCommand({
        QueueUrl: urls.syncUltrahuman,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
      }),
    );
    if (!out.Messages?.length) return jobs;
    for (const message of out.Messages) {
      jobs.push(syncJob.parse(JSON.parse(message.Body!)));
      await sqs.client.send(
        new DeleteMessageCommand({ QueueUrl: urls.syncUltrahuman, ReceiptHandle: message.ReceiptHandle! }),
      );
    }
  }
}

describe('sync requests are bounded', () => {
  it('summary_start_time=0 is clamped to the provider history', async () => {
    await takeJobs();
    const user = await createUser({});
    expect((await post(sync(user.id), { summary_start_time: '0' })).status).toBe(200);
    const [job] = await takeJobs();
    expect(job!.window.start).toBeGreaterThanOrEqual(Date.now() - DEFAULT_HISTORY_DAYS * DAY - 60_000);
  });

  it('20 concurrent 365-day backfills of one user queue one run, and all 20 answers name it', async () => {
    await takeJobs();
    const user = await createUser({});
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => post(`${sync(user.id)}/historical`, { days: '365' })),
    );
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(new Set(answers.map((a) => a.body.task_id)).size).toBe(1);
    const jobs = await takeJobs();
    expect(jobs).toHaveLength(1);
    expect(jobs[0]!.run_id).toBe(answers[0]!.body.task_id);
  });

  it('one pending manual sync per connection, beside one pending backfill; an ended run frees its slot', async () => {
    await takeJobs();
    const user = await createUser({});
    const first = await post(sync(user.id));
    const second = await post(sync(user.id));
    expect(second.body.task_id).toBe(first.body.task_id);
    expect(second.body.message).toMatch(/already pending/);
    await post(`${sync(user.id)}/historical`);
    const jobs = await takeJobs();
    expect(jobs.map((j) => j.mode).sort()).toEqual(['historical', 'manual']);

    // The user has no connection: the worker drops the run, which frees the slot.
    const manual = jobs.find((j) => j.mode === 'manual')!;
    const invocation = { remainingMs: () => 300_000, receiveCount: 1, receiptHandle: 'local' };
    expect(await runSyncJob(manual, invocation, { ...DEFAULT_SYNC_DEPS, providers: {} })).toBe('dropped');
    const third = await post(sync(user.id));
    expect(third.body.task_id).not.toBe(first.body.task_id);
    expect(await takeJobs()).toHaveLength(1);
  });

  it('no sync is queued for a user that does not exist', async () => {
    await takeJobs();
    const unknown = randomUUID();
    const detail = `User with ID: ${unknown} not found.`;
    expect(await post(sync(unknown))).toEqual({ status: 404, body: { detail } });
    expect(await post(`${sync(unknown)}/historical`)).toEqual({ status: 404, body: { detail } });
    expect(await takeJobs()).toEqual([]);
  });
});
