import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import { env } from '#shared/config/env.js';
import { badRequest, forbidden, HttpError } from '#shared/http/errors.js';
import { bodyBytes } from '#shared/http/request.js';
import { defineRoute } from '#shared/http/route.js';
import { CAP, cappedString } from '#shared/http/validation.js';
import { requireUser } from '#shared/identity/users.js';
import { BucketRequestError, type ImportBucket } from '#shared/imports/bucket.js';
import { sdkAreaEnvSchema } from '#shared/imports/env.js';
import { importBucket } from '#shared/imports/import-bucket.js';
import {
  importKey,
  MAX_IMPORT_BYTES,
  MAX_PARTS,
  MIN_PART_SIZE,
  partSize,
  runIdOf,
  XML_CONTENT_TYPE,
} from '#shared/imports/upload-rules.js';
import {
  forgetMultipartUpload,
  getMultipartUpload,
  type MultipartUpload,
  partCount,
  partLength,
  saveMultipartUpload,
} from '#shared/imports/uploads.js';

/**
 * Apple Health export uploads (contract 4.13, 10.5, and the newest reference's multipart routes). Every upload
 * lands at `<user id>/raw/<file name>` in the imports bucket; S3's object-created notification starts the import
 * (shared/imports/import-run.ts), so a completed multipart upload and a direct upload start it the same way.
 */

const userParams = z.object({ user_id: cappedString(CAP.id) });
const tag = 'Apple Health import';
const int = (min: number, max: number, fallback: number) =>
  z._default(z.number().check(z.int(), z.gte(min), z.lte(max)), fallback);
const objectKey = cappedString(1024);
const uploadId = cappedString(1024);
const partNumber = z.number().check(z.int(), z.gte(1), z.lte(MAX_PARTS));
/**
 * Part URLs per sign call, and their lifetime: 500 URLs of ~1.5 KB stay far below Lambda's 6 MB response, and a
 * URL presigned with the function's role credentials stops working when they expire anyway (within hours).
 */
const MAX_SIGNED_PARTS = 500;
const MAX_PART_URL_SECONDS = 3600;

/** 404 for an unknown user first; then the reference's 503 when no bucket is configured. */
async function bucketFor(userId: string): Promise<ImportBucket> {
  await requireUser(userId);
  const name = env(sdkAreaEnvSchema).IMPORTS_BUCKET;
  if (!name) throw new HttpError(503, 'S3 client not configured');
  return importBucket(name);
}

/** Keys outside the user's raw uploads are someone else's (or nothing the import reads). */
function ownKey(userId: string, key: string): string {
  if (!key.startsWith(`${userId}/raw/`)) throw forbidden('Object key does not belong to this user');
  return key;
}

async function multipartUpload(userId: string, uploadId: string, key: string): Promise<MultipartUpload> {
  const upload = await getMultipartUpload(userId, uploadId, key);
  if (!upload) throw new HttpError(404, 'Multipart upload not found: NoSuchUpload');
  return upload;
}

/** Part numbers past the declared file size would let the object outgrow it. */
function withinUpload(upload: MultipartUpload, partNumbers: number[]): void {
  const beyond = partNumbers.find((part) => part > partCount(upload));
  if (beyond !== undefined) {
    throw badRequest(`Part number ${beyond} is beyond the ${partCount(upload)} part(s) of this upload`);
  }
}

async function bucketCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof BucketRequestError) throw new HttpError(error.statusCode, error.message);
    throw error;
  }
}

const presignedResponse = z
  .object({
    upload_url: z.string(),
    form_fields: z.record(z.string(), z.string()),
    file_key: z.string(),
    expires_in: z.number().check(z.int()),
    max_file_size: z.number().check(z.int()),
    bucket: z.string(),
  })
  .check(z.meta({ id: 'PresignedURLResponse' }));

const createResponse = z
  .object({
    upload_id: z.string(),
    key: z.string(),
    bucket: z.string(),
    part_size: z.number().check(z.int()),
  })
  .check(z.meta({ id: 'MultipartCreateResponse' }));
const signResponse = z
  .object({ urls: z.array(z.object({ part_number: z.number().check(z.int()), url: z.string() })) })
  .check(z.meta({ id: 'MultipartSignResponse' }));
const completeResponse = z
  .object({ status: z.string(), key: z.string(), bucket: z.string(), task_id: z.nullable(z.string()) })
  .check(z.meta({ id: 'MultipartCompleteResponse' }));
const abortResponse = z
  .object({ status: z.string(), key: z.string() })
  .check(z.meta({ id: 'MultipartAbortResponse' }));
const directResponse = z
  .object({ status: z.literal('processing'), task_id: z.string(), user_id: z.string() })
  .check(z.meta({ id: 'XmlImportResponse' }));

const base = '/api/v1/users/{user_id}/import/apple/xml';
const errors = [400, 404, 503];

export const importRoutes = [
  defineRoute({
    method: 'POST',
    path: `${base}/s3`,
    auth: 'API',
    tag,
    summary: 'Presigned S3 POST for an Apple Health export.xml (the import starts when the upload lands)',
    params: userParams,
    body: z.object({
      filename: z._default(cappedString(200), ''),
      expiration_seconds: int(60, 3600, 300),
      max_file_size: int(1024, MAX_IMPORT_BYTES, 50 * 1024 * 1024),
    }),
    response: presignedResponse,
    doc: { errors },
    handle: async ({ params, body }) => {
      const bucket = await bucketFor(params.user_id);
      const key = importKey(params.user_id, body.filename);
      const post = await bucket.presignPost(key, {
        maxBytes: body.max_file_size,
        expiresIn: body.expiration_seconds,
      });
      return {
        upload_url: post.url,
        form_fields: post.fields,
        file_key: key,
        expires_in: body.expiration_seconds,
        max_file_size: body.max_file_size,
        bucket: bucket.name,
      };
    },
  }),
  defineRoute({
    method: 'POST',
    path: `${base}/s3/multipart/create`,
    auth: 'API',
    tag,
    summary: 'Start a multipart upload of a large export: an upload id, its key and a part size',
    params: userParams,
    status: 201,
    body: z.object({
      filename: z._default(cappedString(200), ''),
      // Accepted as the reference does, but the object is always `application/xml`, as the contract's uploads are.
      content_type: z._default(cappedString(100), XML_CONTENT_TYPE),
      file_size: z.number().check(z.int(), z.gte(MIN_PART_SIZE), z.lte(MAX_IMPORT_BYTES)),
    }),
    response: createResponse,
    doc: { errors },
    handle: async ({ params, body }) => {
      const bucket = await bucketFor(params.user_id);
      const key = importKey(params.user_id, body.filename);
      const id = await bucket.createMultipart(key);
      const upload = { key, file_size: body.file_size, part_size: partSize(body.file_size) };
      await saveMultipartUpload(params.user_id, id, upload);
      return { upload_id: id, key, bucket: bucket.name, part_size: upload.part_size };
    },
  }),
  defineRoute({
    method: 'POST',
    path: `${base}/s3/multipart/sign`,
    auth: 'API',
    tag,
    summary:
      "Presigned PUT URLs (up to 500 a call) for parts of a multipart upload, each for the part's exact size",
    params: userParams,
    body: z.object({
      key: objectKey,
      upload_id: uploadId,
      part_numbers: z.array(partNumber).check(z.minLength(1), z.maxLength(MAX_SIGNED_PARTS)),
      expiration_seconds: int(60, MAX_PART_URL_SECONDS, MAX_PART_URL_SECONDS),
    }),
    response: signResponse,
    doc: { errors: [400, 403, 404, 503] },
    handle: async ({ params, body }) => {
      const key = ownKey(params.user_id, body.key);
      const bucket = await bucketFor(params.user_id);
      const upload = await multipartUpload(params.user_id, body.upload_id, key);
      withinUpload(upload, body.part_numbers);
      const urls = await Promise.all(
        body.part_numbers.map(async (part) => ({
          part_number: part,
          url: await bucket.presignPart(
            { key, uploadId: body.upload_id, partNumber: part, contentLength: partLength(upload, part) },
            body.expiration_seconds,
          ),
        })),
      );
      return { urls };
    },
  }),
  defineRoute({
    method: 'POST',
    path: `${base}/s3/multipart/complete`,
    auth: 'API',
    tag,
    summary: "Assemble the uploaded parts (their ETags): the object's notification starts the import",
    params: userParams,
    body: z.object({
      key: objectKey,
      upload_id: uploadId,
      parts: z
        .array(z.object({ part_number: partNumber, etag: cappedString(256) }))
        .check(z.minLength(1), z.maxLength(MAX_PARTS)),
    }),
    response: completeResponse,
    doc: { errors: [400, 403, 404, 503] },
    handle: async ({ params, body }) => {
      const key = ownKey(params.user_id, body.key);
      const bucket = await bucketFor(params.user_id);
      if (new Set(body.parts.map((p) => p.part_number)).size !== body.parts.length) {
        throw badRequest('Each part number may be listed once');
      }
      const upload = await multipartUpload(params.user_id, body.upload_id, key);
      withinUpload(
        upload,
        body.parts.map((p) => p.part_number),
      );
      await bucketCall(() => bucket.completeMultipart(key, body.upload_id, body.parts));
      await forgetMultipartUpload(params.user_id, body.upload_id);
      return { status: 'uploaded', key, bucket: bucket.name, task_id: null };
    },
  }),
  defineRoute({
    method: 'POST',
    path: `${base}/s3/multipart/abort`,
    auth: 'API',
    tag,
    summary: 'Abort a multipart upload and discard its parts (idempotent)',
    params: userParams,
    body: z.object({ key: objectKey, upload_id: uploadId }),
    response: abortResponse,
    doc: { errors: [400, 403, 404, 503] },
    handle: async ({ params, body }) => {
      const key = ownKey(params.user_id, body.key);
      const bucket = await bucketFor(params.user_id);
      await bucketCall(() => bucket.abortMultipart(key, body.upload_id));
      await forgetMultipartUpload(params.user_id, body.upload_id);
      return { status: 'aborted', key };
    },
  }),
  defineRoute({
    method: 'POST',
    path: `${base}/direct`,
    auth: 'API',
    tag,
    summary: 'Upload a small export.xml as multipart/form-data field `file` (up to the 6 MB request limit)',
    params: userParams,
    response: directResponse,
    doc: { errors: [400, 404, 413, 503] },
    handle: async ({ params, event, headers }) => {
      await requireUser(params.user_id);
      const bytes = bodyBytes(event);
      const contentType = headers['content-type'] ?? '';
      if (!bytes || !/^multipart\/form-data/i.test(contentType)) throw badRequest('file: Field required');
      const form = await new Request('http://upload.invalid/', {
        method: 'POST',
        headers: { 'content-type': contentType },
        body: bytes,
      })
        .formData()
        .catch(() => {
          throw badRequest('Invalid multipart/form-data body');
        });
      const file = form.get('file');
      if (!file || typeof file === 'string') throw badRequest('file: Field required');
      const body = Buffer.from(await file.arrayBuffer());
      if (body.length === 0) throw badRequest('file: The uploaded file is empty');
      const bucket = await bucketFor(params.user_id);
      const key = importKey(params.user_id, file.name);
      await bucket.put(key, body, XML_CONTENT_TYPE);
      const etag = createHash('md5').update(body).digest('hex');
      return { status: 'processing', task_id: runIdOf({ key, etag }), user_id: params.user_id };
    },
  }),
];
