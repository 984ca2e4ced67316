import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
// Not `z.core.$ZodError`: reading the `core` namespace as a value keeps all of zod's core (every locale, the JSON
// Schema code) in the bundle, about 375 KB.
import { $ZodError } from 'zod/v4/core';
import { validationDetail } from '#shared/http/validation.js';
import { logger } from '#shared/observability.js';

/** An error whose `detail` is safe to show to the caller. */
export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly statusCode: number,
    readonly detail: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
  }
}

export const badRequest = (detail: string) => new HttpError(400, detail);
export const unauthorized = (detail: string, bearerChallenge = false) =>
  new HttpError(401, detail, bearerChallenge ? { 'www-authenticate': 'Bearer' } : {});
export const forbidden = (detail: string) => new HttpError(403, detail);
export const notFound = (detail: string) => new HttpError(404, detail);
export const conflict = (detail: string) => new HttpError(409, detail);

/** The contract's generic not-found text, e.g. "User with ID: <id> not found." */
export const entityNotFound = (entity: string, id: string) => notFound(`${entity} with ID: ${id} not found.`);

const THROTTLING = new Set([
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
]);

/** The one error table: every thrown value becomes `{"detail": "..."}` with a status; 5xx never leak internals. */
export function errorResponse(error: unknown): APIGatewayProxyStructuredResultV2 {
  if (error instanceof HttpError) return jsonError(error.statusCode, error.detail, error.headers);
  if (error instanceof $ZodError) return jsonError(400, validationDetail(error));
  const name = (error as { name?: string } | undefined)?.name ?? '';
  if (THROTTLING.has(name)) {
    logger.warn('throttled by a downstream service', { error: error as Error });
    return jsonError(503, 'Service temporarily overloaded, please retry', { 'retry-after': '1' });
  }
  logger.error('unhandled error', { error: error as Error });
  return jsonError(500, 'Internal Server Error');
}

export function jsonError(
  statusCode: number,
  detail: string,
  headers: Record<string, string> = {},
): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ detail }),
  };
}
