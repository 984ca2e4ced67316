import type { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import {
  BucketRequestError,
  type CompletedPart,
  type ImportBucket,
  type PresignedPost,
} from '#shared/imports/bucket.js';
import { XML_CONTENT_TYPE } from '#shared/imports/upload-rules.js';

/** The form POST S3 accepts: this key, `application/xml`, 1..maxBytes bytes (contract 4.13). */
export async function presignPostWith(
  client: S3Client,
  bucket: string,
  key: string,
  { maxBytes, expiresIn }: { maxBytes: number; expiresIn: number },
): Promise<PresignedPost> {
  return createPresignedPost(client, {
    Bucket: bucket,
    Key: key,
    Conditions: [
      ['content-length-range', 1, maxBytes],
      ['eq', '$Content-Type', XML_CONTENT_TYPE],
    ],
    Fields: { 'Content-Type': XML_CONTENT_TYPE },
    Expires: expiresIn,
  });
}

export function presignPartWith(
  client: S3Client,
  bucket: string,
  key: string,
  uploadId: string,
  partNumber: number,
  expiresIn: number,
): Promise<string> {
  const command = new UploadPartCommand({
    Bucket: bucket,
    Key: key,
    UploadId: uploadId,
    PartNumber: partNumber,
  });
  return getSignedUrl(client, command, { expiresIn });
}

/** S3's answers a client caused, as 400/404; anything else stays an error of ours. */
function clientFault(error: unknown): never {
  if (error instanceof S3ServiceException) {
    if (['NoSuchUpload', 'NoSuchKey'].includes(error.name)) {
      throw new BucketRequestError(404, `Multipart upload not found: ${error.name}`);
    }
    if (['EntityTooSmall', 'InvalidPart', 'InvalidPartOrder', 'InvalidArgument'].includes(error.name)) {
      throw new BucketRequestError(400, `Failed to complete multipart upload: ${error.name}`);
    }
  }
  throw error;
}

export class S3Bucket implements ImportBucket {
  private readonly client = new S3Client({});

  constructor(readonly name: string) {}

  presignPost(key: string, options: { maxBytes: number; expiresIn: number }) {
    return presignPostWith(this.client, this.name, key, options);
  }

  async createMultipart(key: string, contentType: string) {
    const out = await this.client.send(
      new CreateMultipartUploadCommand({ Bucket: this.name, Key: key, ContentType: contentType }),
    );
    if (!out.UploadId) throw new Error('S3 returned no upload id');
    return out.UploadId;
  }

  presignPart(key: string, uploadId: string, partNumber: number, expiresIn: number) {
    return presignPartWith(this.client, this.name, key, uploadId, partNumber, expiresIn);
  }

  async completeMultipart(key: string, uploadId: string, parts: CompletedPart[]) {
    const ordered = [...parts].sort((a, b) => a.part_number - b.part_number);
    await this.client
      .send(
        new CompleteMultipartUploadCommand({
          Bucket: this.name,
          Key: key,
          UploadId: uploadId,
          MultipartUpload: {
            Parts: ordered.map((p) => ({ PartNumber: p.part_number, ETag: p.etag.trim() })),
          },
        }),
      )
      .catch(clientFault);
  }

  async abortMultipart(key: string, uploadId: string) {
    try {
      await this.client.send(
        new AbortMultipartUploadCommand({ Bucket: this.name, Key: key, UploadId: uploadId }),
      );
    } catch (error) {
      if (!(error instanceof S3ServiceException && error.name === 'NoSuchUpload')) throw error;
    }
  }

  async put(key: string, body: Buffer, contentType: string) {
    await this.client.send(
      new PutObjectCommand({ Bucket: this.name, Key: key, Body: body, ContentType: contentType }),
    );
  }

  async read(key: string, from: number) {
    try {
      const out = await this.client.send(
        new GetObjectCommand({ Bucket: this.name, Key: key, Range: from > 0 ? `bytes=${from}-` : undefined }),
      );
      const total = /\/(\d+)$/.exec(out.ContentRange ?? '')?.[1];
      return { size: total ? Number(total) : (out.ContentLength ?? 0), body: out.Body as Readable };
    } catch (error) {
      if (error instanceof NoSuchKey) return undefined;
      // A checkpoint at the very end of the object: nothing is left to read.
      if (error instanceof S3ServiceException && error.name === 'InvalidRange') {
        const { Readable } = await import('node:stream');
        return { size: from, body: Readable.from([]) };
      }
      throw error;
    }
  }
}
