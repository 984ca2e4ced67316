import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { resetEnvCache } from '#shared/config/env.js';
import { eraseUserLake, lakeObjects, NO_USER, writeToLake } from '#shared/delivery/lake.js';
import type { DomainEvent } from '#shared/delivery/types.js';
import { runErasureJob } from '#shared/jobs/erasure.js';
import { objectStore } from '#shared/store/objects.js';
import { tombstoneUser } from '#shared/store/users.js';
import { newUserId } from '#test/helpers/users.js';

const BUCKET = 'lake';
let objects: string;
let alice: string;
let bob: string;

const event = (id: string, overrides: Partial<DomainEvent> = {}): DomainEvent => ({
  id,
  type: 'workout.created',
  userId: alice,
  timestamp: '2025-03-01T23:59:59.000Z',
  data: { id, calories: 420 },
  ...overrides,
});

const setEnv = (variables: Record<string, string | undefined>) => {
  for (const [key, value] of Object.entries(variables)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  resetEnvCache();
};

async function lakeKeys(prefix = 'events/'): Promise<string[]> {
  const keys: string[] = [];
  for await (const page of objectStore().list(BUCKET, prefix)) keys.push(...page);
  return keys;
}

async function linesOf(key: string): Promise<unknown[]> {
  const body = await objectStore().get(BUCKET, key);
  const text = gunzipSync(body!).toString('utf8');
  expect(text.endsWith('\n')).toBe(true);
  return text
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line));
}

beforeAll(async () => {
  alice = await newUserId();
  bob = await newUserId();
});

beforeEach(async () => {
  objects = await mkdtemp(join(tmpdir(), 'lake-'));
  setEnv({ OBJECTS_DIR: objects, LAKE_BUCKET: BUCKET });
});

afterEach(async () => {
  setEnv({ OBJECTS_DIR: undefined, LAKE_BUCKET: undefined });
  await rm(objects, { recursive: true, force: true });
});

describe('writeToLake', () => {
  it('writes gzipped JSON lines partitioned by user, event type and UTC day', async () => {
    const series = event('series.heart_rate.1', {
      type: 'heart_rate.created',
      timestamp: '2025-03-02T00:00:00.000Z',
      data: {
        samples: [
          { t: '2025-03-01T23:00:00Z', v: 61 },
          { t: '2025-03-01T23:01:00Z', v: 63 },
        ],
      },
    });
    await writeToLake([
      event('w.2'),
      event('w.1'),
      series,
      event('w.3', { userId: bob }),
      event('c.1', { type: 'connection.created', userId: null }),
    ]);
    const keys = await lakeKeys();
    const name = '[0-9a-f]{32}\\.jsonl\\.gz';
    expect(keys).toEqual(
      [
        `events/user_id=${alice}/type=heart_rate.created/date=2025-03-02/`,
        `events/user_id=${alice}/type=workout.created/date=2025-03-01/`,
        `events/user_id=${bob}/type=workout.created/date=2025-03-01/`,
        `events/user_id=${NO_USER}/type=connection.created/date=2025-03-01/`,
      ]
        .sort()
        .map((partition) => expect.stringMatching(new RegExp(`^${partition.replace(/\./g, '\\.')}${name}$`))),
    );
    const aliceWorkouts = keys.find((key) => key.includes(`${alice}/type=workout`))!;
    expect(await linesOf(aliceWorkouts)).toEqual(
      ['w.1', 'w.2'].map((id) => ({
        id,
        type: 'workout.created',
        user_id: alice,
        timestamp: '2025-03-01T23:59:59.000Z',
        data: { id, calories: 420 },
      })),
    );
    // A series event stays one line, its samples inside.
    const heartRate = keys.find((key) => key.includes('heart_rate'))!;
    expect(await linesOf(heartRate)).toEqual([
      {
        id: series.id,
        type: series.type,
        user_id: alice,
        timestamp: series.timestamp,
        data: series.data,
      },
    ]);
  });

  it('a redelivered batch overwrites its objects instead of adding copies', async () => {
    const batch = [event('w.1'), event('w.2'), event('w.3', { userId: bob })];
    await writeToLake(batch);
    const first = await lakeKeys();
    const bodies = await Promise.all(first.map((key) => objectStore().get(BUCKET, key)));
    await writeToLake([...batch].reverse());
    expect(await lakeKeys()).toEqual(first);
    expect(await Promise.all(first.map((key) => objectStore().get(BUCKET, key)))).toEqual(bodies);
  });

  it('writes nothing without LAKE_BUCKET', async () => {
    setEnv({ LAKE_BUCKET: undefined });
    await writeToLake([event('w.1')]);
    expect(await readdir(objects)).toEqual([]);
  });

  it("never writes a deleted user's events", async () => {
    const gone = await newUserId();
    await tombstoneUser(gone);
    await writeToLake([event('w.1', { userId: gone }), event('w.2')]);
    expect(await lakeKeys(`events/user_id=${gone}/`)).toEqual([]);
    expect(await lakeKeys()).toHaveLength(1);
  });
});

describe('lakeObjects (any batch)', () => {
  const arbitraryEvent = fc.record({
    id: fc.stringMatching(/^[A-Za-z0-9._-]{1,20}$/),
    type: fc.constantFrom('workout.created', 'sleep.created', 'heart_rate.created', 'sync.completed'),
    userId: fc.constantFrom<string | null>('u-1', 'u-2', null),
    timestamp: fc
      .date({
        min: new Date('2025-01-01T00:00:00Z'),
        max: new Date('2026-12-31T23:59:59Z'),
        noInvalidDate: true,
      })
      .map((date) => date.toISOString()),
    data: fc.dictionary(fc.string({ maxLength: 5 }), fc.integer()),
  });

  it('holds every event once (duplicates too), in its partition, the same bytes whatever the order', () => {
    const batch = fc
      .uniqueArray(arbitraryEvent, { selector: (e) => e.id, maxLength: 40 })
      .chain((events) => fc.tuple(fc.constant(events), fc.subarray(events)));
    fc.assert(
      fc.property(batch, ([events, duplicates]) => {
        const written = lakeObjects([...events, ...duplicates]);
        const lines = written.flatMap(({ key, body }) =>
          gunzipSync(body)
            .toString('utf8')
            .trimEnd()
            .split('\n')
            .filter(Boolean)
            .map((line) => ({ key, line: JSON.parse(line) })),
        );
        expect(lines.map(({ line }) => line.id).sort()).toEqual(events.map((e) => e.id).sort());
        for (const { key, line } of lines) {
          const source = events.find((e) => e.id === line.id)!;
          const partition = `events/user_id=${source.userId ?? NO_USER}/type=${source.type}/date=${source.timestamp.slice(0, 10)}/`;
          expect(key.startsWith(partition)).toBe(true);
        }
        const reordered = lakeObjects([...duplicates, ...events].reverse());
        const byKey = (list: typeof written) => [...list].sort((a, b) => a.key.localeCompare(b.key));
        expect(byKey(reordered)).toEqual(byKey(written));
      }),
    );
  });
});

describe('eraseUserLake', () => {
  it("deletes every object of the user (and its folders), nobody else's", async () => {
    await writeToLake([
      event('w.1'),
      event('w.2', { timestamp: '2025-04-01T00:00:00.000Z' }),
      event('s.1', { type: 'sleep.created' }),
      event('w.3', { userId: bob }),
    ]);
    expect(await lakeKeys(`events/user_id=${alice}/`)).toHaveLength(3);
    expect(await eraseUserLake(alice)).toBe('done');
    expect(await lakeKeys(`events/user_id=${alice}/`)).toEqual([]);
    expect(await readdir(join(objects, BUCKET, 'events'))).toEqual([`user_id=${bob}`]);
    expect(await lakeKeys()).toHaveLength(1);
  });

  it('stops once its deadline has passed (erasure continues later)', async () => {
    await writeToLake([event('w.1')]);
    expect(await eraseUserLake(alice, Date.now() - 1)).toBe('partial');
    expect(await lakeKeys()).toHaveLength(1);
  });

  it("is part of the erasure job: a deleted user's lake objects go with their table items", async () => {
    const carol = await newUserId();
    await writeToLake([event('w.1', { userId: carol }), event('w.2')]);
    await tombstoneUser(carol);
    expect(await runErasureJob({ user_id: carol, final: true }, Date.now() + 60_000)).toBe('done');
    expect(await lakeKeys(`events/user_id=${carol}/`)).toEqual([]);
    expect(await lakeKeys(`events/user_id=${alice}/`)).toHaveLength(1);
  });

  it('does nothing without LAKE_BUCKET', async () => {
    setEnv({ LAKE_BUCKET: undefined });
    expect(await eraseUserLake(alice)).toBe('done');
  });
});
