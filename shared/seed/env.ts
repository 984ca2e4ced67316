import * as z from 'zod';
import { sandboxObjectsEnvSchema } from '#shared/delivery/env.js';
import { queueProducerEnv } from '#shared/jobs/queue-env.js';

/**
 * What `POST /settings/seed` uses: the uploads bucket the sdk-upload worker reads (the mobile ingress's; unset, the
 * pushes are ingested in the request), and in the sandbox (`OBJECTS_DIR`) the worker's queue, which the seed
 * notifies itself as S3 does on AWS.
 */
export const seedEnvSchema = z.object({
  SDK_UPLOADS_BUCKET: z.string().min(1).optional(),
  ...queueProducerEnv.sdkUploads.partial().shape,
  ...sandboxObjectsEnvSchema.shape,
});
