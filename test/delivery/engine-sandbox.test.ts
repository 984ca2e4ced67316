import { describe, expect, it } from 'vitest';
import { QUEUES, type QueueSpec } from '#shared/jobs/queues.js';
import { readSandboxConfig } from '#shared/sandbox/config.js';

describe('sandbox settings of outgoing delivery', () => {
  it('integrator endpoints may be local unless WEBHOOK_ALLOW_PRIVATE says otherwise', () => {
    expect(readSandboxConfig({}).webhookAllowPrivate).toBe(true);
    expect(readSandboxConfig({ WEBHOOK_ALLOW_PRIVATE: '' }).webhookAllowPrivate).toBe(true);
    expect(readSandboxConfig({ WEBHOOK_ALLOW_PRIVATE: 'false' }).webhookAllowPrivate).toBe(false);
    expect(readSandboxConfig({ WEBHOOK_ALLOW_PRIVATE: '0' }).webhookAllowPrivate).toBe(false);
    expect(readSandboxConfig({ WEBHOOK_ALLOW_PRIVATE: 'true' }).webhookAllowPrivate).toBe(true);
  });

  it('the data lake only with OW_DATA_LAKE', () => {
    expect(readSandboxConfig({}).dataLake).toBe(false);
    expect(readSandboxConfig({ OW_DATA_LAKE: 'true' }).dataLake).toBe(true);
  });

  it('deliveries get several pollers, every other queue one', () => {
    const pollers = Object.entries(QUEUES).map(([name, spec]) => [
      name,
      (spec as QueueSpec).sandboxPollers ?? 1,
    ]);
    expect(pollers.filter(([, count]) => count !== 1)).toEqual([['webhookDeliveries', 4]]);
  });
});
