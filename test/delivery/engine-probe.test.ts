import { describe, expect, it } from 'vitest';
import { PROBE_WAIT_SECONDS } from '#shared/delivery/deliver.js';
import type { DeliveryJob } from '#shared/delivery/types.js';
import { listAttempts } from '#shared/store/webhook-attempts.js';
import { acquireProbe, getEndpoint, type WebhookEndpoint } from '#shared/store/webhook-endpoints.js';
import { deliveryState } from '#shared/store/webhook-messages.js';
import {
  runDeliveries,
  runFanout,
  type SentDelivery,
  useDeliveryQueue,
  useUserEndpoints,
} from './engine-helpers.js';

/**
 * Per-endpoint isolation under load: while an endpoint is failing, one attempt at a time (the probe lease); the
 * other jobs for it come back PROBE_WAIT_SECONDS later without counting as attempts. Healthy endpoints are never
 * leased. Time is the fake `Date`; the receiver holds requests until the test answers them.
 */
const queue = useDeliveryQueue();
const T0 = Date.parse('2031-04-01T08:00:00.000Z');
const SECOND = 1000;
/** Long enough that a held request is answered by the test, never cut by the timeout. */
const TIMEOUT_SECONDS = 20;
const WAIT_MS = 15_000;
const { receiver, at, event, endpointAt } = useUserEndpoints({ t0: T0, timeoutSeconds: TIMEOUT_SECONDS });

/** The first delivery jobs of `count` new events to the endpoint. */
async function jobsFor(endpoint: WebhookEndpoint, count: number): Promise<DeliveryJob[]> {
  await runFanout(Array.from({ length: count }, () => event()));
  const jobs = queue.take().filter(({ job }) => job.endpoint_id === endpoint.id);
  expect(jobs).toHaveLength(count);
  return jobs.map(({ job }) => job);
}

/** Makes the endpoint fail once (a 500), so that it is failing; forgets the retry that queued. */
async function failOnce(endpoint: WebhookEndpoint, path: string): Promise<void> {
  receiver.script(path, { status: 500 });
  await runDeliveries(await jobsFor(endpoint, 1));
  queue.take();
  expect((await getEndpoint(endpoint.id))?.failing_since).toBeDefined();
}

const requestsAt = (path: string) => receiver.requests.filter((r) => r.path === path).length;
const attemptsOf = async (endpoint: WebhookEndpoint) => (await listAttempts(endpoint.id, { limit: 50 })).data;

/** Waits (bounded) until `ready` holds, polling; the condition is what the test asserts on next. */
async function until(ready: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = performance.now() + WAIT_MS;
  while (!(await ready())) {
    if (performance.now() > deadline) throw new Error('condition not reached');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('a failing endpoint', () => {
  it('with 10 jobs due makes one attempt; the other 9 come back 30 s later, not counted as attempts', async () => {
    const endpoint = await endpointAt('/failing');
    await failOnce(endpoint, '/failing');
    const jobs = await jobsFor(endpoint, 10);
    const before = requestsAt('/failing');
    const attemptsBefore = (await attemptsOf(endpoint)).length;

    receiver.script('/failing', 'hang');
    const sent: SentDelivery[] = [];
    const batch = runDeliveries(jobs);
    await receiver.next('/failing', receiver.requests.length);
    // The nine others find the lease taken while the one attempt is still open.
    await until(() => {
      sent.push(...queue.take());
      return sent.length >= 9;
    });
    expect(requestsAt('/failing')).toBe(before + 1);
    expect(await attemptsOf(endpoint)).toHaveLength(attemptsBefore);
    expect(receiver.answer('/failing', 500, 'still down')).toBe(1);
    await batch;
    sent.push(...queue.take());

    const attempted = receiver.requests.filter((r) => r.path === '/failing').at(-1)!;
    const attemptedId = attempted.headers['webhook-id'];
    const retried = sent.filter(({ job }) => job.message_id === attemptedId);
    expect(retried.map(({ job }) => job.attempt)).toEqual([2]);
    const waiting = sent.filter(({ job }) => job.message_id !== attemptedId);
    const expected = jobs
      .filter((job) => job.message_id !== attemptedId)
      .map((job) => ({ job: { ...job, due_at: T0 + PROBE_WAIT_SECONDS * SECOND }, delaySeconds: 30 }));
    const byMessage = (a: SentDelivery, b: SentDelivery) => a.job.message_id.localeCompare(b.job.message_id);
    expect(waiting.sort(byMessage)).toEqual(expected.sort(byMessage));
    for (const { job } of waiting) expect(await deliveryState(endpoint.id, job.message_id)).toBeUndefined();
    expect(await attemptsOf(endpoint)).toHaveLength(attemptsBefore + 1);
    expect(requestsAt('/failing')).toBe(before + 1);
    // The attempt ended: its lease is given back.
    expect((await getEndpoint(endpoint.id))?.probe_until).toBeUndefined();
  });

  it('a lease left by a crashed attempt is taken over once it lapses', async () => {
    const endpoint = await endpointAt('/crashed');
    await failOnce(endpoint, '/crashed');
    const [job] = await jobsFor(endpoint, 1);
    const holdMs = 10 * SECOND;
    expect(await acquireProbe(endpoint.id, T0, holdMs)).toBe(true);

    receiver.script('/crashed', { status: 200, body: 'back' });
    const before = requestsAt('/crashed');
    at(T0 + holdMs - SECOND);
    await runDeliveries([job!]);
    expect(requestsAt('/crashed')).toBe(before);
    const [later] = queue.take();
    expect(later).toEqual({
      job: { ...job, due_at: T0 + holdMs - SECOND + PROBE_WAIT_SECONDS * SECOND },
      delaySeconds: PROBE_WAIT_SECONDS,
    });

    at(later!.job.due_at);
    await runDeliveries([later!.job]);
    expect(requestsAt('/crashed')).toBe(before + 1);
    expect(queue.take()).toEqual([]);
    expect(await deliveryState(endpoint.id, job!.message_id)).toMatchObject({
      status: 'success',
      attempts: 1,
    });
    const recovered = await getEndpoint(endpoint.id);
    expect(recovered?.failing_since).toBeUndefined();
    expect(recovered?.probe_until).toBeUndefined();
  });
});

describe('a healthy endpoint', () => {
  it('is never leased: its jobs are attempted side by side', async () => {
    const endpoint = await endpointAt('/healthy');
    const jobs = await jobsFor(endpoint, 10);
    receiver.script('/healthy', 'hang');
    const before = requestsAt('/healthy');
    const batch = runDeliveries(jobs);
    await until(() => requestsAt('/healthy') === before + 10);
    // All ten are open at once, and none holds a lease.
    expect((await getEndpoint(endpoint.id))?.probe_until).toBeUndefined();
    expect(receiver.answer('/healthy', 200)).toBe(10);
    await batch;
    expect(queue.take()).toEqual([]);
    const attempts = await attemptsOf(endpoint);
    expect(attempts.map((a) => a.status)).toEqual(Array(10).fill('success'));
  });
});
