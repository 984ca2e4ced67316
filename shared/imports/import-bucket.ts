import type { ImportBucket } from '#shared/imports/bucket.js';
import { FolderBucket } from '#shared/imports/folder-bucket.js';
import { S3Bucket } from '#shared/imports/s3-bucket.js';

let cached: { root: string | undefined; bucket: string; instance: ImportBucket } | undefined;

/** The imports bucket `name` of this environment (a folder under `OBJECTS_DIR` when set, else S3). */
export function importBucket(name: string): ImportBucket {
  const root = process.env.OBJECTS_DIR;
  if (cached && cached.root === root && cached.bucket === name) return cached.instance;
  const instance = root ? new FolderBucket(root, name) : new S3Bucket(name);
  cached = { root, bucket: name, instance };
  return instance;
}
