import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { newId } from '#shared/delivery/ids.js';
import {
  type Attempt,
  type AttemptFilter,
  listAttempts,
  recordAttempt,
} from '#shared/store/webhook-attempts.js';
import { messageOf, putMessage } from '#shared/store/webhook-messages.js';
import type { SvixQuery } from '#shared/store/webhook-paging.js';
import { call, newDeveloper } from './api-client.js';

const BASE_MS = Date.UTC(2026, 0, 1);

async function seedAttempts(
  offsetsSeconds: number[],
  failed: boolean[] = [],
): Promise<{ endpointId: string; attempts: Attempt[] }> {
  const endpointId = newId('ep');
  const attempts: Attempt[] = [];
  for (const [i, offset] of offsetsSeconds.entries()) {
    attempts.push(
      await recordAttempt(
        {
          endpoint_id: endpointId,
          message_id: 'msg_none',
          user_id: null,
          event_type: 'workout.created',
          url: 'https://hooks.example.com/',
          response_status_code: 200,
          response: '',
          response_duration_ms: 1,
          status: failed[i] ? 'failed' : 'success',
          trigger: 'scheduled',
          attempt: 1,
          timestamp: new Date(BASE_MS + offset * 1000).toISOString(),
        },
        30,
      ),
    );
  }
  return { endpointId, attempts };
}

/** Newest first, ties by id descending: the order of the sort keys. */
const newestFirst = (attempts: Attempt[]) =>
  [...attempts]
    .sort((a, b) => (`${a.timestamp}#${a.id}` < `${b.timestamp}#${b.id}` ? 1 : -1))
    .map((attempt) => attempt.id);

const ids = async (endpointId: string, query: SvixQuery, filter?: AttemptFilter) => {
  const page = await listAttempts(endpointId, query, filter);
  return { ...page, ids: page.data.map((attempt) => attempt.id) };
};

describe('Svix iterator paging (attempts store)', () => {
  it('walks every item exactly once, newest first, whatever the page size and filter; prevIterator walks back', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat(20), fc.boolean()), { maxLength: 14 }),
        fc.integer({ min: 1, max: 5 }),
        fc.constantFrom<AttemptFilter | undefined>(undefined, { status: 'failed' }),
        async (seeds, limit, filter) => {
          const { endpointId, attempts } = await seedAttempts(
            seeds.map(([offset]) => offset),
            seeds.map(([, failed]) => failed),
          );
          const expected = newestFirst(attempts.filter((a) => !filter?.status || a.status === filter.status));
          const pages: Array<{ ids: string[]; iterator: string | null; prevIterator: string | null }> = [];
          let iterator: string | undefined;
          for (;;) {
            const page = await ids(endpointId, { limit, iterator }, filter);
            expect(page.ids.length).toBeLessThanOrEqual(limit);
            if (page.ids.length > 0) pages.push(page);
            if (page.done) break;
            iterator = page.iterator!;
          }
          expect(pages.flatMap((page) => page.ids)).toEqual(expected);
          // From each page, the previous iterator gives back the page before it.
          for (let i = 1; i < pages.length; i++) {
            const back = await ids(endpointId, { limit, iterator: pages[i]!.prevIterator! }, filter);
            expect(back.ids).toEqual(pages[i - 1]!.ids);
            expect(back.done).toBe(i === 1);
          }
        },
      ),
      { numRuns: 30 },
    );
  });

  it('bounds by before (exclusive) and after (inclusive)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.nat(20), { maxLength: 10 }),
        fc.nat(21),
        fc.nat(21),
        async (offsets, afterOffset, beforeOffset) => {
          const { endpointId, attempts } = await seedAttempts(offsets);
          const after = BASE_MS + afterOffset * 1000;
          const before = BASE_MS + beforeOffset * 1000;
          const inside = attempts.filter(
            (a) => Date.parse(a.timestamp) >= after && Date.parse(a.timestamp) < before,
          );
          const page = await ids(endpointId, { limit: 250, after, before });
          expect(page.ids).toEqual(newestFirst(inside));
          expect(page.done).toBe(true);
        },
      ),
      { numRuns: 15 },
    );
  });

  it('keeps its place when there is nothing newer yet (polling with prevIterator)', async () => {
    const { endpointId } = await seedAttempts([1, 2]);
    const first = await ids(endpointId, { limit: 10 });
    const newer = await ids(endpointId, { limit: 10, iterator: first.prevIterator! });
    expect(newer).toMatchObject({ ids: [], done: true, prevIterator: first.prevIterator });
  });
});

describe('GET /webhooks/messages', () => {
  let token: string;
  const sent: string[] = [];
  beforeAll(async () => {
    token = (await newDeveloper()).token;
    for (let i = 0; i < 5; i++) {
      const timestamp = new Date(BASE_MS + i * 60_000).toISOString();
      const message = messageOf({
        id: `sync.completed.run${i}`,
        type: 'sync.completed',
        userId: null,
        timestamp,
        data: {},
      });
      await putMessage(message, 30);
      sent.unshift(message.id);
    }
  });

  const list = async (query: Record<string, string>) =>
    (await call('GET', '/api/v1/webhooks/messages', { token, query })).body;

  it('pages newest first with iterator and prevIterator, in Svix camelCase without payloads', async () => {
    const first = await list({ limit: '2' });
    expect(first).toMatchObject({
      done: false,
      iterator: expect.any(String),
      prevIterator: expect.any(String),
    });
    expect(first.data[0]).toEqual({
      id: sent[0],
      eventType: 'sync.completed',
      eventId: 'sync.completed.run4',
      timestamp: '2026-01-01T00:04:00Z',
      channels: [],
      tags: null,
      payload: null,
    });
    const second = await list({ limit: '2', iterator: first.iterator });
    const third = await list({ limit: '2', iterator: second.iterator });
    expect([...first.data, ...second.data, ...third.data].map((m: { id: string }) => m.id)).toEqual(sent);
    expect(third.done).toBe(true);
    expect((await list({ limit: '2', iterator: second.prevIterator })).data).toEqual(first.data);
  });

  it('filters by before and after (ISO or Unix seconds) and defaults to 50', async () => {
    const window = await list({ after: '2026-01-01T00:01:00Z', before: String(BASE_MS / 1000 + 180) });
    expect(window.data.map((m: { id: string }) => m.id)).toEqual(sent.slice(2, 4));
    expect((await list({})).data).toHaveLength(5);
  });
});
