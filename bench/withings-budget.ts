import { DeleteMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { encryptTokens } from '#shared/crypto/token-vault.js';
import { createUser } from '#shared/identity/users.js';
import { sqsClient } from '#shared/jobs/send.js';
import { withingsModule } from '#shared/providers/withings/index.js';
import { createLambdaContext } from '#shared/sandbox/lambda-context.js';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from '#shared/sandbox/local-aws.js';
import { handlesToDelete, toSqsRecord } from '#shared/sandbox/sqs.js';
import { upsertConnection } from '#shared/store/connections.js';
import { runAsFunction } from '#shared/store/write-scopes.js';
import { queueHistoricalSync, syncQueueUrl } from '#shared/sync/enqueue.js';
import type { FakeWithings } from '#test/fakes/withings.js';
import { DAYS } from './provider-fakes.js';

const USERS = 200;
const RUN_MS = 180_000;
/** Withings' own limit for the app, in any 60 s. */
const WITHINGS_LIMIT = 120;
/** The worker hands its job back when less than this is left of an invocation (DEFAULT_SYNC_DEPS.softMarginMs). */
const SOFT_MARGIN_MS = 60_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The most requests within any 60 s of `times` (epoch ms, ascending). */
function maxInAnyMinute(times: number[]) {
  let max = 0;
  for (let first = 0, last = 0; last < times.length; last++) {
    while (times[last]! - times[first]! >= 60_000) first++;
    max = Math.max(max, last - first + 1);
  }
  return max;
}

/** A Withings account seeded at the fake and connected to a new user of ours, as a finished connect leaves it. */
async function connectedUser(fake: FakeWithings, withingsUser: number) {
  fake.seed(withingsUser, { days: DAYS, end: Date.now(), seed: withingsUser });
  const userId = (await createUser({})).id;
  const issued = fake.issueTokens(withingsUser);
  const expiresAt = Date.now() + Number(issued.expires_in) * 1000;
  const tokens = {
    accessToken: String(issued.access_token),
    refreshToken: String(issued.refresh_token),
    expiresAt,
    scope: String(issued.scope),
    extras: { userid: withingsUser },
  };
  await upsertConnection(userId, 'withings', {
    provider_user_id: String(withingsUser),
    provider_username: null,
    scope: tokens.scope,
    tokens: await encryptTokens(tokens, { userId, provider: 'withings' }),
    token_expires_at: expiresAt,
  });
  return userId;
}

/**
 * 200 Withings users backfilling at once: 200 historical syncs queued, and 200 concurrent invocations of the sync
 * worker consuming the Withings sync queue (as Lambda would without its concurrency cap) for RUN_MS, every request
 * through the app-wide token bucket. What the fake received: the most in any 60 s, and the total.
 */
export async function withingsBudget(fake: FakeWithings) {
  const { handler } = await import('../functions/sync-worker.js');
  const userIds: string[] = [];
  for (let i = 0; i < USERS; i++) userIds.push(await connectedUser(fake, 40_000_000 + i));
  const queueUrl = syncQueueUrl('withings');
  const arn = `arn:aws:sqs:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:${queueUrl.split('/').pop()}`;
  const sqs = sqsClient();
  const started = Date.now();
  const deadline = started + RUN_MS;
  await Promise.all(userIds.map((userId) => queueHistoricalSync(userId, 'withings', DAYS)));

  let invocations = 0;
  const consumer = async () => {
    while (Date.now() < deadline) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: 1,
          WaitTimeSeconds: 0,
          AttributeNames: ['All'],
          MessageAttributeNames: ['All'],
        }),
      );
      if (Messages.length === 0) {
        await sleep(200);
        continue;
      }
      invocations++;
      const event = { Records: Messages.map((m) => toSqsRecord(m, arn)) };
      // Invocations that end with the run: the worker hands its job back once less than its margin is left.
      const timeoutMs = Math.min(300_000, deadline - Date.now() + SOFT_MARGIN_MS);
      const context = createLambdaContext('sync-worker', timeoutMs);
      const response = await runAsFunction('sync-worker', () => handler(event, context));
      for (const handle of handlesToDelete(event.Records, response ?? undefined))
        await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: handle }));
    }
  };
  await Promise.all(Array.from({ length: USERS }, consumer));

  const times = fake.requests.filter((r) => r.time >= started).map((r) => r.time);
  return [
    {
      'users backfilling': USERS,
      'concurrent worker invocations': USERS,
      'run s': ((Date.now() - started) / 1000).toFixed(0),
      invocations,
      'requests to Withings': times.length,
      'max in any 60 s': maxInAnyMinute(times),
      // The bucket starts full: the first minute may pass its content plus a minute of refill.
      'max in any 60 s after the first minute': maxInAnyMinute(times.filter((t) => t >= started + 60_000)),
      'bucket /min (withingsModule.budget)':
        withingsModule.budget?.kind === 'bucket' ? withingsModule.budget.perMinute : '-',
      "Withings' limit /60 s": WITHINGS_LIMIT,
      '601 answers (over the limit)': fake.requests.filter((r) => r.time >= started && r.status === 601)
        .length,
    },
  ];
}
