import * as z from 'zod/mini';

/**
 * S3's object-created notification, as the SDK-upload and Apple-import queues receive it (keys URL-encoded, spaces
 * as `+`), and as the ingress, the seeder and the sandbox send it.
 */

/** One record of the notification, its object carrying `object`'s fields besides the key. */
export const s3Record = <T extends z.core.$ZodShape>(object: T) =>
  z.object({
    eventName: z.string().check(z.maxLength(100)),
    s3: z.object({
      bucket: z.object({ name: z.string().check(z.minLength(1), z.maxLength(255)) }),
      object: z.object({
        key: z.pipe(
          z.string().check(z.maxLength(1024)),
          z.transform((key) => decodeURIComponent(key.replace(/\+/g, ' '))),
        ),
        ...object,
      }),
    }),
  });

/** The test event S3 sends when the notification is configured. */
export const s3TestEvent = z.object({ Event: z.literal('s3:TestEvent') });

/** The notification S3 sends for `key` created in `bucket` by `eventName`, with the object's other fields. */
export const objectCreatedNotification = (
  bucket: string,
  key: string,
  eventName: string,
  object: Record<string, unknown> = {},
) => ({
  Records: [
    {
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      eventTime: new Date().toISOString(),
      eventName,
      s3: {
        bucket: { name: bucket },
        object: { key: encodeURIComponent(key).replace(/%2F/g, '/'), ...object },
      },
    },
  ],
});
