import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  NoSuchKey,
  NotFound,
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
  type ObjectRead,
  type PartTarget,
  type PresignedPost,
} from '#shared/imports/bucket.js';
import { XML_CONTENT_TYPE } from '#shared/imports/upload-rules.js';
import { traceClient } from '#tracer';

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

/** A part PUT URL whose signature covers `Content-Length`: S3 refuses a part of any other size. */
export function presignPartWith(
  client: S3Client,
  bucket: string,
  part: PartTarget,
  expiresIn: number,
): Promise<string> {
  const command = new UploadPartCommand({
    Bucket: bucket,
    Key: part.key,
    UploadId: part.uploadId,
    PartNumber: part.partNumber,
    ContentLength: part.contentLength,
  });
  return getSignedUrl(client, command, { expiresIn, signableHeaders: new Set(['content-length']) });
}

/** S3's answer to a read whose `If-Match` ETag is no longer the object's. */
const preconditionFailed = (error: unknown) =>
  error instanceof S3ServiceException &&
  (error.name === 'PreconditionFailed' || error.$metadata.httpStatusCode === 412);

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
  constructor(
    readonly name: string,
    private readonly client = traceClient(new S3Client({})),
  ) {}

  presignPost(key: string, options: { maxBytes: number; expiresIn: number }) {
    return presignPostWith(this.client, this.name, key, options);
  }

  async createMultipart(key: string) {
    const out = await this.client.send(
      new CreateMultipartUploadCommand({ Bucket: this.name, Key: key, ContentType: XML_CONTENT_TYPE }),
    );
    if (!out.UploadId) throw new Error('S3 returned no upload id');
    return out.UploadId;
  }

  presignPart(part: PartTarget, expiresIn: number) {
    return presignPartWith(this.client, this.name, part, expiresIn);
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

  async read(key: string, from: number, etag: string): Promise<ObjectRead | 'missing' | 'changed'> {
    const IfMatch = `"${etag}"`;
    try {
      const out = await this.client.send(
        new GetObjectCommand({
          Bucket: this.name,
          Key: key,
          IfMatch,
          Range: from > 0 ? `bytes=${from}-` : undefined,
        }),
      );
      const total = /\/(\d+)$/.exec(out.ContentRange ?? '')?.[1];
      return { size: total ? Number(total) : (out.ContentLength ?? 0), body: out.Body as Readable };
    } catch (error) {
      if (error instanceof NoSuchKey) return 'missing';
      if (preconditionFailed(error)) return 'changed';
      if (!(error instanceof S3ServiceException && error.name === 'InvalidRange')) throw error;
    }
    // Nothing left from `from` on: a checkpoint at the very end, or a shorter object now, which If-Match tells.
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.name, Key: key, IfMatch }));
      return { size: head.ContentLength ?? from, body: Readable.from([]) };
    } catch (error) {
      if (error instanceof NotFound || error instanceof NoSuchKey) return 'missing';
      if (preconditionFailed(error)) return 'changed';
      throw error;
    }
  }
}
