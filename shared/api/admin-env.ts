import * as z from 'zod/mini';
import { apiEnvSchema } from '#shared/config/env.js';
import { endpointSettingsEnvSchema } from '#shared/delivery/env.js';
import { queueProducerEnv } from '#shared/jobs/queue-env.js';
import { seedEnvSchema } from '#shared/seed/env.js';

/** The admin area's environment: the API's, plus what its routes queue or read. */
export const adminAreaEnvSchema = z.extend(apiEnvSchema, {
  // POST /settings/archival/run queues a run.
  ...queueProducerEnv.archival.shape,
  // GET /config tells the dashboard whether the outgoing webhook routes answer.
  ...z.pick(endpointSettingsEnvSchema, { OUTGOING_WEBHOOKS_ENABLED: true }).shape,
  // POST /settings/seed stores SDK pushes in the uploads bucket for the sdk-upload worker (the sandbox notifies its
  // queue itself, as S3 does on AWS).
  ...seedEnvSchema.shape,
});
