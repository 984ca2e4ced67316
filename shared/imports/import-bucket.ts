import type { ImportBucket } from '#shared/imports/bucket.js';

let cached: { root: string | undefined; bucket: string; instance: ImportBucket } | undefined;

/**
 * The imports bucket `name` of this environment (a folder under `OBJECTS_DIR` when set, else S3). Loaded on first
 * use: the S3 client and its presigners are 120 KB that the SDK API's pushes never need at a cold start.
 */
export async function importBucket(name: string): Promise<ImportBucket> {
  const root = process.env.OBJECTS_DIR;
  if (cached && cached.root === root && cached.bucket === name) return cached.instance;
  const instance = root
    ? new (await import('#shared/imports/folder-bucket.js')).FolderBucket(root, name)
    : new (await import('#shared/imports/s3-bucket.js')).S3Bucket(name);
  if (!(cached && cached.root === root && cached.bucket === name)) cached = { root, bucket: name, instance };
  return cached.instance;
}
