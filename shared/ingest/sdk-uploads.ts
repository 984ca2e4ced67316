import { gunzipSync } from 'node:zlib';
import * as z from 'zod/mini';
import { HttpError } from '#shared/http/errors.js';
import { ingestSdkPush, pushProvider } from '#shared/ingest/sdk-ingest.js';
import { pushRun, recordPushFailed } from '#shared/ingest/sdk-runs.js';
import { logger } from '#shared/observability.js';
import { objectStore } from '#shared/store/objects.js';
import { objectCreatedNotification, s3Record, s3TestEvent } from '#shared/store/s3-notification.js';
import { UserGone } from '#shared/store/user-guard.js';
import { getUser } from '#shared/store/users.js';

/**
 * The storage-first path of SDK pushes (README "Large SDK pushes"). The mobile ingress stores the body as it came,
 * `sdk-uploads/<user id>/<request id>`, after its authorizer checked the caller; an object-created notification
 * reaches the `sdk-uploads` queue, and `processUpload` ingests the object exactly as the synchronous route would
 * (same validation, same writes, same sync status), then deletes it. Redelivery is harmless: the writes are
 * idempotent and a deleted object is simply gone.
 */

export const UPLOAD_PREFIX = 'sdk-uploads/';
/** The largest body API Gateway accepts (its REST API limit), so the largest upload. */
export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;

export const uploadKey = (userId: string, requestId: string) => `${UPLOAD_PREFIX}${userId}/${requestId}`;

/** The user of an upload key; undefined for a key the ingress cannot have written. */
export function uploadUser(key: string): string | undefined {
  const match = /^sdk-uploads\/([^/]{1,64})\/[^/]{1,128}$/.exec(key);
  return match?.[1];
}

/** S3's notification, or the test event S3 sends when it is configured. */
export const uploadNotification = z.union([
  z.object({ Records: z.array(s3Record({})).check(z.maxLength(100)) }),
  z.pipe(
    s3TestEvent,
    z.transform(() => ({ Records: [] })),
  ),
]);

/** The notification the ingress sends for an object it stored (the shape S3 sends). */
export const notificationFor = (bucket: string, key: string) =>
  objectCreatedNotification(bucket, key, 'ObjectCreated:Put');

/** How far a gzip upload may inflate: a bound, so a zip bomb cannot exhaust the worker's memory. */
const MAX_INFLATED_BYTES = 48 * 1024 * 1024;
const GZIP_MAGIC = Buffer.from([0x1f, 0x8b]);

/**
 * The upload as JSON bytes. The ingress stores bodies as they came, `Content-Encoding` aside: a gzip body is
 * recognised by its magic bytes (JSON never starts with them) and inflated (throws beyond the bound).
 */
function inflated(body: Buffer): Buffer {
  if (!body.subarray(0, 2).equals(GZIP_MAGIC)) return body;
  return gunzipSync(body, { maxOutputLength: MAX_INFLATED_BYTES });
}

/** Pushes that can never succeed (bad JSON, a 4xx): recorded as failed runs, and the object goes. */
async function refuse(userId: string, error: unknown, startedAt: number) {
  await recordPushFailed(userId, 'unknown', pushRun({ sessionId: null, type: null }), error, startedAt);
}

export async function processUpload(bucket: string, key: string): Promise<void> {
  const startedAt = Date.now();
  const store = objectStore();
  const userId = uploadUser(key);
  if (!userId) {
    logger.error('not an SDK upload key; left alone', { bucket, key });
    return;
  }
  const body = await store.get(bucket, key);
  if (!body) return; // processed already: this is a redelivery
  const discard = () => store.delete(bucket, key);
  if (!(await getUser(userId))) {
    logger.warn('SDK upload of an unknown or deleted user discarded', { userId });
    return discard();
  }
  let payload: unknown;
  try {
    payload = JSON.parse(inflated(body).toString('utf8'));
  } catch {
    await refuse(userId, new HttpError(400, 'Invalid sync payload: the body is not JSON'), startedAt);
    return discard();
  }
  try {
    await ingestSdkPush(userId, pushProvider(payload), payload);
  } catch (error) {
    const final = error instanceof UserGone || (error instanceof HttpError && error.statusCode < 500);
    if (!final) throw error;
    if (error instanceof HttpError && error.detail.startsWith('Unsupported provider')) {
      await refuse(userId, error, startedAt);
    }
  }
  await discard();
}
