import * as z from 'zod/mini';
import { baseEnvSchema, metaEnvSchema } from '#shared/config/env.js';
import { exactlyOneVaultKey, tokenVaultEnvShape, VAULT_KEY_MESSAGE } from '#shared/crypto/token-vault.js';
import { webhookQueuesEnv } from '#shared/jobs/queue-env.js';
import { providersEnvSchema } from '#shared/providers/registry.js';
import { webhookBodiesEnv } from '#shared/webhooks/message.js';

/**
 * The `webhooks` API area, internet-facing and unauthenticated by design: verification settings (client ids and
 * webhook secrets: env in the sandbox, the credentials secret on AWS, and the app secrets sealed in the table,
 * which it may read and open but nothing else of the table), the webhook queues and the bucket for large bodies.
 * No JWT key and no user data: it never reads a user's items or calls a provider.
 */
export const webhooksAreaEnvSchema = z
  .extend(metaEnvSchema, {
    TABLE_NAME: z.string().check(z.minLength(1)),
    ...tokenVaultEnvShape.shape,
    ...providersEnvSchema.shape,
    ...webhookQueuesEnv.shape,
    ...webhookBodiesEnv.shape,
  })
  .check(z.refine(exactlyOneVaultKey, { message: VAULT_KEY_MESSAGE }));

/** The webhook worker: provider tokens (the vault key), credentials, its queues (re-queues) and the bucket. */
export const webhookWorkerEnvSchema = z
  .extend(baseEnvSchema, {
    ...tokenVaultEnvShape.shape,
    ...providersEnvSchema.shape,
    ...webhookQueuesEnv.shape,
    ...webhookBodiesEnv.shape,
  })
  .check(z.refine(exactlyOneVaultKey, { message: VAULT_KEY_MESSAGE }));
