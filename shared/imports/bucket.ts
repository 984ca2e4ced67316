import type { Readable } from 'node:stream';

/**
 * The imports bucket: S3 on AWS; in the sandbox (`OBJECTS_DIR` set) a folder, with the sandbox's local upload
 * endpoint standing in for S3's (shared/sandbox/local-bucket.ts). Only what the import needs: presigned uploads
 * (form POST and multipart parts), the multipart lifecycle, a direct write, and a ranged streaming read.
 */

export interface CompletedPart {
  part_number: number;
  etag: string;
}

export interface PresignedPost {
  url: string;
  fields: Record<string, string>;
}

export interface ObjectRead {
  /** The object's total size in bytes. */
  size: number;
  /** The bytes from the requested offset to the end, streamed. */
  body: Readable;
}

export interface ImportBucket {
  readonly name: string;
  presignPost(key: string, options: { maxBytes: number; expiresIn: number }): Promise<PresignedPost>;
  createMultipart(key: string, contentType: string): Promise<string>;
  presignPart(key: string, uploadId: string, partNumber: number, expiresIn: number): Promise<string>;
  completeMultipart(key: string, uploadId: string, parts: CompletedPart[]): Promise<void>;
  /** Idempotent: aborting an upload that is gone is fine. */
  abortMultipart(key: string, uploadId: string): Promise<void>;
  put(key: string, body: Buffer, contentType: string): Promise<void>;
  /** Undefined when there is no such object. */
  read(key: string, from: number): Promise<ObjectRead | undefined>;
}

/** The S3 error codes a client can cause (a wrong upload id, a part that is not there), as a status. */
export class BucketRequestError extends Error {
  override name = 'BucketRequestError';
  constructor(
    readonly statusCode: 400 | 404,
    message: string,
  ) {
    super(message);
  }
}
