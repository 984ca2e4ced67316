import * as z from 'zod/mini';
import { apiEnvSchema, baseEnvSchema } from '#shared/config/env.js';
import { queueProducerEnv } from '#shared/jobs/queue-env.js';

/**
 * The sdk area also serves the Apple Health export routes (shared/api/imports.ts). Without a bucket they answer
 * the reference's 503 "S3 client not configured", so the area runs without one too.
 */
export const sdkAreaEnvSchema = z.extend(apiEnvSchema, {
  IMPORTS_BUCKET: z.optional(z.string().check(z.minLength(1))),
  /** The sandbox's local upload endpoint, which presigned URLs point at instead of S3. */
  IMPORTS_UPLOAD_ENDPOINT: z.optional(z.url()),
});

/** Re-queues its own continuations. */
export const appleImportWorkerEnvSchema = z.extend(baseEnvSchema, queueProducerEnv.appleImports.shape);
