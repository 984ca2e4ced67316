import { DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { resetEnvCache } from '#shared/config/env.js';
import { QUEUES, SYNC_PROVIDERS, SYNC_QUEUES } from '#shared/jobs/queues.js';
import type { ProviderName } from '#shared/model/provider.js';
import { nowIso } from '#shared/model/time.js';
import { createLambdaContext } from '#shared/sandbox/lambda-context.js';
import { type LocalSqs, startLocalSqs, toSqsRecord } from '#shared/sandbox/sqs.js';
import { db, queryAll } from '#shared/store/client.js';
import { ACTIVE_SHARDS, activeEntryKey, activeIndexKey } from '#shared/store/connection-index.js';
import {
  deleteConnection,
  getConnection,
  setConnectionStatus,
  stampSynced,
  upsertConnection,
} from '#shared/store/connections.js';
import { keys } from '#shared/store/keys.js';
import { updateProviderSettings } from '#shared/store/provider-settings.js';
import { TABLE_KEYS } from '#shared/store/table.js';
import { type DispatchResult, dispatchJob, dispatchLiveSyncs } from '#shared/sync/dispatcher.js';
import { syncJob } from '#shared/sync/enqueue.js';
import { runSyncJob } from '#shared/sync/worker.js';
import { DEFAULT_SYNC_DEPS } from '#shared/sync/worker-deps.js';
import { newUserId } from '#test/helpers/users.js';
import { handler } from '../../functions/sync-dispatcher.js';

let sqs: LocalSqs;
const urls = {} as Record<(typeof SYNC_PROVIDERS)[number] | 'dispatch', string>;
let queues = 0;

beforeAll(async () => {
  sqs = await startLocalSqs();
  process.env.AWS_ENDPOINT_URL_SQS = sqs.endpoint;
});

/** Fresh queues per test (local SQS purges only after 60 s, and delayed jobs of one test would leak into the next). */
beforeEach(async () => {
  queues++;
  for (const provider of SYNC_PROVIDERS) {
    const spec = QUEUES[SYNC_QUEUES[provider]];
    urls[provider] = await sqs.ensureQueue(`${spec.name}-${queues}`);
    process.env[spec.urlVariable] = urls[provider];
  }
  urls.dispatch = await sqs.ensureQueue(`${QUEUES.syncDispatch.name}-${queues}`);
  process.env[QUEUES.syncDispatch.urlVariable] = urls.dispatch;
  resetEnvCache();
});

afterAll(async () => {
  await sqs?.stop();
});

async function connect(provider: ProviderName, status: 'active' | 'revoked' = 'active'): Promise<string> {
  const userId = await newUserId();
  const connection = await upsertConnection(userId, provider, {
    provider_user_id: null,
    provider_username: null,
    scope: null,
    tokens: null,
    token_expires_at: null,
  });
  if (status !== 'active') await setConnectionStatus(connection, status);
  return userId;
}

/** Every message of a queue (receiving makes them invisible: each is seen once), deleted as it is read. */
async function drain(url: string): Promise<string[]> {
  const bodies: string[] = [];
  for (;;) {
    const out = await sqs.client.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    if (!out.Messages?.length) return bodies;
    for (const message of out.Messages) {
      bodies.push(message.Body!);
      await sqs.client.send(
        new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: message.ReceiptHandle! }),
      );
    }
  }
}

/**
 * Messages of a queue nobody received yet, receivable now or still delayed, in one snapshot: counted apart (a
 * drain, then the delayed count), a delay running out in between would be counted by neither.
 */
async function queued(url: string): Promise<{ ready: number; delayed: number }> {
  const out = await sqs.client.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesDelayed'],
    }),
  );
  return {
    ready: Number(out.Attributes?.ApproximateNumberOfMessages ?? 0),
    delayed: Number(out.Attributes?.ApproximateNumberOfMessagesDelayed ?? 0),
  };
}

const active: string[] = [];
let shardsUsed = 0;

describe('sync dispatcher', () => {
  beforeAll(async () => {
    for (let i = 0; i < 60; i++) active.push(await connect('fitbit'));
    // Not dispatched: revoked, or another provider's.
    for (let i = 0; i < 5; i++) await connect('fitbit', 'revoked');
    for (let i = 0; i < 5; i++) await connect('ultrahuman');
    const shards = await Promise.all(
      Array.from({ length: ACTIVE_SHARDS }, (_, shard) =>
        queryAll({
          IndexName: TABLE_KEYS.gsi1.indexName,
          KeyConditionExpression: `${TABLE_KEYS.gsi1.partitionKey} = :pk`,
          ExpressionAttributeValues: { ':pk': activeIndexKey('fitbit', shard) },
        }),
      ),
    );
    shardsUsed = shards.filter((items) => items.length > 0).length;
  });

  it('queues one live job per active connection of the provider, across every shard', async () => {
    expect(shardsUsed).toBeGreaterThan(1);
    const result = await dispatchLiveSyncs(
      { provider: 'fitbit' },
      { remainingMs: () => 300_000, jitterSeconds: 0 },
    );
    expect(result).toMatchObject({ provider: 'fitbit', connections: 60, complete: true });
    // Ten jobs per SendMessageBatch call, per shard page.
    expect(result.requests).toBeGreaterThanOrEqual(6);
    expect(result.requests).toBeLessThanOrEqual(6 + shardsUsed);

    const jobs = (await drain(urls.fitbit)).map((body) => syncJob.parse(JSON.parse(body)));
    expect(jobs.map((j) => j.user_id).sort()).toEqual([...active].sort());
    for (const job of jobs) {
      expect(job).toMatchObject({ provider: 'fitbit', mode: 'live', from_cursor: true, attempt: 0 });
      expect(job.run_id).toMatch(/^pull_[0-9a-f]{16}$/);
      expect(job.window.end - job.window.start).toBe(30 * 86_400_000);
    }
    expect(new Set(jobs.map((j) => j.run_id)).size).toBe(60);
    expect(await drain(urls.ultrahuman)).toEqual([]);
  });

  it('the scheduled handler takes {provider} and spreads the jobs with a random delay', async () => {
    const result = (await handler(
      { provider: 'fitbit' },
      createLambdaContext('sync-dispatcher', 300_000),
    )) as DispatchResult;
    expect(result).toMatchObject({ provider: 'fitbit', connections: 60, complete: true });
    const { ready, delayed } = await queued(urls.fitbit);
    expect(ready + delayed).toBe(60);
    expect(ready).toBeLessThan(60);
  });

  it('near its deadline it hands the rest to a continuation on its own queue, which finishes the run', async () => {
    let pages = 0;
    // Time for two pages, then less than the margin.
    const first = await dispatchLiveSyncs(
      { provider: 'fitbit' },
      { remainingMs: () => (pages++ < 2 ? 300_000 : 1_000), jitterSeconds: 0 },
    );
    expect(first.complete).toBe(false);
    const firstJobs = await drain(urls.fitbit);
    expect(firstJobs.length).toBe(first.connections);
    expect(first.connections).toBeLessThan(60);

    const out = await sqs.client.send(
      new ReceiveMessageCommand({
        QueueUrl: urls.dispatch,
        MaxNumberOfMessages: 10,
        AttributeNames: ['All'],
      }),
    );
    expect(out.Messages).toHaveLength(1);
    const continuation = dispatchJob.parse(JSON.parse(out.Messages![0]!.Body!));
    expect(continuation).toMatchObject({
      provider: 'fitbit',
      dispatch_id: first.dispatch_id,
      connections: first.connections,
    });

    // The same function consumes its continuation queue, as an SQS event source.
    const event: SQSEvent = {
      Records: [toSqsRecord(out.Messages![0]!, 'arn:aws:sqs:us-east-1:123456789012:sync-dispatch')],
    };
    const response = (await handler(
      event,
      createLambdaContext('sync-dispatcher', 300_000),
    )) as SQSBatchResponse;
    expect(response.batchItemFailures).toEqual([]);
    // The rest of the connections, spread with the default random delay.
    const { ready, delayed } = await queued(urls.fitbit);
    expect(first.connections + ready + delayed).toBe(60);
    const firstUsers = firstJobs.map((body) => syncJob.parse(JSON.parse(body)).user_id);
    expect(new Set(firstUsers).size).toBe(firstUsers.length);
    for (const userId of firstUsers) expect(active).toContain(userId);
    expect(await drain(urls.dispatch)).toEqual([]);
  });

  it('dispatches nothing for a provider the admin disabled', async () => {
    await updateProviderSettings('fitbit', { is_enabled: false });
    try {
      const result = await dispatchLiveSyncs({ provider: 'fitbit' }, { remainingMs: () => 300_000 });
      expect(result).toMatchObject({
        connections: 0,
        requests: 0,
        complete: true,
        skipped: 'fitbit is disabled',
      });
      expect(await drain(urls.fitbit)).toEqual([]);
    } finally {
      await updateProviderSettings('fitbit', { is_enabled: true });
    }
  });

  it('refuses an input without a pull provider', async () => {
    await expect(
      handler({ provider: 'apple' }, createLambdaContext('sync-dispatcher', 300_000)),
    ).rejects.toThrow();
  });
});

const invocation = { remainingMs: () => 300_000, receiveCount: 1, receiptHandle: 'not-a-message' };

describe("the dispatcher's index", () => {
  const { partitionKey, sortKey } = TABLE_KEYS.gsi1;

  /** An active connection as an earlier release stored it: indexed itself, no entry of its own. */
  async function legacyConnect(provider: ProviderName = 'oura'): Promise<string> {
    const userId = await connect(provider);
    const { doc, table } = db();
    const entry = await doc.send(new GetCommand({ TableName: table, Key: activeEntryKey(userId, provider) }));
    await doc.send(
      new UpdateCommand({
        TableName: table,
        Key: keys.connection(userId, provider),
        UpdateExpression: `SET ${partitionKey} = :pk, ${sortKey} = :sk`,
        ExpressionAttributeValues: { ':pk': entry.Item![partitionKey], ':sk': userId },
      }),
    );
    await doc.send(new DeleteCommand({ TableName: table, Key: activeEntryKey(userId, provider) }));
    return userId;
  }

  const raw = async (key: Record<string, string>) =>
    (await db().doc.send(new GetCommand({ TableName: db().table, Key: key }))).Item;
  const jobUsers = async () =>
    (await drain(urls.oura)).map((body) => syncJob.parse(JSON.parse(body)).user_id);

  it('an active connection is found through its entry; the connection item itself is not indexed', async () => {
    const userId = await connect('oura');
    expect(await raw(activeEntryKey(userId, 'oura'))).toMatchObject({ user_id: userId });
    expect(await raw(keys.connection(userId, 'oura'))).not.toHaveProperty(partitionKey);
    await setConnectionStatus((await getConnection(userId, 'oura'))!, 'revoked');
    expect(await raw(activeEntryKey(userId, 'oura'))).toBeUndefined();
    await dispatchLiveSyncs({ provider: 'oura' }, { remainingMs: () => 300_000, jitterSeconds: 0 });
    expect(await jobUsers()).not.toContain(userId);
  });

  it("moves an earlier release's indexed connections to entries as it dispatches them", async () => {
    const current = await connect('oura');
    const legacy = [await legacyConnect(), await legacyConnect()];
    await dispatchLiveSyncs({ provider: 'oura' }, { remainingMs: () => 300_000, jitterSeconds: 0 });
    // A moved connection may be met again as its entry in the same walk: dispatched twice, that once.
    const first = await jobUsers();
    expect(new Set(first)).toEqual(new Set([current, ...legacy]));
    expect(first.length).toBeLessThanOrEqual(5);
    for (const userId of legacy) {
      expect(await raw(keys.connection(userId, 'oura'))).not.toHaveProperty(partitionKey);
      expect(await raw(activeEntryKey(userId, 'oura'))).toMatchObject({ user_id: userId });
    }
    await dispatchLiveSyncs({ provider: 'oura' }, { remainingMs: () => 300_000, jitterSeconds: 0 });
    const second = await jobUsers();
    for (const userId of [current, ...legacy]) expect(second.filter((u) => u === userId)).toHaveLength(1);
  });

  it('an entry left by code of the previous release for a revoked connection is removed by the job it causes', async () => {
    const userId = await connect('oura');
    // The previous release's revoke: a Put of the whole item, without index keys, that knows nothing of entries.
    const { doc, table } = db();
    const stored = await raw(keys.connection(userId, 'oura'));
    await doc.send(new PutCommand({ TableName: table, Item: { ...stored, status: 'revoked' } }));
    await dispatchLiveSyncs({ provider: 'oura' }, { remainingMs: () => 300_000, jitterSeconds: 0 });
    const jobs = (await drain(urls.oura)).map((body) => syncJob.parse(JSON.parse(body)));
    const job = jobs.find((j) => j.user_id === userId)!;
    expect(job).toBeDefined();
    expect(await runSyncJob(job, invocation, { ...DEFAULT_SYNC_DEPS, providers: {} })).toBe('dropped');
    expect(await raw(activeEntryKey(userId, 'oura'))).toBeUndefined();
    expect(await raw(keys.connection(userId, 'oura'))).toMatchObject({ status: 'revoked' });
  });

  it('deleting a connection deletes its entry', async () => {
    const userId = await connect('oura');
    await deleteConnection((await getConnection(userId, 'oura'))!);
    expect(await raw(activeEntryKey(userId, 'oura'))).toBeUndefined();
  });

  it("an SDK connection of an earlier release (no dispatcher pages it) moves at its next push's stamp", async () => {
    const userId = await legacyConnect('apple');
    await stampSynced(userId, 'apple', nowIso());
    expect(await raw(keys.connection(userId, 'apple'))).not.toHaveProperty(partitionKey);
    expect(await raw(activeEntryKey(userId, 'apple'))).toMatchObject({ user_id: userId });
  });

  it('gives no entry to a connection revoked between the page and the move', async () => {
    const userId = await legacyConnect();
    const { doc } = db();
    let revoked = false;
    const middleware = 'revoke-after-page';
    doc.middlewareStack.add(
      (next, context) => async (args) => {
        const out = await next(args);
        const items = (out.output as { Items?: Array<{ user_id?: string }> }).Items ?? [];
        if (!revoked && context.commandName === 'QueryCommand' && items.some((i) => i.user_id === userId)) {
          revoked = true;
          await setConnectionStatus((await getConnection(userId, 'oura'))!, 'revoked');
        }
        return out;
      },
      { step: 'initialize', name: middleware },
    );
    try {
      await dispatchLiveSyncs({ provider: 'oura' }, { remainingMs: () => 300_000, jitterSeconds: 0 });
    } finally {
      doc.middlewareStack.remove(middleware);
    }
    await drain(urls.oura);
    expect(revoked).toBe(true);
    expect(await raw(activeEntryKey(userId, 'oura'))).toBeUndefined();
    expect(await raw(keys.connection(userId, 'oura'))).toMatchObject({ status: 'revoked' });
  });
});
