import * as z from 'zod/mini';
import { apiEnvSchema, baseEnvSchema, envBoolean, positiveInt } from '#shared/config/env.js';
import { setting } from '#shared/config/settings.js';
import { exactlyOneVaultKey, tokenVaultEnvShape, VAULT_KEY_MESSAGE } from '#shared/crypto/token-vault.js';
import { queueProducerEnv } from '#shared/jobs/queue-env.js';

/**
 * Settings of outgoing delivery (shared/delivery). The events queue URL is the switch: a function given
 * `EVENTS_QUEUE_URL` emits the events of what it writes; without it (`-c delivery=false`) nothing is emitted.
 */
export const emitEnvSchema = z.object({ EVENTS_QUEUE_URL: z.optional(z.url()) });

/** What both the management API and the delivery worker apply to integrator endpoints. */
export const endpointSettingsEnvSchema = z.object({
  // The reference's switch, default false there.
  OUTGOING_WEBHOOKS_ENABLED: setting(
    envBoolean(true),
    '`false`: the webhook management routes answer 503 and no new deliveries are queued',
  ),
  // `http://` and private, loopback and link-local endpoints: the sandbox and tests only, never a deployable
  // setting (on Lambda, 127.0.0.1 and link-local addresses reach the Lambda Runtime API and instance metadata).
  WEBHOOK_ALLOW_PRIVATE: envBoolean(false),
  // The table TTL of messages and attempts.
  WEBHOOK_RETENTION_DAYS: setting(
    positiveInt(30, 365),
    'how long messages and attempts are kept (days, at most 365)',
  ),
});

/** The `outgoing` API area: endpoint management (routes 44-53), secrets sealed by the token vault. */
export const outgoingAreaEnvSchema = z
  .extend(apiEnvSchema, {
    ...tokenVaultEnvShape.shape,
    ...endpointSettingsEnvSchema.shape,
    ...queueProducerEnv.webhookDeliveries.shape,
  })
  .check(z.refine(exactlyOneVaultKey, { message: VAULT_KEY_MESSAGE }));

/** The data-lake bucket (partitioned JSON Lines, gzip): the fan-out writes it, erasure empties a user's part. */
export const lakeEnvSchema = z.object({ LAKE_BUCKET: z.optional(z.string().check(z.minLength(1))) });

/** The sandbox's object folder (shared/store/objects.ts): set, the bus is recorded there instead of put. */
export const sandboxObjectsEnvSchema = z.object({
  OBJECTS_DIR: z.optional(z.string().check(z.minLength(1))),
});

export const MAX_WEBHOOK_TIMEOUT_SECONDS = 30;

/** The delivery worker: signs with the endpoint's sealed secret, re-queues retries, records attempts. */
export const webhookDeliveryEnvSchema = z
  .extend(baseEnvSchema, {
    ...tokenVaultEnvShape.shape,
    ...endpointSettingsEnvSchema.shape,
    ...queueProducerEnv.webhookDeliveries.shape,
    // Well inside the worker's 60 s.
    WEBHOOK_TIMEOUT_SECONDS: setting(
      positiveInt(15, MAX_WEBHOOK_TIMEOUT_SECONDS),
      'how long one delivery attempt may wait for the answer (seconds, at most 30)',
    ),
    WEBHOOK_DISABLE_AFTER_DAYS: setting(
      positiveInt(5, 90),
      'an endpoint failing this many days without a success is disabled (at most 90)',
    ),
  })
  .check(z.refine(exactlyOneVaultKey, { message: VAULT_KEY_MESSAGE }));
