import * as z from 'zod/mini';
import { objectCreatedNotification, s3Record, s3TestEvent } from '#shared/store/s3-notification.js';

/**
 * What reaches the `apple-imports` queue: S3's object-created notification of the imports bucket (keys
 * URL-encoded, spaces as `+`), the test event S3 sends when the notification is configured, or the worker's own
 * continuation of an import that did not fit one invocation (which may only resume that import, never start one).
 */
const record = s3Record({
  eTag: z._default(z.string().check(z.maxLength(256)), ''),
  size: z.optional(z.number().check(z.int(), z.nonnegative())),
});

const job = z.object({
  bucket: z.string().check(z.minLength(1), z.maxLength(255)),
  key: z.string().check(z.minLength(1), z.maxLength(1024)),
  etag: z.string().check(z.maxLength(256)),
  size: z.optional(z.number().check(z.int(), z.nonnegative())),
});

export const importMessage = z.union([
  z.pipe(
    z.object({ Records: z.array(record).check(z.maxLength(100)) }),
    z.transform(({ Records }) =>
      Records.filter((r) => r.eventName.startsWith('ObjectCreated:')).map((r) => ({
        bucket: r.s3.bucket.name,
        key: r.s3.object.key,
        etag: r.s3.object.eTag.replace(/"/g, ''),
        size: r.s3.object.size,
        continuation: false,
      })),
    ),
  ),
  z.pipe(
    s3TestEvent,
    z.transform(() => []),
  ),
  z.pipe(
    z.object({ continue: job }),
    z.transform(({ continue: next }) => [{ ...next, continuation: true }]),
  ),
]);

/** The notification S3 sends for an object created in `bucket` (the sandbox sends the same). */
export const objectCreated = (bucket: string, key: string, etag: string, size: number) =>
  objectCreatedNotification(bucket, key, 'ObjectCreated:Post', { eTag: etag, size });
