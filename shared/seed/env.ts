import * as z from 'zod/mini';
import { sandboxObjectsEnvSchema } from '#shared/delivery/env.js';
import { queueProducerEnv } from '#shared/jobs/queue-env.js';

/**
 * What `POST /settings/seed` uses: the uploads bucket the sdk-upload worker reads (the mobile ingress's; unset, the
 * pushes are ingested in the request), and in the sandbox (`OBJECTS_DIR`) the worker's queue, which the seed
 * notifies itself as S3 does on AWS.
 */
export const seedEnvSchema = z.object({
  SDK_UPLOADS_BUCKET: z.optional(z.string().check(z.minLength(1))),
  ...z.partial(queueProducerEnv.sdkUploads).shape,
  ...sandboxObjectsEnvSchema.shape,
});
