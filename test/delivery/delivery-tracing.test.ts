import { describe, expect, it, vi } from 'vitest';
import type * as untraced from '#shared/tracing/off.js';
import { runDeliveries, runFanout, useDeliveryQueue, useUserEndpoints } from './engine-helpers.js';

/**
 * What a traced function (`-c tracing=true`) hands the tracer for a webhook delivery (shared/delivery/deliver.ts):
 * `#tracer` replaced by a recorder of `traceRequest`'s arguments. What the tracer makes of them:
 * test/infra/tracing.test.ts.
 */
const traced = vi.hoisted(() => [] as { method: string; url: string; status: number | null }[]);
vi.mock('#tracer', async (original) => ({
  ...(await original<typeof untraced>()),
  traceRequest: (async (method, url, send, statusOf) => {
    const answer = await send();
    traced.push({ method, url, status: statusOf(answer) });
    return answer;
  }) satisfies typeof untraced.traceRequest,
}));

const queue = useDeliveryQueue();
const { receiver, event, endpointAt } = useUserEndpoints({ t0: Date.now(), timeoutSeconds: 2 });

describe('a traced webhook delivery', () => {
  it('names only its receiver’s origin: the path of a receiver’s URL can be its secret', async () => {
    const endpoint = await endpointAt('/hooks/T0001/B0002/secret-token');
    receiver.script('/hooks/T0001/B0002/secret-token', { status: 202 });
    await runFanout([event()]);
    await runDeliveries(queue.take().map(({ job }) => job));

    expect(receiver.requests.map(({ path }) => path)).toContain('/hooks/T0001/B0002/secret-token');
    expect(traced).toEqual([{ method: 'POST', url: new URL(endpoint.url).origin, status: 202 }]);
  });
});
