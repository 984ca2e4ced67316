import type { ImportBucket } from '#shared/imports/bucket.js';

let cached: { root: string | undefined; bucket: string; instance: ImportBucket } | undefined;

const hit = (root: string | undefined, name: string) =>
  cached && cached.root === root && cached.bucket === name ? cached.instance : undefined;

/**
 * The imports bucket `name` of this environment (a folder under `OBJECTS_DIR` when set, else S3). Loaded on first
 * use: the S3 client and its presigners are about 170 KB that the SDK API's pushes never need at a cold start.
 */
export async function importBucket(name: string): Promise<ImportBucket> {
  const root = process.env.OBJECTS_DIR;
  const found = hit(root, name);
  if (found) return found;
  const instance = root
    ? new (await import('#shared/imports/folder-bucket.js')).FolderBucket(root, name)
    : new (await import('#shared/imports/s3-bucket.js')).S3Bucket(name);
  // A concurrent first call may have cached one meanwhile: every caller gets the same instance.
  const raced = hit(root, name);
  if (raced) return raced;
  cached = { root, bucket: name, instance };
  return instance;
}
