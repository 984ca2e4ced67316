import { DeleteCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { resetEnvCache } from '#shared/config/env.js';
import { readAppSecret, storeAppSecret } from '#shared/store/app-secrets.js';
import { db } from '#shared/store/client.js';
import { runAsFunction } from '#shared/store/write-scopes.js';
import { forgetStoredSecrets, storeWebhookSecret, webhookSettings } from '#shared/webhooks/settings.js';

/** A secret a provider returns once (Polar's webhook key): sealed in the table, found by that provider's verifier. */

afterEach(() => {
  delete process.env.POLAR_WEBHOOK_SECRET;
  resetEnvCache();
  forgetStoredSecrets();
});

describe('app secrets', () => {
  it('are sealed at rest: the item holds no trace of the value, which reads back intact', async () => {
    await storeAppSecret('POLAR_WEBHOOK_SECRET', 'polar-signing-key-0123456789');
    const { doc, table } = db();
    const { Item } = await doc.send(
      new GetCommand({ TableName: table, Key: { PK: 'APPSECRET#POLAR_WEBHOOK_SECRET', SK: 'SECRET' } }),
    );
    expect(JSON.stringify(Item)).not.toContain('polar-signing-key');
    expect(await readAppSecret('POLAR_WEBHOOK_SECRET')).toBe('polar-signing-key-0123456789');
    expect(await readAppSecret('NEVER_STORED')).toBeUndefined();
  });

  it('are what the verifier reads unless the variable is configured, and only for their own provider', async () => {
    await runAsFunction('oauth', () => storeWebhookSecret('POLAR_WEBHOOK_SECRET', 'from-creation'));
    expect((await webhookSettings('polar'))('POLAR_WEBHOOK_SECRET')).toBe('from-creation');
    expect((await webhookSettings('strava'))('POLAR_WEBHOOK_SECRET')).toBeUndefined();
    process.env.POLAR_WEBHOOK_SECRET = 'configured';
    resetEnvCache();
    expect((await webhookSettings('polar'))('POLAR_WEBHOOK_SECRET')).toBe('configured');
  });

  it('a new secret replaces the old one at once for this process', async () => {
    await storeWebhookSecret('POLAR_WEBHOOK_SECRET', 'first');
    expect((await webhookSettings('polar'))('POLAR_WEBHOOK_SECRET')).toBe('first');
    await storeWebhookSecret('POLAR_WEBHOOK_SECRET', 'second');
    expect((await webhookSettings('polar'))('POLAR_WEBHOOK_SECRET')).toBe('second');
  });

  it('a secret stored by another function after a miss is found at once (the miss is not cached)', async () => {
    const { doc, table } = db();
    await doc.send(
      new DeleteCommand({ TableName: table, Key: { PK: 'APPSECRET#POLAR_WEBHOOK_SECRET', SK: 'SECRET' } }),
    );
    expect((await webhookSettings('polar'))('POLAR_WEBHOOK_SECRET')).toBeUndefined();
    // The oauth function stores it (a different process on AWS: nothing tells the ingress's cache).
    await storeAppSecret('POLAR_WEBHOOK_SECRET', 'created-after-the-ping');
    expect((await webhookSettings('polar'))('POLAR_WEBHOOK_SECRET')).toBe('created-after-the-ping');
  });

  it('only the oauth function (subscription management) may write them', async () => {
    await expect(
      runAsFunction('webhooks', () => storeAppSecret('POLAR_WEBHOOK_SECRET', 'x')),
    ).rejects.toThrow();
    await expect(
      runAsFunction('sync-worker', () => storeAppSecret('POLAR_WEBHOOK_SECRET', 'x')),
    ).rejects.toThrow();
  });
});
