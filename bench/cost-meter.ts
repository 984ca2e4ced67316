import { setTimeout as sleep } from 'node:timers/promises';
import { KMSClient } from '@aws-sdk/client-kms';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { MiddlewareObj } from '@middy/core';
import { RECORDED_BUS_BUCKET, type RecordedBusEntry } from '#shared/delivery/event-bus.js';
import { QUEUES } from '#shared/jobs/queues.js';
import { db } from '#shared/store/client.js';
import { objectStore } from '#shared/store/objects.js';
import { handler as authorizer } from '../functions/sdk-authorizer.js';
import { meterCapacity } from './capacity.js';
import { busEventsOf, type Usage } from './cost-model.js';

const QUEUE_NAMES = new Set<string>(Object.values(QUEUES).map((q) => q.name));
const SETTLE_BOUND_MS = 60_000;

type Command = { constructor: { name: string }; input: Record<string, unknown> };

/** Replaces `method` of `target` by `wrap(original)`; returns the undo. */
function wrapMethod<T extends object, K extends keyof T>(target: T, key: K, wrap: (original: T[K]) => T[K]) {
  const original = target[key];
  target[key] = wrap(original);
  return () => {
    target[key] = original;
  };
}

/**
 * Meters what the sandbox does, from the outside (no hook in product code):
 * - DynamoDB units (every command returns its consumed capacity);
 * - SQS requests of every client in the process, and SQS-triggered invocations with their duration (from the
 *   poller's non-empty receive to the delete of those messages: the handler's run); empty polls are left out
 *   (they are the idle cost);
 * - the HTTP API requests the bench makes itself (`api`: one invocation of an area function, timed by the caller)
 *   and the mobile ingress's REST API requests (`restApi`: API Gateway stores the body itself, no function);
 * - the push route's authorizer, run in-process by the sandbox: one invocation each, timed by a middleware the
 *   bench adds to the handler (authorizer caching is off as deployed);
 * - S3 requests: the sandbox's object store (a folder standing in for S3), wrapped: PUT and LIST, GET; DELETE is
 *   free. The recorded event bus is not S3: its puts are counted as EventBridge events instead, by 64 KB chunk;
 * - KMS requests of every KMS client (the token vault's key provider; bench/cost-kms.ts answers them locally).
 */
export function startMeter() {
  const capacity = meterCapacity(db().doc);
  const totals = {
    invocations: 0,
    lambdaMs: 0,
    sqsRequests: 0,
    apiRequests: 0,
    restApiRequests: 0,
    s3PutRequests: 0,
    s3GetRequests: 0,
    busEvents: 0,
    kmsRequests: 0,
  };
  const writesByKind = new Map<string, number>();
  const readsByKind = new Map<string, number>();
  const busByType = new Map<string, number>();
  const undo: Array<() => void> = [];
  let active = true;

  db().doc.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      const consumed = (result.output as { ConsumedCapacity?: unknown }).ConsumedCapacity;
      const units = [consumed ?? []]
        .flat()
        .reduce((n: number, c) => n + ((c as { CapacityUnits?: number }).CapacityUnits ?? 0), 0);
      const kind = `${(context.commandName ?? '').replace(/(Item)?Command$/, '')} ${itemKind(args.input as Record<string, unknown>)}`;
      const byKind = /Get|Query|Scan/.test(kind) ? readsByKind : writesByKind;
      byKind.set(kind, (byKind.get(kind) ?? 0) + units);
      return result;
    },
    { step: 'initialize', name: 'costWritesByKind' },
  );
  undo.push(() => db().doc.middlewareStack.remove('costWritesByKind'));

  /** Invocations by message id, and the message id of each receipt handle handed out. */
  const running = new Map<string, { start: number; done: boolean }>();
  const handles = new Map<string, string>();
  // Messages sent to a registry queue and not yet deleted: what `settled` waits for.
  let outstanding = 0;
  undo.push(
    wrapMethod(SQSClient.prototype, 'send', (original) => {
      const send = async function (this: SQSClient, ...args: unknown[]) {
        const [command] = args as [Command];
        const name = command.constructor.name;
        const queue =
          String(command.input.QueueUrl ?? '')
            .split('/')
            .pop() ?? '';
        const entries = ((command.input.Entries as unknown[]) ?? []).length;
        const out = (await (original as (...a: unknown[]) => Promise<unknown>).apply(this, args)) as {
          Messages?: Array<{ ReceiptHandle?: string; MessageId?: string }>;
        };
        if (name === 'ReceiveMessageCommand') {
          if ((out.Messages?.length ?? 0) > 0 && QUEUE_NAMES.has(queue)) {
            totals.sqsRequests++;
            totals.invocations++;
            const run = { start: performance.now(), done: false };
            // By message: a redelivery (new receipt handle) replaces the run that never deleted it.
            for (const m of out.Messages ?? []) {
              running.set(m.MessageId ?? '', run);
              handles.set(m.ReceiptHandle ?? '', m.MessageId ?? '');
            }
          }
          return out;
        }
        totals.sqsRequests++;
        if (!QUEUE_NAMES.has(queue)) return out;
        if (name === 'SendMessageCommand') outstanding++;
        if (name === 'SendMessageBatchCommand') outstanding += entries;
        const deleted =
          name === 'DeleteMessageCommand'
            ? [command.input as { ReceiptHandle?: string }]
            : name === 'DeleteMessageBatchCommand'
              ? (command.input.Entries as Array<{ ReceiptHandle?: string }>)
              : [];
        outstanding -= deleted.length;
        for (const { ReceiptHandle: handle = '' } of deleted) {
          const id = handles.get(handle) ?? '';
          handles.delete(handle);
          const run = running.get(id);
          running.delete(id);
          if (run && !run.done) {
            run.done = true;
            totals.lambdaMs += performance.now() - run.start;
          }
        }
        return out;
      };
      return send as unknown as SQSClient['send'];
    }),
  );

  undo.push(
    wrapMethod(KMSClient.prototype, 'send', (original) => {
      const send = async function (this: KMSClient, ...args: unknown[]) {
        totals.kmsRequests++;
        return (original as (...a: unknown[]) => Promise<unknown>).apply(this, args);
      };
      return send as unknown as KMSClient['send'];
    }),
  );

  const store = objectStore();
  undo.push(
    wrapMethod(store, 'put', (original) => async (bucket, key, body) => {
      if (bucket === RECORDED_BUS_BUCKET) {
        for (const line of body.toString('utf8').split('\n')) {
          if (!line) continue;
          const entry = JSON.parse(line) as RecordedBusEntry;
          const events = busEventsOf(entry);
          totals.busEvents += events;
          const type = entry.DetailType ?? '?';
          busByType.set(type, (busByType.get(type) ?? 0) + events);
        }
      } else {
        totals.s3PutRequests++;
      }
      return original.call(store, bucket, key, body);
    }),
    wrapMethod(store, 'get', (original) => async (bucket, key) => {
      totals.s3GetRequests++;
      return original.call(store, bucket, key);
    }),
    wrapMethod(
      store,
      'list',
      (original) =>
        async function* (bucket, prefix) {
          totals.s3PutRequests++; // LIST is billed as PUT is; a further page is a further request
          let pages = 0;
          for await (const page of original.call(store, bucket, prefix)) {
            if (pages++ > 0) totals.s3PutRequests++;
            yield page;
          }
        },
    ),
  );

  const started = new WeakMap<object, number>();
  let authorizations = 0;
  const timing: MiddlewareObj = {
    before: (request) => {
      if (active) started.set(request, performance.now());
    },
    after: (request) => stopTiming(request),
    onError: (request) => stopTiming(request),
  };
  const stopTiming = (request: object) => {
    const at = started.get(request);
    if (at === undefined) return;
    started.delete(request);
    authorizations++;
    totals.invocations++;
    totals.lambdaMs += performance.now() - at;
  };
  authorizer.use(timing as never);

  const snapshot = (): Usage => {
    const units = capacity.snapshot();
    return { ...totals, writeUnits: units.write, readUnits: units.read };
  };
  return {
    snapshot,
    since: (before: Usage): Usage => {
      const now = snapshot();
      return Object.fromEntries(
        Object.entries(now).map(([k, v]) => [k, v - before[k as keyof Usage]]),
      ) as unknown as Usage;
    },
    /** One HTTP API request, as the area function's invocation. */
    async api<T>(call: () => Promise<T>): Promise<T> {
      const started = performance.now();
      try {
        return await call();
      } finally {
        totals.apiRequests++;
        totals.invocations++;
        totals.lambdaMs += performance.now() - started;
      }
    },
    /** One REST API request of the mobile ingress (its authorizer is metered on its own). */
    async restApi<T>(call: () => Promise<T>): Promise<T> {
      try {
        return await call();
      } finally {
        totals.restApiRequests++;
      }
    },
    /**
     * Resolves once every message sent to a registry queue has been deleted and every invocation has ended (a
     * run's summary says it ended before its worker returns, and its time is counted at the delete). Bounded: a
     * message never deleted (dead-lettered) fails the bench rather than skewing its figures.
     */
    async settled() {
      const bound = performance.now() + SETTLE_BOUND_MS;
      while ((running.size > 0 || outstanding > 0) && performance.now() < bound) await sleep(20);
      if (running.size > 0 || outstanding > 0) {
        throw new Error(
          `meter: ${outstanding} messages queued, ${running.size} received but not deleted, after ${SETTLE_BOUND_MS / 1000} s`,
        );
      }
    },
    /** Write units by command and item kind (partition prefix, sort key prefix) since the last call. */
    takeWritesByKind: () => take(writesByKind),
    /** Read units the same way (a query by its key condition's values). */
    takeReadsByKind: () => take(readsByKind),
    /** Invocations of the push authorizer metered so far. */
    authorizations: () => authorizations,
    /** EventBridge events (64 KB chunks) by detail type since the last call. */
    takeBusEventsByType: () => take(busByType),
    stop: () => {
      active = false;
      for (const undoOne of undo.reverse()) undoOne();
    },
  };
}

export type Meter = ReturnType<typeof startMeter>;

function take(byKind: Map<string, number>): Array<[string, number]> {
  const rows = [...byKind].sort((a, b) => b[1] - a[1]);
  byKind.clear();
  return rows;
}

/**
 * `USER SERIES`, `TS 1764…`: what kind of item a write command writes (its first item, for batches; for a
 * guarded transaction, its first item after the user guard).
 */
function itemKind(input: Record<string, unknown>): string {
  const first = (value: unknown): Record<string, unknown> | undefined => {
    if (Array.isArray(value)) return first(value[0]);
    if (!value || typeof value !== 'object') return undefined;
    const record = value as Record<string, unknown>;
    if ('PK' in record) return record;
    for (const v of Object.values(record)) {
      const found = first(v);
      if (found) return found;
    }
    return undefined;
  };
  const transact = input.TransactItems as Array<Record<string, unknown>> | undefined;
  const guarded = transact && transact.length > 1 && 'ConditionCheck' in transact[0]!;
  const part = (v: unknown) =>
    String(v ?? '?')
      .split('#')[0]!
      .replace(/^\d+$/, '<bucket>');
  if (typeof input.KeyConditionExpression === 'string') {
    // The key condition's values, in the order it names them (filter values aside).
    const values = (input.ExpressionAttributeValues ?? {}) as Record<string, unknown>;
    const named = input.KeyConditionExpression.match(/:\w+/g) ?? [];
    const index = input.IndexName ? `${input.IndexName}: ` : '';
    return `${index}${named.map((name) => part(values[name])).join(' ')}`;
  }
  const key = first(
    input.Item ?? input.Key ?? (guarded ? transact.slice(1) : transact) ?? input.RequestItems,
  );
  return `${part(key?.PK)} ${part(key?.SK)}`;
}
