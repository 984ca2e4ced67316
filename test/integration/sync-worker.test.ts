import { randomBytes, randomUUID } from 'node:crypto';
import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  type Message,
  type QueueAttributeName,
  ReceiveMessageCommand,
} from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { resetEnvCache } from '#shared/config/env.js';
import { encryptTokens, resetTokenVault } from '#shared/crypto/token-vault.js';
import { createUser } from '#shared/identity/users.js';
import { QUEUES, SYNC_QUEUES, visibilityTimeoutSeconds } from '#shared/jobs/queues.js';
import type { HealthEvent, HealthScore, SeriesSamples, SourceRef } from '#shared/model/health-data.js';
import { ConnectionRevokedError } from '#shared/oauth/errors.js';
import { logger } from '#shared/observability.js';
import { fitbit } from '#shared/providers/fitbit/index.js';
import {
  bearerGet,
  ProviderGoneError,
  ProviderRequestError,
  RateLimitedError,
  TransientProviderError,
  UnauthorizedError,
} from '#shared/providers/http.js';
import type { ProviderModule } from '#shared/providers/module.js';
import type { PullResult, SyncUnit } from '#shared/providers/types.js';
import { createLambdaContext } from '#shared/sandbox/lambda-context.js';
import { handlesToDelete, type LocalSqs, startLocalSqs, toSqsRecord } from '#shared/sandbox/sqs.js';
import { queryAll } from '#shared/store/client.js';
import {
  type Connection,
  getConnection,
  setConnectionStatus,
  upsertConnection,
} from '#shared/store/connections.js';
import { queryScores } from '#shared/store/health-scores.js';
import { keys } from '#shared/store/keys.js';
import { listUserSeries } from '#shared/store/series-registry.js';
import { getUser } from '#shared/store/users.js';
import { newRunId, queueLiveSyncs, queueSync, type SyncJobInput, syncJob } from '#shared/sync/enqueue.js';
import { MAX_DEFERRALS } from '#shared/sync/run-handover.js';
import { recentSyncEvents, userSyncRuns } from '#shared/sync/status-read.js';
import { LIVE_OVERLAP_MS } from '#shared/sync/window.js';
import { createSyncWorker, runSyncJob } from '#shared/sync/worker.js';
import { DEFAULT_SYNC_DEPS, type SyncWorkerDeps } from '#shared/sync/worker-deps.js';
import { type FakeFitbit, generateFitbitDays, startFakeFitbit } from '#test/fakes/fitbit.js';
import { useWriteMeter } from '#test/helpers/write-meter.js';

const DAY = 86_400_000;
const PROVIDER = 'ultrahuman';
const queue = QUEUES[SYNC_QUEUES[PROVIDER]];

let sqs: LocalSqs;
let queueUrl: string;
let queueArn: string;
let queues = 0;

beforeAll(async () => {
  process.env.TOKEN_ENCRYPTION_KEY = randomBytes(32).toString('base64');
  delete process.env.TOKEN_KMS_KEY_ID;
  sqs = await startLocalSqs();
  process.env.AWS_ENDPOINT_URL_SQS = sqs.endpoint;
  resetTokenVault();
});

/** A fresh provider queue (local SQS purges only after 60 s), as the stack defines it unless told otherwise. */
async function useQueue(visibilityTimeout = visibilityTimeoutSeconds(SYNC_QUEUES[PROVIDER])) {
  queues++;
  queueUrl = await sqs.ensureQueue(`${queue.name}-${queues}`, {
    dlqName: `${queue.name}-${queues}-dlq`,
    maxReceiveCount: queue.maxReceiveCount,
    visibilityTimeout,
  });
  process.env[queue.urlVariable] = queueUrl;
  resetEnvCache();
  const attributes = await sqs.client.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  );
  queueArn = attributes.Attributes!.QueueArn!;
}

beforeEach(() => useQueue());

afterAll(async () => {
  await sqs?.stop();
});

// ---------------------------------------------------------------------------------------------------------
// A fake provider: one unit per UTC day, each producing samples, a sleep event and a score.
// ---------------------------------------------------------------------------------------------------------

const source: SourceRef = {
  provider: PROVIDER,
  deviceModel: 'Ring Air',
  sourceName: 'Ultrahuman',
  softwareVersion: null,
  originalSourceName: null,
};

function dayUnits(start: number, end: number): SyncUnit[] {
  const units: SyncUnit[] = [];
  for (let day = Math.floor(start / DAY) * DAY; day <= end; day += DAY) {
    units.push({ key: new Date(day).toISOString().slice(0, 10), start: day, end: day + DAY });
  }
  return units;
}

function resultFor(unit: SyncUnit): PullResult {
  const series: SeriesSamples[] = [
    {
      source,
      series: 'heart_rate',
      samples: [1, 2].map((h) => ({
        timestamp: unit.start + h * 3_600_000,
        value: 55 + h,
        zoneOffset: null,
        isDailyTotal: null,
      })),
    },
  ];
  const events: HealthEvent[] = [
    {
      category: 'sleep',
      type: 'sleep_session',
      source,
      start: unit.start + 1_800_000,
      end: unit.start + 7 * 3_600_000,
      zoneOffset: null,
      durationSeconds: 23_400,
      externalId: `sleep-${unit.key}`,
      details: {
        sleep_total_duration_minutes: 360,
        sleep_time_in_bed_minutes: 390,
        sleep_efficiency_score: 92,
        sleep_deep_minutes: 80,
        sleep_rem_minutes: 90,
        sleep_light_minutes: 190,
        sleep_awake_minutes: 30,
        is_nap: false,
        sleep_stages: null,
      },
    },
  ];
  const scores: HealthScore[] = [
    {
      source,
      category: 'recovery',
      value: 70,
      qualifier: null,
      recordedAt: unit.start,
      zoneOffset: null,
      components: null,
    },
  ];
  return { series, events, scores };
}

type Script = (unit: SyncUnit, call: number) => void | Promise<void>;

function fakeProvider(script: Script = () => {}) {
  const calls: string[] = [];
  const provider: ProviderModule = {
    name: PROVIDER,
    identity: async () => ({ providerUserId: null, providerUsername: null }),
    units: dayUnits,
    async pull(_get, unit) {
      calls.push(unit.key);
      await script(unit, calls.length);
      return resultFor(unit);
    },
  };
  return { provider, calls };
}

const workerWith = (provider: ProviderModule, deps: Partial<SyncWorkerDeps> = {}) =>
  createSyncWorker({ providers: { [PROVIDER]: provider }, ...deps });

// ---------------------------------------------------------------------------------------------------------
// Users, connections, jobs, and SQS delivery as the event source mapping does it.
// ---------------------------------------------------------------------------------------------------------

async function connectedUser(
  options: { lastSyncedAt?: string | null; status?: Connection['status'] } = {},
): Promise<string> {
  const user = await createUser({});
  const expiresAt = Date.now() + 3_600_000;
  const tokens = await encryptTokens(
    {
      accessToken: `at-${randomUUID()}`,
      refreshToken: `rt-${randomUUID()}`,
      expiresAt,
      scope: 'ring_data',
      extras: {},
    },
    { userId: user.id, provider: PROVIDER },
  );
  const connection = await upsertConnection(user.id, PROVIDER, {
    provider_user_id: `uh-${user.id}`,
    provider_username: null,
    scope: 'ring_data',
    tokens,
    token_expires_at: expiresAt,
    last_synced_at: options.lastSyncedAt ?? null,
  });
  if (options.status && options.status !== 'active') await setConnectionStatus(connection, options.status);
  return user.id;
}

/** A manual job over the `days` whole UTC days ending yesterday. */
function manualJob(userId: string, days = 3): SyncJobInput {
  const end = Math.floor(Date.now() / DAY) * DAY - 1;
  return {
    run_id: newRunId(),
    user_id: userId,
    provider: PROVIDER,
    mode: 'manual',
    window: { start: end + 1 - days * DAY, end },
  };
}

async function receiveAll(): Promise<Message[]> {
  const out = await sqs.client.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: 0,
      AttributeNames: ['All'],
    }),
  );
  return out.Messages ?? [];
}

/** Messages receivable now, waiting out a delay, and received but not deleted (in flight). */
async function counts() {
  const out = await sqs.client.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesDelayed',
        'ApproximateNumberOfMessagesNotVisible',
      ],
    }),
  );
  const value = (name: QueueAttributeName) => Number(out.Attributes?.[name] ?? 0);
  // local-aws-sqs counts in-flight messages in ApproximateNumberOfMessages too.
  const inFlight = value('ApproximateNumberOfMessagesNotVisible');
  return {
    ready: value('ApproximateNumberOfMessages') - inFlight,
    delayed: value('ApproximateNumberOfMessagesDelayed'),
    inFlight,
  };
}

type Handler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

/**
 * Hands one message to the handler in a real SQSEvent, and deletes it unless reported failed, as Lambda does. A
 * failed one-record batch must come back as a partial response, not as a thrown error (which would count as a
 * Lambda error and trip the alarm), so nothing here catches.
 */
async function invoke(handler: Handler, message: Message, context?: Context) {
  const event: SQSEvent = { Records: [toSqsRecord(message, queueArn)] };
  const response = await handler(event, context ?? createLambdaContext('sync-worker', 300_000));
  for (const handle of handlesToDelete(event.Records, response)) {
    await sqs.client.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: handle }));
  }
  return { response, body: JSON.parse(message.Body!) as unknown };
}

async function deliverOne(handler: Handler, context?: Context) {
  const messages = await receiveAll();
  expect(messages).toHaveLength(1);
  return invoke(handler, messages[0]!, context);
}

/** Polls the queue until a message is receivable (a delay ran out), or fails after `timeoutMs`. */
async function waitForReady(timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if ((await counts()).ready > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no message became receivable within ${timeoutMs} ms: ${JSON.stringify(await counts())}`);
}

async function drained() {
  expect(await counts()).toEqual({ ready: 0, delayed: 0, inFlight: 0 });
}

const sleepEvents = (userId: string) =>
  queryAll({
    KeyConditionExpression: 'PK = :pk AND begins_with(SK, :sk)',
    ExpressionAttributeValues: { ':pk': keys.userPartition(userId), ':sk': 'EVENT#sleep#' },
  });

const stages = async (userId: string) =>
  (await recentSyncEvents(userId, 200)).reverse().map((e) => `${e.stage}/${e.status}`);

/** A context whose remaining time the test controls. */
function controlledContext(remaining: { ms: number }): Context {
  return { ...createLambdaContext('sync-worker', 300_000), getRemainingTimeInMillis: () => remaining.ms };
}

// ---------------------------------------------------------------------------------------------------------

const meter = useWriteMeter();

describe('sync worker', () => {
  it('happy path: a live job pulls from last_synced_at, persists, stamps and records its run', async () => {
    const lastSynced = Date.now() - 2 * DAY;
    const userId = await connectedUser({ lastSyncedAt: new Date(lastSynced).toISOString() });
    const fake = fakeProvider();
    await queueLiveSyncs(PROVIDER, [userId], { jitterSeconds: 0 });
    meter.take();

    const { response, body } = await deliverOne(workerWith(fake.provider));
    expect(response.batchItemFailures).toEqual([]);
    const job = syncJob.parse(body);
    // The connection is written twice: its lease taken, then the cursor stamped with the lease given back.
    expect(meter.take().filter((w) => w.kinds.includes('CONN'))).toHaveLength(2);

    // Units from the cursor minus the overlap, not from the 30-day floor, until the job ran (the new cursor).
    const stamped = (await getConnection(userId, PROVIDER))!.last_synced_at!;
    expect(Date.parse(stamped)).toBeGreaterThanOrEqual(job.window.end);
    expect(Date.parse(stamped)).toBeLessThanOrEqual(Date.now());
    const expected = dayUnits(lastSynced - LIVE_OVERLAP_MS, Date.parse(stamped)).map((u) => u.key);
    expect(fake.calls).toEqual(expected);

    expect(await queryScores(userId)).toHaveLength(expected.length);
    expect(await sleepEvents(userId)).toHaveLength(expected.length);
    const series = await listUserSeries(userId);
    expect(series).toEqual([expect.objectContaining({ series: 'heart_rate', count: 2 * expected.length })]);

    expect(await getUser(userId)).toMatchObject({ last_synced_at: stamped, last_synced_provider: PROVIDER });
    expect((await getConnection(userId, PROVIDER))!.sync_lease_owner).toBeUndefined();

    const history = await stages(userId);
    expect(history[0]).toBe('started/in_progress');
    expect(history).toContain('fetching/in_progress');
    expect(history.at(-1)).toBe('completed/success');
    const [completed] = await recentSyncEvents(userId, 1);
    expect(completed).toMatchObject({
      run_id: job.run_id,
      source: 'pull',
      progress: 1,
      items_processed: expected.length,
      items_total: expected.length,
      metadata: expect.objectContaining({ mode: 'live', scores_saved: expected.length }),
    });
    expect(await userSyncRuns(userId, 20)).toEqual([
      expect.objectContaining({ run_id: job.run_id, stage: 'completed', status: 'success' }),
    ]);
    await drained();
  });

  it('re-running the same window changes nothing (idempotent writes)', async () => {
    const userId = await connectedUser();
    const fake = fakeProvider();
    const worker = workerWith(fake.provider);
    await queueSync(manualJob(userId));
    await deliverOne(worker);
    await queueSync(manualJob(userId));
    await deliverOne(worker);
    expect(fake.calls).toHaveLength(6);
    expect(await queryScores(userId)).toHaveLength(3);
    expect(await sleepEvents(userId)).toHaveLength(3);
    expect((await listUserSeries(userId))[0]!.count).toBe(6);
  });

  it('stops before the deadline and continues from the checkpoint in a new invocation', async () => {
    const userId = await connectedUser();
    const remaining = { ms: 130_000 };
    // Each unit "takes" 30 s of the invocation: after three, less than the 60 s margin is left.
    const fake = fakeProvider(() => {
      remaining.ms -= 30_000;
    });
    const worker = workerWith(fake.provider);
    const job = manualJob(userId, 5);
    await queueSync(job);

    const first = await deliverOne(worker, controlledContext(remaining));
    expect(first.response.batchItemFailures).toEqual([]);
    const keys5 = dayUnits(job.window.start, job.window.end).map((u) => u.key);
    expect(fake.calls).toEqual(keys5.slice(0, 3));

    const [message] = await receiveAll();
    const continuation = syncJob.parse(JSON.parse(message!.Body!));
    expect(continuation).toMatchObject({
      run_id: job.run_id,
      checkpoint: keys5[2],
      window: job.window,
      from_cursor: false,
      totals: expect.objectContaining({ units_done: 3, scores: 3 }),
    });
    expect((await getConnection(userId, PROVIDER))!.last_synced_at).toBeNull();

    await invoke(worker, message!);
    expect(fake.calls).toEqual(keys5);
    expect((await getConnection(userId, PROVIDER))!.last_synced_at).toBe(
      new Date(job.window.end).toISOString(),
    );
    const [completed] = await recentSyncEvents(userId, 1);
    expect(completed).toMatchObject({ stage: 'completed', items_processed: 5, items_total: 5 });
    expect(completed!.metadata).toMatchObject({ scores_saved: 5, events_saved: 5 });
    expect((await stages(userId)).filter((s) => s.startsWith('started'))).toHaveLength(1);
    await drained();
  });

  it('abandons a unit still running at the hard deadline, and continues without it', {
    timeout: 60_000,
  }, async () => {
    const userId = await connectedUser();
    // The unit never ends: only the hard deadline can end the invocation.
    const fake = fakeProvider(() => new Promise(() => {}));
    // A 20 s invocation whose hard deadline comes 1 s after its start (20 s - 19 s), or at once if the set-up
    // before the first unit took longer: the unit starts unless the set-up took 19.9 s (the soft margin), and the
    // wrap-up (continuation, lease, events) has 19 s before the handler's own timeout (middy's, 5 ms before the
    // end), however busy the machine. No progress event: nothing but the provider call runs inside the deadline.
    const worker = workerWith(fake.provider, {
      softMarginMs: 100,
      hardMarginMs: 19_000,
      progressEveryMs: Infinity,
    });
    await queueSync(manualJob(userId));
    const warnings = vi.spyOn(logger, 'warn');
    try {
      const { response } = await deliverOne(worker, createLambdaContext('sync-worker', 20_000));
      expect(fake.calls).toHaveLength(1);
      expect(warnings).toHaveBeenCalledWith('sync unit abandoned at the deadline', expect.anything());
      expect(response.batchItemFailures).toEqual([]);
    } finally {
      warnings.mockRestore();
    }
    const [message] = await receiveAll();
    const continuation = syncJob.parse(JSON.parse(message!.Body!));
    expect(continuation.checkpoint).toBeUndefined();
    expect(continuation.totals).toMatchObject({ units_done: 0 });
    // The abandoned unit may yet write: the connection stays marked, so the continuation emits all it saves.
    expect((await getConnection(userId, PROVIDER))!.unannounced).toEqual(new Set([continuation.run_id]));
    // The lease is released for the continuation.
    expect((await getConnection(userId, PROVIDER))!.sync_lease_owner).toBeUndefined();
  });

  it('429: re-queues the job from its checkpoint until the reset, and the message succeeds', {
    timeout: 60_000,
  }, async () => {
    const userId = await connectedUser();
    // A reset 5 s away: the message re-queued with a ~5 s delay is still delayed when counted right after, even
    // on a busy machine (a 1 s reset could run out in between).
    const limited = fakeProvider((_unit, call) => {
      if (call === 2) throw new RateLimitedError(Date.now() + 5_000);
    });
    const job = manualJob(userId);
    await queueSync(job);
    const { response } = await deliverOne(workerWith(limited.provider));
    expect(response.batchItemFailures).toEqual([]);
    const units = dayUnits(job.window.start, job.window.end).map((u) => u.key);
    expect(limited.calls).toEqual(units.slice(0, 2));
    expect(await counts()).toMatchObject({ ready: 0, delayed: 1 });
    expect((await recentSyncEvents(userId, 1))[0]!.message).toMatch(
      /^Rate limited by ultrahuman; resuming after/,
    );

    await waitForReady(30_000);
    const [message] = await receiveAll();
    const retry = syncJob.parse(JSON.parse(message!.Body!));
    expect(retry).toMatchObject({ run_id: job.run_id, checkpoint: units[0], attempt: 1 });
    expect(retry.not_before).toBeUndefined();

    const fine = fakeProvider();
    await invoke(workerWith(fine.provider), message!);
    expect(fine.calls).toEqual(units.slice(1));
    expect((await recentSyncEvents(userId, 1))[0]).toMatchObject({ stage: 'completed', items_processed: 3 });
    await drained();
  });

  it('rate-limit waits count afresh after progress; only waits without progress give up', {
    timeout: 60_000,
  }, async () => {
    const userId = await connectedUser();
    // A run that already waited MAX_DEFERRALS times, but advanced a unit before this wait: it goes on.
    const advancing = fakeProvider((_unit, call) => {
      if (call === 2) throw new RateLimitedError(Date.now() + 1_000);
    });
    await queueSync({ ...manualJob(userId), attempt: MAX_DEFERRALS });
    await deliverOne(workerWith(advancing.provider));
    await waitForReady(30_000);
    const [message] = await receiveAll();
    expect(syncJob.parse(JSON.parse(message!.Body!)).attempt).toBe(1);
    await invoke(workerWith(fakeProvider().provider), message!);

    // The same count of waits without any progress: the run gives up and says why.
    const stuck = fakeProvider(() => {
      throw new RateLimitedError(Date.now() + 1_000);
    });
    await queueSync({ ...manualJob(userId), attempt: MAX_DEFERRALS });
    await deliverOne(workerWith(stuck.provider));
    expect((await recentSyncEvents(userId, 1))[0]).toMatchObject({
      status: 'failed',
      message: `Sync of ultrahuman gave up after ${MAX_DEFERRALS} rate-limit waits`,
    });
    await drained();
  });

  it('429 beyond 15 minutes: delayed 900 s carrying not_before; an early delivery just waits again', async () => {
    const userId = await connectedUser();
    const retryAt = Date.now() + 3_600_000;
    const limited = fakeProvider(() => {
      throw new RateLimitedError(retryAt);
    });
    await queueSync(manualJob(userId));
    await deliverOne(workerWith(limited.provider));
    expect(await counts()).toMatchObject({ ready: 0, delayed: 1 });

    // The same job delivered before its time: re-queued, nothing called.
    const fake = fakeProvider();
    await queueSync({ ...manualJob(userId), not_before: retryAt });
    const { response } = await deliverOne(workerWith(fake.provider));
    expect(response.batchItemFailures).toEqual([]);
    expect(fake.calls).toEqual([]);
    // The first deferral still waits too.
    expect(await counts()).toMatchObject({ ready: 0, delayed: 2 });
  });

  it('5xx without progress: the message fails (batch item failure), invisible for a backoff', async () => {
    // A queue whose own visibility is 1 s: only ChangeMessageVisibility keeps the message hidden longer.
    await useQueue(1);
    const userId = await connectedUser();
    const failing = fakeProvider(() => {
      throw new TransientProviderError('provider answered 503');
    });
    await queueSync(manualJob(userId));
    const messages = await receiveAll();
    const { response } = await invoke(workerWith(failing.provider), messages[0]!);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: messages[0]!.MessageId }]);
    // Visibility stretched to 120 s (first receive): not redelivered after the queue's own 1 s.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await receiveAll()).toEqual([]);
    expect(await counts()).toMatchObject({ ready: 0, inFlight: 1 });
    expect((await recentSyncEvents(userId, 1))[0]).toMatchObject({
      stage: 'fetching',
      error: 'provider answered 503',
    });
    expect((await getConnection(userId, PROVIDER))!.sync_lease_owner).toBeUndefined();
  });

  it('5xx after progress: a continuation from the checkpoint is queued after the backoff', async () => {
    const userId = await connectedUser();
    const failing = fakeProvider((_unit, call) => {
      if (call === 2) throw new TransientProviderError('provider answered 502');
    });
    await queueSync(manualJob(userId));
    const { response } = await deliverOne(workerWith(failing.provider));
    expect(response.batchItemFailures).toEqual([]);
    expect(await counts()).toMatchObject({ ready: 0, delayed: 1, inFlight: 0 });
  });

  it('the lease: of two concurrent jobs for one connection only one syncs, the other is re-queued', async () => {
    const userId = await connectedUser();
    // The first unit to start waits until one invocation has ended: the syncing job holds its lease for as long as
    // the other needs to be turned away, however the two interleave. Were both let in (a broken lease), the other
    // would sync and end, releasing this one: the counts below then fail instead of the test hanging.
    let oneEnded!: () => void;
    const firstInvocationEnded = new Promise<void>((resolve) => {
      oneEnded = resolve;
    });
    const fake = fakeProvider(async (_unit, call) => {
      if (call === 1) await firstInvocationEnded;
    });
    const worker = workerWith(fake.provider);
    await queueSync(manualJob(userId));
    await queueSync(manualJob(userId));
    const messages = await receiveAll();
    expect(messages).toHaveLength(2);
    const invocations = messages.map((m) => invoke(worker, m));
    Promise.race(invocations).then(oneEnded, oneEnded);
    const results = await Promise.all(invocations);
    for (const { response } of results) expect(response.batchItemFailures).toEqual([]);
    expect(fake.calls).toHaveLength(3);
    expect((await stages(userId)).filter((s) => s === 'completed/success')).toHaveLength(1);
    expect(await counts()).toMatchObject({ ready: 0, delayed: 1, inFlight: 0 });
  });

  it('a revoked connection: the job is dropped with a status event, nothing is called', async () => {
    const userId = await connectedUser({ status: 'revoked' });
    const fake = fakeProvider();
    await queueSync(manualJob(userId));
    const { response } = await deliverOne(workerWith(fake.provider));
    expect(response.batchItemFailures).toEqual([]);
    expect(fake.calls).toEqual([]);
    expect((await recentSyncEvents(userId, 1))[0]).toMatchObject({
      stage: 'cancelled',
      status: 'skipped',
      message: 'Connection to ultrahuman is revoked; reconnection required',
    });
    await drained();
  });

  it('a refresh rejected by the provider (revoked meanwhile): failed event, job dropped', async () => {
    const userId = await connectedUser();
    const fake = fakeProvider();
    const tokens = vi.fn(async () => {
      throw new ConnectionRevokedError(
        PROVIDER,
        'Refresh token rejected for ultrahuman; reconnection required',
      );
    });
    await queueSync(manualJob(userId));
    const { response } = await deliverOne(workerWith(fake.provider, { tokens }));
    expect(response.batchItemFailures).toEqual([]);
    expect(fake.calls).toEqual([]);
    expect((await recentSyncEvents(userId, 1))[0]).toMatchObject({
      stage: 'failed',
      status: 'failed',
      error: 'Refresh token rejected for ultrahuman; reconnection required',
    });
    await drained();
  });

  it('a job for a user that no longer exists is dropped without writing anything', async () => {
    const userId = randomUUID();
    const fake = fakeProvider();
    await queueSync(manualJob(userId));
    const { response } = await deliverOne(workerWith(fake.provider));
    expect(response.batchItemFailures).toEqual([]);
    expect(await recentSyncEvents(userId, 10)).toEqual([]);
    await drained();
  });

  it('401 on a data call: one forced refresh, then the unit is retried with the new token', async () => {
    const userId = await connectedUser();
    const fake = fakeProvider((_unit, call) => {
      if (call === 1) throw new UnauthorizedError('token revoked by provider');
    });
    const seen: string[] = [];
    const refresh = vi.fn(async (rejected: Connection) => ({
      tokens: {
        accessToken: 'at-refreshed',
        refreshToken: 'rt',
        expiresAt: Date.now() + 3_600_000,
        scope: null,
        extras: {},
      },
      connection: rejected,
    }));
    const worker = workerWith(fake.provider, {
      refresh,
      client: async (_provider, accessToken) => {
        seen.push(accessToken);
        return async () => ({});
      },
    });
    await queueSync(manualJob(userId));
    const { response } = await deliverOne(worker);
    expect(response.batchItemFailures).toEqual([]);
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(seen).toHaveLength(2);
    expect(seen[1]).toBe('at-refreshed');
    expect(fake.calls).toHaveLength(4);
    expect((await recentSyncEvents(userId, 1))[0]).toMatchObject({ stage: 'completed', status: 'success' });
  });

  it('a 4xx skips that unit and the run ends partial', async () => {
    const userId = await connectedUser();
    const fake = fakeProvider((_unit, call) => {
      if (call === 2) throw new ProviderRequestError(404, 'no data');
    });
    await queueSync(manualJob(userId));
    const { response } = await deliverOne(workerWith(fake.provider));
    expect(response.batchItemFailures).toEqual([]);
    expect(await queryScores(userId)).toHaveLength(2);
    const history = await stages(userId);
    expect(history).toContain('fetching/partial');
    expect(history.at(-1)).toBe('completed/partial');
    expect((await getConnection(userId, PROVIDER))!.last_synced_at).not.toBeNull();
  });

  it('410 Gone: the connection is revoked with the reason, the run fails, later units are not asked', async () => {
    const userId = await connectedUser();
    const fake = fakeProvider((_unit, call) => {
      if (call === 2) throw new ProviderGoneError(410, '{"errors":[{"errorType":"gone"}]}');
    });
    await queueSync(manualJob(userId));
    const { response } = await deliverOne(workerWith(fake.provider));
    expect(response.batchItemFailures).toEqual([]);
    expect(fake.calls).toHaveLength(2);
    expect((await recentSyncEvents(userId, 1))[0]).toMatchObject({
      stage: 'failed',
      status: 'failed',
      message: 'ultrahuman answered 410 Gone: its API is no longer available. The connection was revoked.',
    });
    expect(await getConnection(userId, PROVIDER)).toMatchObject({
      status: 'revoked',
      tokens: null,
      token_expires_at: null,
      status_reason: 'ultrahuman answered 410 Gone: its API is no longer available',
      last_synced_at: null,
    });
    await drained();
  });
});

describe('sync worker against the fake Fitbit after its shutdown', () => {
  let fake: FakeFitbit;
  beforeAll(async () => {
    fake = await startFakeFitbit({ rateLimitPerHour: 10_000 });
    fake.seed('FAKE01', generateFitbitDays({ days: 3 }));
  });
  afterAll(() => fake?.stop());

  async function fitbitUser() {
    const user = await createUser({});
    const issued = fake.issueTokens('FAKE01');
    const expiresAt = Date.now() + 3_600_000;
    await upsertConnection(user.id, 'fitbit', {
      provider_user_id: 'FAKE01',
      provider_username: null,
      scope: String(issued.scope),
      tokens: await encryptTokens(
        {
          accessToken: String(issued.access_token),
          refreshToken: String(issued.refresh_token),
          expiresAt,
          scope: String(issued.scope),
          extras: { user_id: 'FAKE01' },
        },
        { userId: user.id, provider: 'fitbit' },
      ),
      token_expires_at: expiresAt,
    });
    return user.id;
  }

  const runFitbit = (userId: string) => {
    const end = Date.now();
    const job = syncJob.parse({
      run_id: newRunId(),
      user_id: userId,
      provider: 'fitbit',
      mode: 'manual',
      window: { start: end - 2 * DAY, end },
    });
    return runSyncJob(
      job,
      { remainingMs: () => 300_000, receiveCount: 1, receiptHandle: 'test' },
      {
        ...DEFAULT_SYNC_DEPS,
        providers: { fitbit },
        client: async (_provider, accessToken) => bearerGet(fake.apiBaseUrl, accessToken),
      },
    );
  };

  it('syncs while the API answers, and once it answers 410 revokes the connection naming google_health', async () => {
    const userId = await fitbitUser();
    expect(await runFitbit(userId)).toBe('completed');
    expect((await listUserSeries(userId)).map((s) => s.series)).toContain('heart_rate');

    fake.setGone(true);
    fake.requests.length = 0;
    expect(await runFitbit(userId)).toBe('failed');
    // The first request was refused: nothing else was asked.
    expect(fake.requests.map((r) => r.status)).toEqual([410]);
    const [failed] = await recentSyncEvents(userId, 1);
    expect(failed).toMatchObject({ stage: 'failed', status: 'failed' });
    expect(failed!.message).toMatch(
      /^fitbit answered 410 Gone: Google shut the Fitbit Web API down on 2026-11-02/,
    );
    expect(failed!.message).toMatch(/google_health/);
    expect(await getConnection(userId, 'fitbit')).toMatchObject({
      status: 'revoked',
      tokens: null,
      status_reason: expect.stringMatching(/Fitbit Web API.*google_health/),
    });
    // A later job finds nothing to do.
    expect(await runFitbit(userId)).toBe('dropped');
    expect(fake.requests).toHaveLength(1);
  });
});
