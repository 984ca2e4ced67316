import * as z from 'zod';
import { objectCreatedNotification, s3Record, s3TestEvent } from '#shared/store/s3-notification.js';

/**
 * What reaches the `apple-imports` queue: S3's object-created notification of the imports bucket (keys
 * URL-encoded, spaces as `+`), the test event S3 sends when the notification is configured, or the worker's own
 * continuation of an import that did not fit one invocation (which may only resume that import, never start one).
 */
const record = s3Record({
  eTag: z.string().max(256).default(''),
  size: z.number().int().nonnegative().optional(),
});

const job = z.object({
  bucket: z.string().min(1).max(255),
  key: z.string().min(1).max(1024),
  etag: z.string().max(256),
  size: z.number().int().nonnegative().optional(),
});

export const importMessage = z.union([
  z.object({ Records: z.array(record).max(100) }).transform(({ Records }) =>
    Records.filter((r) => r.eventName.startsWith('ObjectCreated:')).map((r) => ({
      bucket: r.s3.bucket.name,
      key: r.s3.object.key,
      etag: r.s3.object.eTag.replace(/"/g, ''),
      size: r.s3.object.size,
      continuation: false,
    })),
  ),
  s3TestEvent.transform(() => []),
  z.object({ continue: job }).transform(({ continue: next }) => [{ ...next, continuation: true }]),
]);

/** The notification S3 sends for an object created in `bucket` (the sandbox sends the same). */
export const objectCreated = (bucket: string, key: string, etag: string, size: number) =>
  objectCreatedNotification(bucket, key, 'ObjectCreated:Post', { eTag: etag, size });
