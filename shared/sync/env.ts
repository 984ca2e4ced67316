import * as z from 'zod/mini';
import { apiEnvSchema, baseEnvSchema } from '#shared/config/env.js';
import { exactlyOneVaultKey, tokenVaultEnvShape, VAULT_KEY_MESSAGE } from '#shared/crypto/token-vault.js';
import { queueProducerEnv, syncQueuesEnv } from '#shared/jobs/queue-env.js';
import { providersEnvSchema } from '#shared/providers/registry.js';
import { watchdogEnvSchema } from '#shared/sync/watchdog.js';

/**
 * The sync worker: reads and refreshes provider tokens (the token vault key), reads the provider app credentials
 * (one Secrets Manager JSON secret on AWS; `<P>_CLIENT_ID`... variables in the sandbox, read by
 * `providerConfig`), and re-queues continuations and deferred jobs on its provider's queue.
 */
export const syncWorkerEnvSchema = z
  .extend(baseEnvSchema, {
    ...tokenVaultEnvShape.shape,
    ...syncQueuesEnv.shape,
    PROVIDER_CREDENTIALS_SECRET_ARN: z.optional(z.string().check(z.minLength(1))),
  })
  .check(z.refine(exactlyOneVaultKey, { message: VAULT_KEY_MESSAGE }));

/**
 * The dispatcher reads the active-connection index and sends live jobs (or the watchdog's catch-ups); it continues
 * through its own queue. Its renewal schedules (Oura's subscriptions) use the provider app credentials.
 */
export const syncDispatcherEnvSchema = z.extend(baseEnvSchema, {
  ...providersEnvSchema.shape,
  ...syncQueuesEnv.shape,
  ...queueProducerEnv.syncDispatch.shape,
  ...watchdogEnvSchema.shape,
});

/**
 * The `sync` API area queues manual and historical syncs, and calls the providers as a user (an inline sync, the
 * vendor workouts passthrough): the token vault key (refreshing tokens), the provider credentials and URLs.
 */
export const syncAreaEnvSchema = z
  .extend(apiEnvSchema, {
    ...syncQueuesEnv.shape,
    ...tokenVaultEnvShape.shape,
    ...providersEnvSchema.shape,
  })
  .check(z.refine(exactlyOneVaultKey, { message: VAULT_KEY_MESSAGE }));
