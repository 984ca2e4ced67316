import type { Readable } from 'node:stream';

/**
 * The imports bucket: S3 on AWS; in the sandbox (`OBJECTS_DIR` set) a folder, with the sandbox's local upload
 * endpoint standing in for S3's (shared/sandbox/local-bucket.ts). Only what the import needs: presigned uploads
 * (form POST and multipart parts), the multipart lifecycle, a direct write, and a ranged streaming read of one
 * version of an object (its ETag): a read never continues in an object that replaced the one an import started on.
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

/** Where a part goes and exactly how many bytes it must have (a signed `Content-Length`). */
export interface PartTarget {
  key: string;
  uploadId: string;
  partNumber: number;
  contentLength: number;
}

export interface ImportBucket {
  readonly name: string;
  presignPost(key: string, options: { maxBytes: number; expiresIn: number }): Promise<PresignedPost>;
  /** Always `application/xml`, as the contract's uploads are. */
  createMultipart(key: string): Promise<string>;
  presignPart(part: PartTarget, expiresIn: number): Promise<string>;
  completeMultipart(key: string, uploadId: string, parts: CompletedPart[]): Promise<void>;
  /** Idempotent: aborting an upload that is gone is fine. */
  abortMultipart(key: string, uploadId: string): Promise<void>;
  put(key: string, body: Buffer, contentType: string): Promise<void>;
  /** The object from `from` on if its ETag (unquoted) is `etag`; `changed` when it is another object now. */
  read(key: string, from: number, etag: string): Promise<ObjectRead | 'missing' | 'changed'>;
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
