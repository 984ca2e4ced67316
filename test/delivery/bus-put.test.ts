import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PutEventsCommand, PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { resetEnvCache } from '#shared/config/env.js';
import {
  BUS_SOURCE,
  type EventBridgeLike,
  entrySize,
  MAX_PUT_BYTES,
  putOnBus,
  readRecordedBusEntries,
} from '#shared/delivery/event-bus.js';
import type { DomainEvent } from '#shared/delivery/types.js';
import { tombstoneUser } from '#shared/store/users.js';
import { newUserId } from '#test/helpers/users.js';

let userId: string;
let objects: string;

const event = (n: number, overrides: Partial<DomainEvent> = {}): DomainEvent => ({
  id: `workout.created.${n}`,
  type: 'workout.created',
  userId,
  timestamp: `2025-03-0${1 + (n % 9)}T10:00:00.000Z`,
  data: { id: `rec-${n}`, calories: n },
  ...overrides,
});

/** The detail the bus carries for an event: the reference's envelope plus id and user. */
const detailOf = (e: DomainEvent) => ({
  id: e.id,
  type: e.type,
  user_id: e.userId,
  timestamp: e.timestamp,
  data: e.data,
});

const setEnv = (variables: Record<string, string | undefined>) => {
  for (const [key, value] of Object.entries(variables)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  resetEnvCache();
};

/** A stand-in EventBridge client: records every request, answers with `refuse(entry, call)` as the error code. */
function stubBus(
  refuse: (entry: PutEventsRequestEntry, call: number) => string | undefined = () => undefined,
) {
  const calls: PutEventsRequestEntry[][] = [];
  const bus: EventBridgeLike = {
    async send(command: PutEventsCommand) {
      const entries = command.input.Entries ?? [];
      calls.push(entries);
      const results = entries.map((entry) => {
        const code = refuse(entry, calls.length);
        return code ? { ErrorCode: code, ErrorMessage: 'refused' } : { EventId: `ev-${calls.length}` };
      });
      return { FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results };
    },
  };
  return { bus, calls };
}

beforeAll(async () => {
  userId = await newUserId();
});

afterEach(() => setEnv({ EVENT_BUS_NAME: undefined, OBJECTS_DIR: undefined }));

describe('sandbox (OBJECTS_DIR set): puts are recorded in the object folder', () => {
  beforeEach(async () => {
    objects = await mkdtemp(join(tmpdir(), 'bus-'));
    setEnv({ EVENT_BUS_NAME: 'local', OBJECTS_DIR: objects });
  });
  afterEach(async () => {
    await rm(objects, { recursive: true, force: true });
  });

  it('reads back every entry, in put order, as EventBridge would receive it', async () => {
    const first = Array.from({ length: 12 }, (_, n) => event(n));
    const second = [event(20, { type: 'sync.completed', data: { provider: 'garmin' } })];
    await putOnBus(first);
    await putOnBus(second);
    const entries = await readRecordedBusEntries();
    expect(entries).toHaveLength(13);
    expect(entries.map((entry) => JSON.parse(entry.Detail!))).toEqual([...first, ...second].map(detailOf));
    for (const [index, entry] of entries.entries()) {
      const source = [...first, ...second][index]!;
      expect(entry).toMatchObject({
        EventBusName: 'local',
        Source: BUS_SOURCE,
        DetailType: source.type,
        Time: source.timestamp,
      });
    }
  });

  it('puts only the types EVENT_BUS_EVENT_TYPES lists, by name or by prefix, and leaves out its ! entries', async () => {
    setEnv({ EVENT_BUS_EVENT_TYPES: 'sync.*, workout.created' });
    try {
      await putOnBus([
        event(1),
        event(2, { type: 'sync.completed' }),
        event(3, { type: 'heart_rate.created' }),
        event(4, { type: 'series.heart_rate.created' }),
        event(5, { type: 'sync.started' }),
      ]);
      const types = (await readRecordedBusEntries()).map((entry) => entry.DetailType);
      expect(types).toEqual(['workout.created', 'sync.completed', 'sync.started']);
      setEnv({ EVENT_BUS_EVENT_TYPES: '!series.*' });
      await putOnBus([
        event(6, { type: 'heart_rate.created' }),
        event(7, { type: 'series.heart_rate.created' }),
      ]);
      const later = (await readRecordedBusEntries()).slice(3).map((entry) => entry.DetailType);
      expect(later).toEqual(['heart_rate.created']);
    } finally {
      setEnv({ EVENT_BUS_EVENT_TYPES: undefined });
    }
  });

  it('puts nothing without EVENT_BUS_NAME', async () => {
    setEnv({ EVENT_BUS_NAME: undefined });
    await putOnBus([event(1)]);
    expect(await readRecordedBusEntries()).toEqual([]);
  });

  it("drops a deleted user's events, keeps the others' and those of no user", async () => {
    const deleted = await newUserId();
    await tombstoneUser(deleted);
    await putOnBus([event(1, { userId: deleted }), event(2), event(3, { userId: null })]);
    const details = (await readRecordedBusEntries()).map((entry) => JSON.parse(entry.Detail!));
    expect(details.map((detail) => detail.id)).toEqual(['workout.created.2', 'workout.created.3']);
  });
});

describe('AWS (a stub client): PutEvents', () => {
  beforeEach(() => setEnv({ EVENT_BUS_NAME: 'open-wearables-test', OBJECTS_DIR: undefined }));

  it('sends every event once, in requests of at most 10 entries', async () => {
    const events = Array.from({ length: 25 }, (_, n) => event(n));
    const { bus, calls } = stubBus();
    await putOnBus(events, bus);
    expect(calls.map((call) => call.length)).toEqual([10, 10, 5]);
    const entries = calls.flat();
    expect(entries.map((entry) => JSON.parse(entry.Detail!))).toEqual(events.map(detailOf));
    expect(entries[0]).toEqual({
      EventBusName: 'open-wearables-test',
      Source: 'open-wearables',
      DetailType: 'workout.created',
      Time: new Date(events[0]!.timestamp),
      Detail: JSON.stringify(detailOf(events[0]!)),
    });
  });

  it('keeps each request under 256 KB of entries', async () => {
    const big = (n: number) => event(n, { data: { samples: 'x'.repeat(100_000) } });
    const { bus, calls } = stubBus();
    await putOnBus([big(1), big(2), big(3), event(4)], bus);
    expect(calls.map((call) => call.length)).toEqual([2, 2]);
    for (const call of calls) {
      expect(call.reduce((sum, entry) => sum + entrySize(entry), 0)).toBeLessThanOrEqual(MAX_PUT_BYTES);
    }
  });

  it('refuses an entry over 256 KB up front and puts the others', async () => {
    const { bus, calls } = stubBus();
    await putOnBus([event(1, { data: { samples: 'x'.repeat(MAX_PUT_BYTES) } }), event(2)], bus);
    expect(calls.flat().map((entry) => JSON.parse(entry.Detail!).id)).toEqual(['workout.created.2']);
  });

  it('retries only the entries EventBridge refused', async () => {
    const { bus, calls } = stubBus((entry, call) =>
      call === 1 && JSON.parse(entry.Detail!).id === 'workout.created.3' ? 'ThrottlingException' : undefined,
    );
    await putOnBus([event(1), event(2), event(3)], bus);
    expect(calls.map((call) => call.map((entry) => JSON.parse(entry.Detail!).id))).toEqual([
      ['workout.created.1', 'workout.created.2', 'workout.created.3'],
      ['workout.created.3'],
    ]);
  });

  it('throws when entries keep failing, so the fan-out job is redelivered', async () => {
    const { bus, calls } = stubBus(() => 'InternalFailure');
    await expect(putOnBus([event(1)], bus)).rejects.toThrow(/refused 1 entries 4 times \(InternalFailure\)/);
    expect(calls).toHaveLength(4);
  });
});
