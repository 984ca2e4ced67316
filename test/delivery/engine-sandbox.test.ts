import { describe, expect, it } from 'vitest';
import { parseEnv } from '#shared/config/env.js';
import { MAX_WEBHOOK_TIMEOUT_SECONDS, webhookDeliveryEnvSchema } from '#shared/delivery/env.js';
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
    expect(readSandboxConfig({ OW_DATA_LAKE: 'on' }).dataLake).toBe(true);
  });

  it('yes/no variables take the spellings every function takes, and refuse others', () => {
    expect(() => readSandboxConfig({ OW_DATA_LAKE: 'maybe' })).toThrow(/OW_DATA_LAKE/);
    expect(() => readSandboxConfig({ WEBHOOK_ALLOW_PRIVATE: 'nope' })).toThrow(/WEBHOOK_ALLOW_PRIVATE/);
    expect(readSandboxConfig({ OW_IN_MEMORY: '1' }).inMemory).toBe(true);
  });

  it('deliveries get several pollers, every other queue one', () => {
    const pollers = Object.entries(QUEUES).map(([name, spec]) => [
      name,
      (spec as QueueSpec).sandboxPollers ?? 1,
    ]);
    expect(pollers.filter(([, count]) => count !== 1)).toEqual([['webhookDeliveries', 4]]);
  });
});

describe('delivery settings', () => {
  const base = {
    TABLE_NAME: 't',
    TOKEN_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64'),
    WEBHOOK_DELIVERIES_QUEUE_URL: 'http://localhost:9324/000000000000/webhook-deliveries',
  };

  it('an attempt times out after at most 30 s, inside the worker timeout', () => {
    expect(MAX_WEBHOOK_TIMEOUT_SECONDS).toBe(30);
    expect(parseEnv(webhookDeliveryEnvSchema, base).WEBHOOK_TIMEOUT_SECONDS).toBe(15);
    expect(parseEnv(webhookDeliveryEnvSchema, { ...base, WEBHOOK_TIMEOUT_SECONDS: '30' })).toMatchObject({
      WEBHOOK_TIMEOUT_SECONDS: 30,
    });
    expect(() => parseEnv(webhookDeliveryEnvSchema, { ...base, WEBHOOK_TIMEOUT_SECONDS: '31' })).toThrow(
      /WEBHOOK_TIMEOUT_SECONDS/,
    );
  });
});
