import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { env } from '#shared/config/env.js';
import { HttpError } from '#shared/http/errors.js';
import { createUser } from '#shared/identity/users.js';
import { ingestSdkPush } from '#shared/ingest/sdk-ingest.js';
import { notificationFor, uploadKey } from '#shared/ingest/sdk-uploads.js';
import { queueUrl, sqsClient } from '#shared/jobs/send.js';
import { mapLimited } from '#shared/model/concurrency.js';
import { logger } from '#shared/observability.js';
import { seedEnvSchema } from '#shared/seed/env.js';
import { seedUser } from '#shared/seed/generate.js';
import type { SeedDataRequest } from '#shared/seed/profiles.js';
import type { SdkPush } from '#shared/seed/pushes.js';
import { objectStore } from '#shared/store/objects.js';

const CONCURRENT_PUTS = 8;

/**
 * Creates the users and hands their pushes to the storage-first SDK path (README "Large SDK pushes"): each push is
 * an object `sdk-uploads/<user>/seed-<task>-<n>` of the uploads bucket, whose notification reaches the sdk-uploads
 * queue (S3 sends it on AWS; in the sandbox, where a folder stands in for the bucket, it is sent here), and the
 * sdk-upload worker ingests it as it would a phone's. Without a bucket (tests of the API alone) the pushes are
 * ingested here, through the same ingest function. Every user's data is generated before any user is created (the
 * request was sized by assertSeedFits); a failure after that names the users already created.
 */
export async function dispatchSeed(request: SeedDataRequest, seed: number, taskId: string, now: number) {
  const settings = env(seedEnvSchema);
  const seeded = Array.from({ length: request.num_users }, (_, index) =>
    seedUser(request.profile, seed, index, now),
  );
  const users: string[] = [];
  try {
    for (const [index, data] of seeded.entries()) {
      const user = await createUser({
        first_name: data.first_name,
        last_name: data.last_name,
        email: `${data.first_name}.${data.last_name}.${seed}.${index}@seed.example.com`.toLowerCase(),
      });
      users.push(user.id);
      // Were the function to time out, the log still names every user created.
      logger.info('seed user created', { task_id: taskId, user_id: user.id });
      const bucket = settings.SDK_UPLOADS_BUCKET;
      if (bucket) {
        await mapLimited(data.pushes, CONCURRENT_PUTS, (push, n) =>
          upload(bucket, user.id, `seed-${taskId}-${n}`, push),
        );
      } else {
        for (const push of data.pushes) await ingestSdkPush(user.id, push.provider, push.body);
      }
    }
  } catch (error) {
    if (users.length === 0) throw error;
    logger.error('seed failed part way', { error: error as Error, task_id: taskId, users });
    throw new HttpError(
      500,
      `Seeding failed after creating ${users.length} of ${request.num_users} users, whose data may be incomplete: ${users.join(', ')} (delete them or keep them, then retry)`,
    );
  }
  return users;
}

async function upload(bucket: string, userId: string, requestId: string, push: SdkPush) {
  const key = uploadKey(userId, requestId);
  await objectStore().put(bucket, key, Buffer.from(JSON.stringify(push.body)));
  if (!env(seedEnvSchema).OBJECTS_DIR) return;
  await sqsClient().send(
    new SendMessageCommand({
      QueueUrl: queueUrl('sdkUploads'),
      MessageBody: JSON.stringify(notificationFor(bucket, key)),
    }),
  );
}
