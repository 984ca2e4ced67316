import { describe, expect, it } from 'vitest';
import { type DeliveryJob, RETRY_DELAYS_SECONDS } from '#shared/delivery/types.js';
import { listAttempts } from '#shared/store/webhook-attempts.js';
import { updateEndpoint } from '#shared/store/webhook-endpoint-management.js';
import { getEndpoint, listActiveEndpoints, type WebhookEndpoint } from '#shared/store/webhook-endpoints.js';
import { deliveryState } from '#shared/store/webhook-messages.js';
import { runDeliveries, runFanout, useDeliveryQueue, useUserEndpoints } from './engine-helpers.js';

const queue = useDeliveryQueue();
const T0 = Date.parse('2031-03-01T08:00:00.000Z');
const SECOND = 1000;
const DAY = 86_400_000;
const { owner, receiver, at, event, endpointAt } = useUserEndpoints({ t0: T0, timeoutSeconds: 2 });

/** Fans one event out to the endpoint only; resolves to its first delivery job. */
async function firstJob(endpoint: WebhookEndpoint, e = event()): Promise<DeliveryJob> {
  await runFanout([e]);
  const jobs = queue.take().filter(({ job }) => job.endpoint_id === endpoint.id);
  expect(jobs).toHaveLength(1);
  return jobs[0]!.job;
}

/** The one job the last run queued. */
function queued(): { job: DeliveryJob; delaySeconds: number } {
  const sent = queue.take();
  expect(sent).toHaveLength(1);
  return sent[0]!;
}

const attemptsOf = async (endpoint: WebhookEndpoint) =>
  (await listAttempts(endpoint.id, { limit: 50 })).data.sort((a, b) =>
    a.timestamp.localeCompare(b.timestamp),
  );

describe('retry schedule', () => {
  it('attempts at 0, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h after each failure, then gives up', async () => {
    const endpoint = await endpointAt('/always-500');
    receiver.script('/always-500', { status: 500, body: 'down' });
    let job = await firstJob(endpoint);
    expect(job).toMatchObject({ attempt: 1, due_at: T0 });

    let now = T0;
    for (const [index, delay] of RETRY_DELAYS_SECONDS.entries()) {
      const before = receiver.requests.length;
      await runDeliveries([job]);
      expect(receiver.requests.length).toBe(before + 1);
      const next = queued();
      expect(next.job).toEqual({ ...job, attempt: index + 2, due_at: now + delay * SECOND });
      expect(next.delaySeconds).toBe(Math.min(900, delay));
      expect(await deliveryState(endpoint.id, job.message_id)).toEqual({
        status: 'pending',
        attempts: index + 1,
        next_at: now + delay * SECOND,
      });
      if (delay > 900) {
        // SQS hands it over after 15 minutes: too early, it goes back with what remains (at most 15 minutes).
        at(now + 900 * SECOND);
        await runDeliveries([next.job]);
        expect(receiver.requests.length).toBe(before + 1);
        expect(queued()).toEqual({ job: next.job, delaySeconds: Math.min(900, delay - 900) });
      }
      now += delay * SECOND;
      at(now);
      job = next.job;
    }
    await runDeliveries([job]);
    expect(queue.take()).toEqual([]);
    expect(await deliveryState(endpoint.id, job.message_id)).toEqual({
      status: 'failed',
      attempts: 8,
      next_at: null,
    });

    const attempts = await attemptsOf(endpoint);
    expect(attempts.map((a) => [a.status, a.response_status_code, a.trigger, a.response])).toEqual(
      Array(8).fill(['failed', 500, 'scheduled', 'down']),
    );
    expect(attempts.map((a) => (a as unknown as { attempt: number }).attempt)).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8,
    ]);
    let expected = T0;
    const times = [T0, ...RETRY_DELAYS_SECONDS.map((delay) => (expected += delay * SECOND))];
    expect(attempts.map((a) => Date.parse(a.timestamp))).toEqual(times);
    // About 27.6 hours of failures: far from the 5 days that disable an endpoint.
    expect((await getEndpoint(endpoint.id))?.disabled).toBe(false);
  });

  it('a receiver answering 500, then 200: two attempts, delivered, and a redelivered job sends nothing more', async () => {
    const endpoint = await endpointAt('/flaky');
    receiver.script('/flaky', { status: 500 }, { status: 200, body: 'thanks' });
    const job = await firstJob(endpoint);
    await runDeliveries([job]);
    expect((await getEndpoint(endpoint.id))?.failing_since).toBe(new Date(T0).toISOString());
    const retry = queued().job;
    at(retry.due_at);
    await runDeliveries([retry]);
    expect(queue.take()).toEqual([]);
    expect(await deliveryState(endpoint.id, job.message_id)).toEqual({
      status: 'success',
      attempts: 2,
      next_at: null,
    });
    const attempts = await attemptsOf(endpoint);
    expect(attempts.map((a) => [a.status, a.response_status_code, a.response])).toEqual([
      ['failed', 500, 'ok'],
      ['success', 200, 'thanks'],
    ]);
    // The success ends the failure streak.
    expect((await getEndpoint(endpoint.id))?.failing_since).toBeUndefined();

    const before = receiver.requests.filter((r) => r.path === '/flaky').length;
    await runDeliveries([retry, job]);
    expect(receiver.requests.filter((r) => r.path === '/flaky')).toHaveLength(before);
  });
});

describe('disabling', () => {
  it('an endpoint failing for 5 days is disabled with a reason; its pending retry then gives up', async () => {
    const endpoint = await endpointAt('/dead');
    receiver.script('/dead', { status: 503 });
    await runDeliveries([await firstJob(endpoint)]);
    queue.take();

    at(T0 + 5 * DAY - SECOND);
    const late = await firstJob(endpoint);
    await runDeliveries([late]);
    expect((await getEndpoint(endpoint.id))?.disabled).toBe(false);
    const retry = queued().job;

    at(T0 + 5 * DAY + SECOND);
    await runDeliveries([await firstJob(endpoint)]);
    const disabled = await getEndpoint(endpoint.id);
    expect(disabled).toMatchObject({ disabled: true, failing_since: new Date(T0).toISOString() });
    expect(disabled?.disabled_reason).toMatch(/5 days/);
    expect((await listActiveEndpoints()).map((e) => e.id)).not.toContain(endpoint.id);
    queue.take();

    const before = receiver.requests.length;
    at(retry.due_at);
    await runDeliveries([retry]);
    expect(receiver.requests.length).toBe(before);
    expect(queue.take()).toEqual([]);
    expect(await deliveryState(endpoint.id, retry.message_id)).toMatchObject({
      status: 'failed',
      next_at: null,
    });
  });
});

describe('manual deliveries', () => {
  it('a test delivery is attempted once, never retried', async () => {
    const endpoint = await endpointAt('/manual');
    receiver.script('/manual', { status: 500 });
    const job = { ...(await firstJob(endpoint)), trigger: 'manual' as const };
    await runDeliveries([job]);
    expect(queue.take()).toEqual([]);
    expect(await deliveryState(endpoint.id, job.message_id)).toEqual({
      status: 'failed',
      attempts: 1,
      next_at: null,
    });
    expect((await attemptsOf(endpoint)).map((a) => a.trigger)).toEqual(['manual']);
  });

  it('a disabled endpoint still gets a test delivery (checking a fix before enabling it again)', async () => {
    const endpoint = await endpointAt('/fixed');
    const job = { ...(await firstJob(endpoint)), trigger: 'manual' as const };
    await updateEndpoint(owner, endpoint.id, { disabled: true });
    receiver.script('/fixed', { status: 200, body: 'fixed' });
    const before = receiver.requests.filter((r) => r.path === '/fixed').length;
    await runDeliveries([job]);
    expect(receiver.requests.filter((r) => r.path === '/fixed')).toHaveLength(before + 1);
    expect(queue.take()).toEqual([]);
    expect((await attemptsOf(endpoint)).map((a) => [a.trigger, a.status, a.response])).toEqual([
      ['manual', 'success', 'fixed'],
    ]);
    expect((await getEndpoint(endpoint.id))?.disabled).toBe(true);
  });
});
