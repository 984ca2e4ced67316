import { describe, expect, it, vi } from 'vitest';
import { traced } from '#test/helpers/trace-recorder.js';
import { runDeliveries, runFanout, useDeliveryQueue, useUserEndpoints } from './engine-helpers.js';

/**
 * What a traced function (`-c tracing=true`) hands the tracer for a webhook delivery (shared/delivery/deliver.ts):
 * `#tracer` replaced by a recorder (test/helpers/trace-recorder.ts).
 */
vi.mock('#tracer', async (original) =>
  (await import('#test/helpers/trace-recorder.js')).recordingTracer(await original()),
);

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
