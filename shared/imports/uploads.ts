import { createHash } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { db, deleteKeys } from '#shared/store/client.js';
import { keys, ttlAt } from '#shared/store/keys.js';
import { putForUser } from '#shared/store/user-guard.js';

/**
 * What a multipart upload was created for: its key, the file size declared and the part size answered. Part URLs
 * are signed only for the parts that size needs, each with its exact length, so the object cannot outgrow the
 * declared size (at most the 1 GiB import cap). In the user's partition, erased with the user; it outlives the
 * bucket's 2-day abort of abandoned uploads.
 */
export interface MultipartUpload {
  key: string;
  file_size: number;
  part_size: number;
}

const UPLOAD_TTL_MS = 3 * 86_400_000;

const uploadKey = (userId: string, uploadId: string) => ({
  PK: keys.userPartition(userId),
  SK: `XMLUPLOAD#${createHash('sha256').update(uploadId).digest('hex').slice(0, 32)}`,
});

export async function saveMultipartUpload(userId: string, uploadId: string, upload: MultipartUpload) {
  await putForUser(userId, [
    { ...uploadKey(userId, uploadId), upload, ttl: ttlAt(new Date(Date.now() + UPLOAD_TTL_MS)) },
  ]);
}

/** The upload `uploadId` of `key`; undefined when unknown (or for another key). */
export async function getMultipartUpload(
  userId: string,
  uploadId: string,
  key: string,
): Promise<MultipartUpload | undefined> {
  const { doc, table } = db();
  const out = await doc.send(new GetCommand({ TableName: table, Key: uploadKey(userId, uploadId) }));
  const upload = out.Item?.upload as MultipartUpload | undefined;
  return upload?.key === key ? upload : undefined;
}

export const forgetMultipartUpload = (userId: string, uploadId: string) =>
  deleteKeys([uploadKey(userId, uploadId)]);

/** How many parts the upload has: parts 1..n-1 of `part_size` bytes, part n the rest. */
export const partCount = (upload: MultipartUpload) => Math.ceil(upload.file_size / upload.part_size);

/** The exact length of part `partNumber` (1..partCount). */
export const partLength = (upload: MultipartUpload, partNumber: number) =>
  Math.min(upload.part_size, upload.file_size - (partNumber - 1) * upload.part_size);
