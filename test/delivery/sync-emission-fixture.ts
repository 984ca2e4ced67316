import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, expect, vi } from 'vitest';
import type { DomainEvent } from '#shared/delivery/types.js';
import { createUser } from '#shared/identity/users.js';
import { QUEUES, SYNC_QUEUES } from '#shared/jobs/queues.js';
import { sqsClient } from '#shared/jobs/send.js';
import type { ProviderModule, WebhookModule } from '#shared/providers/module.js';
import type { PullResult, SyncUnit } from '#shared/providers/types.js';
import { db } from '#shared/store/client.js';
import { getConnection, stampSynced, upsertConnection } from '#shared/store/connections.js';
import { newRunId, type SyncJob, syncJob } from '#shared/sync/enqueue.js';
import type { Invocation } from '#shared/sync/run-handover.js';
import { runSyncJob } from '#shared/sync/worker.js';
import { DEFAULT_SYNC_DEPS } from '#shared/sync/worker-deps.js';
import { notificationContext, type ProviderAccess } from '#shared/webhooks/context.js';
import { sleepDetails, sourceRef } from '#test/helpers/health-data.js';
import { staticTokens } from '#test/helpers/sync-deps.js';
import { queueDown, setEventsQueueDown, useEventsQueue } from './events-queue.js';

/**
 * What the sync emission tests share: a provider with one unit per UTC day (heart rate by hour and a night each),
 * the sync worker run in-process against it, the events queue watched (useEventsQueue) and the connection's
 * announcement marks.
 */

export const PROVIDER = 'ultrahuman';
export const DAY = 86_400_000;
const HOUR = 3_600_000;
/** The first of the three days the tests sync (`threeDays`). */
export const FIRST_DAY = Date.UTC(2026, 10, 20);
const source = sourceRef(PROVIDER, 'Ring Air', 'Ultrahuman');

/** The provider's data: per UTC day (`YYYY-MM-DD`), its heart rate by hour and its night's efficiency. */
export type Days = Map<string, { heartRate: number[]; efficiency: number }>;

const isoDay = (at: number) => new Date(at).toISOString().slice(0, 10);
export const unitOf = (key: string): SyncUnit => {
  const start = Date.parse(`${key}T00:00:00Z`);
  return { key, start, end: start + DAY };
};

/** The provider's data of `from` and the days after it. */
export const daysFrom = (from: number, count: number): Days =>
  new Map(
    Array.from({ length: count }, (_, i) => [
      isoDay(from + i * DAY),
      { heartRate: [60, 61, 62], efficiency: 90 },
    ]),
  );
export const threeDays = () => daysFrom(FIRST_DAY, 3);
/** The events one day's unit emits. */
export const PER_DAY = ['heart_rate.created', 'series.heart_rate.created', 'sleep.created'].length;

export function resultOf(unit: SyncUnit, days: Days): PullResult {
  const day = days.get(unit.key)!;
  return {
    series: [
      {
        source,
        series: 'heart_rate',
        samples: day.heartRate.map((value, hour) => ({
          timestamp: unit.start + hour * HOUR,
          value,
          zoneOffset: null,
          isDailyTotal: null,
        })),
      },
    ],
    events: [
      {
        category: 'sleep',
        type: 'sleep_session',
        source,
        start: unit.start + HOUR / 2,
        end: unit.start + 7 * HOUR,
        zoneOffset: null,
        durationSeconds: 23_400,
        externalId: `night-${unit.key}`,
        details: sleepDetails({ sleep_efficiency_score: day.efficiency }),
      },
    ],
    scores: [],
  };
}

function provider(days: Days, during: (unit: SyncUnit) => unknown): ProviderModule {
  return {
    name: PROVIDER,
    identity: async () => ({ providerUserId: null, providerUsername: null }),
    eventIdentity: 'external',
    units: (start, end) => [...days.keys()].map(unitOf).filter((u) => u.start >= start && u.start <= end),
    async pull(_get, unit) {
      await during(unit);
      return resultOf(unit, days);
    },
  };
}

/** Connects (or reconnects) the user to the provider, as a finished OAuth callback does. */
export const connect = (userId: string, tokens = 'sealed') =>
  upsertConnection(userId, PROVIDER, {
    provider_user_id: `uh-${userId}`,
    provider_username: null,
    scope: null,
    tokens,
    token_expires_at: Date.now() + HOUR,
  });

export async function connectedUser(): Promise<string> {
  const { id } = await createUser({});
  await connect(id);
  return id;
}

/**
 * A job of `mode` over the three days. A live one goes from the cursor (minus the overlap) until it runs, as the
 * dispatcher queues it; `run` puts the cursor where its window starts at `from` (default: the first day).
 */
export const job = (userId: string, mode: SyncJob['mode'] = 'live'): SyncJob =>
  syncJob.parse({
    run_id: newRunId(),
    user_id: userId,
    provider: PROVIDER,
    mode,
    window: { start: FIRST_DAY - 30 * DAY, end: FIRST_DAY + 3 * DAY - 1 },
    from_cursor: mode === 'live',
  });

const invocation: Invocation = {
  remainingMs: () => 300_000,
  receiveCount: 1,
  receiptHandle: 'not-a-message',
};

/**
 * Runs one invocation of `work` against the provider's `days`, the cursor set so that a live window starts at `from`;
 * `during` runs as each unit is pulled.
 */
export async function run(
  days: Days,
  work: SyncJob,
  options: { from?: number; during?: (unit: SyncUnit) => unknown } = {},
) {
  const { from = FIRST_DAY, during = () => {} } = options;
  await stampSynced(work.user_id, PROVIDER, new Date(from + HOUR).toISOString());
  return runSyncJob(work, invocation, {
    ...DEFAULT_SYNC_DEPS,
    providers: { [PROVIDER]: provider(days, during) },
    tokens: staticTokens,
    client: async () => async () => ({}),
  });
}

/** The data events among `events` (not sync.*), by id. */
export const dataIds = (events: DomainEvent[]) =>
  events
    .filter((e) => !e.type.startsWith('sync.'))
    .map((e) => e.id)
    .sort();

/** The connection's announcement marks, sorted. */
export const marksOf = async (userId: string) =>
  [...((await getConnection(userId, PROVIDER))!.unannounced ?? [])].sort();

/**
 * The real local events queue, watched: `emitted()` drains what it accepted, `sent()` is every event handed to it
 * since the test began (or since `refusedAt`/`refusedWebhook` last looked), accepted or not.
 */
export function useSyncEmission() {
  let sent: DomainEvent[] = [];
  const { emitted } = useEventsQueue((events) => {
    sent.push(...events);
  });
  beforeEach(() => {
    sent = [];
  });

  /** The ids of the events `work` could not emit: the events queue goes down as its unit `key` is pulled. */
  async function refusedAt(days: Days, work: SyncJob, key: string, from?: number) {
    sent = [];
    try {
      const during = (unit: SyncUnit) => {
        if (unit.key === key) setEventsQueueDown(true);
      };
      expect(await run(days, work, { from, during })).toBe('continued');
    } finally {
      setEventsQueueDown(false);
    }
    const delivered = dataIds(await emitted());
    return dataIds(sent).filter((id) => !delivered.includes(id));
  }

  /** The ids of the events a webhook delivery saving `result` could not emit: its data is stored. */
  async function refusedWebhook(userId: string, result: PullResult) {
    const connection = (await getConnection(userId, PROVIDER))!;
    const module = { name: PROVIDER, eventIdentity: 'external' } as WebhookModule;
    const { context } = notificationContext(module, connection, {} as ProviderAccess);
    sent = [];
    await expect(queueDown(() => context.save(result))).rejects.toThrow();
    return dataIds(sent);
  }

  return { emitted, sent: () => sent, refusedAt, refusedWebhook };
}

export interface BatchRead {
  prefix: string;
  consistent: boolean | undefined;
}

/**
 * Records every BatchGet from now on (the prefix of its first key's PK, and its consistency); `stale` may hide its
 * answer, as an eventually consistent read may not see what was written a moment ago. Undone by
 * `vi.restoreAllMocks()`.
 */
export function watchBatchGets(stale?: (read: BatchRead) => boolean): BatchRead[] {
  const { doc, table } = db();
  const send = doc.send.bind(doc) as (command: unknown) => Promise<unknown>;
  const reads: BatchRead[] = [];
  vi.spyOn(doc, 'send').mockImplementation((async (command: unknown) => {
    if (!(command instanceof BatchGetCommand)) return send(command);
    const request = command.input.RequestItems![table]!;
    const read = { prefix: String(request.Keys![0]!.PK).split('#')[0]!, consistent: request.ConsistentRead };
    reads.push(read);
    const out = (await send(command)) as { Responses?: Record<string, unknown[]> };
    return stale?.(read) ? { ...out, Responses: { [table]: [] } } : out;
  }) as never);
  return reads;
}

/** The jobs sent to the provider's sync queue (a continuation may be delayed: read as sent, not received). */
export const continuations = () =>
  vi
    .mocked(sqsClient().send)
    .mock.calls.map(([command]) => command as unknown)
    .filter((command): command is SendMessageCommand => command instanceof SendMessageCommand)
    .filter((command) => command.input.QueueUrl === process.env[QUEUES[SYNC_QUEUES[PROVIDER]].urlVariable])
    .map((command) => syncJob.parse(JSON.parse(command.input.MessageBody!)));
