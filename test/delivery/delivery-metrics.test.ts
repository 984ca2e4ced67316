import { describe, expect, it } from 'vitest';
import { BUSINESS_METRICS } from '#shared/observability.js';
import { captureMetricLines } from '#test/helpers/metric-lines.js';
import { runDeliveries, runFanout, useDeliveryQueue, useUserEndpoints } from './engine-helpers.js';

/**
 * The outgoing delivery's business metric (shared/observability.ts): each attempt counted by outcome, as the EMF
 * line CloudWatch reads from the function's log; the dashboard graphs it.
 */
const queue = useDeliveryQueue();
const { receiver, event, endpointAt } = useUserEndpoints({
  t0: Date.parse('2031-05-01T08:00:00.000Z'),
  timeoutSeconds: 5,
});

const lines = captureMetricLines();
const NAME = BUSINESS_METRICS.webhookDeliveries;
const outcomes = () =>
  lines.filter((line) => NAME in line).map((line) => ({ outcome: line.outcome, count: line[NAME] }));

describe('WebhookDeliveries', () => {
  it('counts a delivered attempt as success, a failed one with retries left as retrying', async () => {
    const ok = await endpointAt('/metrics-ok');
    const down = await endpointAt('/metrics-down');
    receiver.script('/metrics-down', { status: 500 });
    await runFanout([event()]);
    const jobs = queue.take().map(({ job }) => job);
    expect(jobs.map((job) => job.endpoint_id).sort()).toEqual([ok.id, down.id].sort());
    await runDeliveries(jobs);
    expect(outcomes().sort((a, b) => String(a.outcome).localeCompare(String(b.outcome)))).toEqual([
      { outcome: 'retrying', count: 1 },
      { outcome: 'success', count: 1 },
    ]);
  });
});
