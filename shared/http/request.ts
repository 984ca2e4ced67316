import { gunzipSync } from 'node:zlib';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { badRequest, HttpError } from '#shared/http/errors.js';

/** Lambda's synchronous payload limit; also the cap on a gzip body once inflated. */
export const MAX_BODY_BYTES = 6 * 1024 * 1024;

export const payloadTooLarge = () =>
  new HttpError(413, `Request body too large: the limit is ${MAX_BODY_BYTES} bytes (6 MB)`);

/** The raw body bytes: base64 undone, gzip inflated (bounded, so a zip bomb cannot exhaust memory). */
export function bodyBytes(event: APIGatewayProxyEventV2): Buffer | undefined {
  if (event.body === undefined || event.body === null || event.body === '') return undefined;
  const raw = event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
  if (raw.length > MAX_BODY_BYTES) throw payloadTooLarge();
  const encoding = event.headers?.['content-encoding']?.trim().toLowerCase();
  if (encoding !== 'gzip') return raw;
  try {
    return gunzipSync(raw, { maxOutputLength: MAX_BODY_BYTES });
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw payloadTooLarge();
    throw badRequest('Invalid gzip body');
  }
}

/** Decodes the body as JSON or as a form; invalid JSON is a 400, whatever the content type claims. */
export function decodeBody(event: APIGatewayProxyEventV2, format: 'json' | 'form'): unknown {
  const bytes = bodyBytes(event);
  if (bytes === undefined) return undefined;
  const text = bytes.toString('utf8');
  if (format === 'form') return Object.fromEntries(new URLSearchParams(text));
  try {
    return JSON.parse(text);
  } catch (error) {
    throw badRequest(`JSON decode error: ${(error as Error).message}`);
  }
}

/** The caller's address as API Gateway saw it (the TCP peer; never a client-supplied header). */
export const sourceIp = (event: APIGatewayProxyEventV2): string =>
  event.requestContext?.http?.sourceIp ?? 'unknown';

/** Query parameters from the raw query string: a repeated key becomes an array (`types=a&types=b`). */
export function queryParams(event: APIGatewayProxyEventV2): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [key, value] of new URLSearchParams(event.rawQueryString ?? '')) {
    const previous = out[key];
    if (previous === undefined) out[key] = value;
    else out[key] = Array.isArray(previous) ? [...previous, value] : [previous, value];
  }
  return out;
}
