import * as z from 'zod';
import { apiEnvSchema, baseEnvSchema, envBoolean, positiveInt } from '#shared/config/env.js';
import { exactlyOneVaultKey, tokenVaultEnvShape, VAULT_KEY_MESSAGE } from '#shared/crypto/token-vault.js';
import { queueProducerEnv } from '#shared/jobs/queues.js';

/**
 * Settings of outgoing delivery (shared/delivery). The events queue URL is the switch: a function given
 * `EVENTS_QUEUE_URL` emits the events of what it writes; without it (`-c delivery=false`) nothing is emitted.
 */
export const emitEnvSchema = z.object({ EVENTS_QUEUE_URL: z.url().optional() });

/** What both the management API and the delivery worker apply to integrator endpoints. */
export const endpointSettingsEnvSchema = z.object({
  /** The reference's switch (default false there): off, every management route answers 503. On by default here. */
  OUTGOING_WEBHOOKS_ENABLED: envBoolean(true),
  /** Allow http:// and private, loopback and link-local targets (the sandbox and tests set it). */
  WEBHOOK_ALLOW_PRIVATE: envBoolean(false),
  /** Days messages and attempts are kept (table TTL). */
  WEBHOOK_RETENTION_DAYS: positiveInt(30),
});

/** The `outgoing` API area: endpoint management (routes 44-53), secrets sealed by the token vault. */
export const outgoingAreaEnvSchema = apiEnvSchema
  .extend(tokenVaultEnvShape.shape)
  .extend(endpointSettingsEnvSchema.shape)
  .extend(queueProducerEnv.webhookDeliveries.shape)
  .refine(exactlyOneVaultKey, { message: VAULT_KEY_MESSAGE });

/** The sandbox's object folder (shared/store/objects.ts): set, the bus is recorded there instead of put. */
export const sandboxObjectsEnvSchema = z.object({ OBJECTS_DIR: z.string().min(1).optional() });

/** The fan-out worker: endpoints to match, deliveries to queue, and the two AWS-native sinks when configured. */
export const eventFanoutEnvSchema = baseEnvSchema
  .extend(endpointSettingsEnvSchema.shape)
  .extend(queueProducerEnv.webhookDeliveries.shape)
  .extend({
    /** The EventBridge bus every event is put on; unset: none. */
    EVENT_BUS_NAME: z.string().min(1).optional(),
    /** The data-lake bucket (partitioned JSON Lines, gzip); unset: no export. */
    LAKE_BUCKET: z.string().min(1).optional(),
  });

export const MAX_WEBHOOK_TIMEOUT_SECONDS = 30;

/** The delivery worker: signs with the endpoint's sealed secret, re-queues retries, records attempts. */
export const webhookDeliveryEnvSchema = baseEnvSchema
  .extend(tokenVaultEnvShape.shape)
  .extend(endpointSettingsEnvSchema.shape)
  .extend(queueProducerEnv.webhookDeliveries.shape)
  .extend({
    /** How long one attempt may take before it counts as failed (well inside the worker's 60 s). */
    WEBHOOK_TIMEOUT_SECONDS: z.coerce.number().int().positive().max(MAX_WEBHOOK_TIMEOUT_SECONDS).default(15),
    /** An endpoint failing without a success for this many days is disabled. */
    WEBHOOK_DISABLE_AFTER_DAYS: positiveInt(5),
  })
  .refine(exactlyOneVaultKey, { message: VAULT_KEY_MESSAGE });
