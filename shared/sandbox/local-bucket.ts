import { createHash } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { Hash } from '@smithy/core/serde';
import { SignatureV4 } from '@smithy/signature-v4';
import { sameDigest } from '#shared/identity/credentials.js';
import { FolderBucket } from '#shared/imports/folder-bucket.js';
import { importBucket } from '#shared/imports/import-bucket.js';
import { MAX_IMPORT_BYTES, MAX_PARTS } from '#shared/imports/upload-rules.js';
import { readBody } from '#shared/sandbox/http-server.js';

/**
 * S3's upload endpoints for the sandbox's imports bucket (a folder, shared/imports/folder-bucket.ts), under
 * `/_local/s3/` of the API's port: the presigned form POST (signature and policy checked as S3 checks them: expiry,
 * key, content type, size range) and presigned part PUTs (SigV4 query signature recomputed over the signed
 * headers, `Content-Length` among them, and expiry checked). Each object created is notified by the folder bucket,
 * as S3 notifies the queue.
 */

export const LOCAL_S3_PATH = '/_local/s3';
export const LOCAL_IMPORTS_BUCKET = 'imports';

/** What the handlers need to presign for this endpoint. */
export const localBucketEnv = (apiBaseUrl: string) => ({
  IMPORTS_BUCKET: LOCAL_IMPORTS_BUCKET,
  IMPORTS_UPLOAD_ENDPOINT: `${apiBaseUrl}${LOCAL_S3_PATH}`,
});

const XML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};
const xmlText = (text: string) => text.replace(/[&<>"']/g, (c) => XML_ESCAPES[c]!);

function s3Error(res: ServerResponse, status: number, code: string, message: string) {
  res.writeHead(status, { 'content-type': 'application/xml' });
  res.end(
    `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${xmlText(message)}</Message></Error>`,
  );
}

const signatureMismatch = (res: ServerResponse) =>
  s3Error(
    res,
    403,
    'SignatureDoesNotMatch',
    'The request signature we calculated does not match the signature you provided.',
  );

/**
 * SigV4 (the SDK's signer): `text` signed with the sandbox's secret under the credential's scope
 * (`<key id>/<date>/<region>/<service>/aws4_request`); undefined for a scope without a date.
 */
async function signature(text: string, credential: string): Promise<string | undefined> {
  const [accessKeyId = '', date = '', region = '', service = ''] = credential.split('/');
  const day = /^(\d{4})(\d{2})(\d{2})$/.exec(date);
  if (!day) return undefined;
  const signer = new SignatureV4({
    credentials: { accessKeyId, secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? '' },
    region,
    service,
    sha256: Hash.bind(null, 'sha256'),
  });
  return signer.sign(text, { signingDate: new Date(`${day[1]}-${day[2]}-${day[3]}T00:00:00Z`) });
}

const signedWith = async (text: string, credential: string, given: string | undefined) => {
  const expected = await signature(text, credential);
  return expected !== undefined && sameDigest(given ?? '', expected);
};

/** RFC 3986 encoding, as SigV4's canonical query uses it. */
const uriEncode = (text: string) =>
  encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * Whether a presigned request (SigV4 in the query, unsigned payload) is signed with the sandbox's credentials: the
 * canonical request rebuilt from the raw path, the query without the signature, and the signed headers' values.
 */
async function validQuerySignature(
  req: IncomingMessage,
  rawPath: string,
  query: URLSearchParams,
): Promise<boolean> {
  const credential = query.get('X-Amz-Credential') ?? '';
  const signedHeaders = (query.get('X-Amz-SignedHeaders') ?? '').split(';');
  if (!signedHeaders.includes('host')) return false;
  const canonicalQuery = [...query.entries()]
    .filter(([name]) => name !== 'X-Amz-Signature')
    .map(([name, value]) => `${uriEncode(name)}=${uriEncode(value)}`)
    .sort()
    .join('&');
  const headers = signedHeaders.map((name) => `${name}:${String(req.headers[name] ?? '').trim()}\n`).join('');
  const canonical = [
    req.method,
    rawPath,
    canonicalQuery,
    headers,
    signedHeaders.join(';'),
    'UNSIGNED-PAYLOAD',
  ].join('\n');
  const scope = credential.split('/').slice(1).join('/');
  const toSign = [
    'AWS4-HMAC-SHA256',
    query.get('X-Amz-Date') ?? '',
    scope,
    createHash('sha256').update(canonical).digest('hex'),
  ].join('\n');
  return signedWith(toSign, credential, query.get('X-Amz-Signature') ?? '');
}

type Condition = Record<string, string> | [string, string | number, string | number];

/** The policy's verdict on the form: undefined when every condition holds. */
function policyFailure(
  policy: { expiration: string; conditions: Condition[] },
  fields: Map<string, string>,
  size: number,
) {
  if (Date.parse(policy.expiration) < Date.now()) return 'Invalid according to Policy: Policy expired.';
  for (const condition of policy.conditions) {
    if (Array.isArray(condition)) {
      const [op, a, b] = condition;
      if (op === 'content-length-range' && (size < Number(a) || size > Number(b))) {
        return size > Number(b)
          ? 'Your proposed upload exceeds the maximum allowed size'
          : 'Your proposed upload is smaller than the minimum allowed size';
      }
      const value = fields.get(String(a).replace(/^\$/, '').toLowerCase()) ?? '';
      if (op === 'eq' && value !== String(b))
        return `Invalid according to Policy: Policy Condition failed: ${JSON.stringify(condition)}`;
      if (op === 'starts-with' && !value.startsWith(String(b)))
        return `Invalid according to Policy: Policy Condition failed: ${JSON.stringify(condition)}`;
    } else {
      for (const [name, expected] of Object.entries(condition)) {
        if ((fields.get(name.toLowerCase()) ?? '') !== expected)
          return `Invalid according to Policy: Policy Condition failed: ["eq", "$${name}", "${expected}"]`;
      }
    }
  }
  return undefined;
}

async function formPost(req: IncomingMessage, res: ServerResponse, bucketName: string) {
  const body = await readBody(req, MAX_IMPORT_BYTES + 1024 * 1024);
  if (body === 'too-large')
    return s3Error(res, 400, 'EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size');
  const form = await new Request('http://local.invalid/', {
    method: 'POST',
    headers: { 'content-type': req.headers['content-type'] ?? '' },
    body,
  })
    .formData()
    .catch(() => undefined);
  const file = form?.get('file');
  if (!form || !file || typeof file === 'string')
    return s3Error(res, 400, 'InvalidArgument', 'POST requires exactly one file upload per request.');
  const fields = new Map<string, string>();
  for (const [name, value] of form.entries())
    if (typeof value === 'string') fields.set(name.toLowerCase(), value);
  fields.set('bucket', bucketName);
  const policy = fields.get('policy') ?? '';
  if (
    !policy ||
    !(await signedWith(policy, fields.get('x-amz-credential') ?? '', fields.get('x-amz-signature')))
  )
    return signatureMismatch(res);
  const bytes = Buffer.from(await file.arrayBuffer());
  const failure = policyFailure(
    JSON.parse(Buffer.from(policy, 'base64').toString('utf8')),
    fields,
    bytes.length,
  );
  if (failure)
    return s3Error(
      res,
      failure.startsWith('Your') ? 400 : 403,
      failure.startsWith('Your') ? 'EntityTooLarge' : 'AccessDenied',
      failure,
    );
  const bucket = await importBucket(bucketName);
  await bucket.put(fields.get('key') ?? '', bytes, fields.get('content-type') ?? '');
  res.writeHead(204).end();
}

async function partPut(
  req: IncomingMessage,
  res: ServerResponse,
  bucketName: string,
  key: string,
  rawPath: string,
  query: URLSearchParams,
) {
  const partNumber = Number(query.get('partNumber'));
  if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > MAX_PARTS) {
    return s3Error(
      res,
      400,
      'InvalidArgument',
      `Part number must be an integer between 1 and ${MAX_PARTS}, inclusive`,
    );
  }
  const signedAt = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(query.get('X-Amz-Date') ?? '');
  const expires = Number(query.get('X-Amz-Expires'));
  if (!signedAt || !query.get('X-Amz-Signature') || !Number.isFinite(expires)) {
    return s3Error(res, 403, 'AccessDenied', 'Request is not signed');
  }
  if (!(await validQuerySignature(req, rawPath, query))) return signatureMismatch(res);
  const [, y, mo, d, h, mi, s] = signedAt;
  if (Date.UTC(+y!, +mo! - 1, +d!, +h!, +mi!, +s!) + expires * 1000 < Date.now()) {
    return s3Error(res, 403, 'AccessDenied', 'Request has expired');
  }
  const body = await readBody(req, 5 * 1024 * 1024 * 1024);
  const bucket = await importBucket(bucketName);
  if (body === 'too-large' || !(bucket instanceof FolderBucket))
    return s3Error(res, 400, 'EntityTooLarge', 'Part too large');
  try {
    const etag = await bucket.writePart(key, query.get('uploadId') ?? '', partNumber, body);
    res.writeHead(200, { etag, 'access-control-expose-headers': 'ETag' }).end();
  } catch {
    s3Error(res, 404, 'NoSuchUpload', 'The specified upload does not exist.');
  }
}

/** `next` with the local S3 endpoints in front. */
export function withLocalBucket(next: RequestListener): RequestListener {
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://local.invalid');
    if (!url.pathname.startsWith(`${LOCAL_S3_PATH}/`)) return next(req, res);
    const [bucket = '', ...rest] = url.pathname.slice(LOCAL_S3_PATH.length + 1).split('/');
    const key = decodeURIComponent(rest.join('/'));
    const work =
      req.method === 'POST' && key === ''
        ? formPost(req, res, bucket)
        : req.method === 'PUT' && url.searchParams.has('uploadId')
          ? partPut(req, res, bucket, key, (req.url ?? '').split('?')[0]!, url.searchParams)
          : Promise.resolve(s3Error(res, 405, 'MethodNotAllowed', 'The specified method is not allowed'));
    work.catch((error) => {
      if (!res.headersSent) s3Error(res, 500, 'InternalError', String(error));
    });
  };
}

/** Objects created in the folder bucket notify `send` with S3's notification body; returns the undo. */
export async function notifyObjectsCreated(
  send: (body: string) => Promise<void>,
): Promise<() => Promise<void>> {
  const [{ onObjectCreated }, { objectCreated }] = await Promise.all([
    import('#shared/imports/folder-bucket.js'),
    import('#shared/imports/notification.js'),
  ]);
  onObjectCreated((bucket, key, etag, size) => send(JSON.stringify(objectCreated(bucket, key, etag, size))));
  return async () => onObjectCreated(undefined);
}
