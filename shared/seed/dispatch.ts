import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { env } from '#shared/config/env.js';
import { createUser } from '#shared/identity/users.js';
import { ingestSdkPush } from '#shared/ingest/sdk-ingest.js';
import { notificationFor, uploadKey } from '#shared/ingest/sdk-uploads.js';
import { queueUrl, sqsClient } from '#shared/jobs/send.js';
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
 * ingested here, through the same ingest function.
 */
export async function dispatchSeed(request: SeedDataRequest, seed: number, taskId: string, now: number) {
  const settings = env(seedEnvSchema);
  const users: string[] = [];
  for (let index = 0; index < request.num_users; index++) {
    const seeded = seedUser(request.profile, seed, index, now);
    const user = await createUser({
      first_name: seeded.first_name,
      last_name: seeded.last_name,
      email: `${seeded.first_name}.${seeded.last_name}.${seed}.${index}@seed.example.com`.toLowerCase(),
    });
    users.push(user.id);
    const bucket = settings.SDK_UPLOADS_BUCKET;
    if (bucket) {
      await inBatches(seeded.pushes, (push, n) => upload(bucket, user.id, `seed-${taskId}-${n}`, push));
    } else {
      for (const push of seeded.pushes) await ingestSdkPush(user.id, push.provider, push.body);
    }
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

async function inBatches<T>(items: readonly T[], work: (item: T, index: number) => Promise<void>) {
  for (let i = 0; i < items.length; i += CONCURRENT_PUTS) {
    await Promise.all(items.slice(i, i + CONCURRENT_PUTS).map((item, j) => work(item, i + j)));
  }
}
