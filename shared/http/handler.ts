import middy from '@middy/core';
import httpRouter from '@middy/http-router';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { authenticate } from '#shared/http/auth.js';
import { errorResponse, HttpError } from '#shared/http/errors.js';
import { decodeBody, queryParams } from '#shared/http/request.js';
import { Reply, type Route } from '#shared/http/route.js';
import { securityHeaders } from '#shared/http/security-headers.js';
import { observeInvocation } from '#shared/observability.js';

function toResult(route: Route, value: unknown): APIGatewayProxyStructuredResultV2 {
  const reply = value instanceof Reply ? value : new Reply(route.status ?? 200, value);
  if (reply.body === undefined) return { statusCode: reply.statusCode, headers: reply.headers };
  if (Buffer.isBuffer(reply.body)) {
    const body = reply.body.toString('base64');
    return { statusCode: reply.statusCode, headers: reply.headers, body, isBase64Encoded: true };
  }
  if (typeof reply.body === 'string' && reply.headers['content-type']) {
    return { statusCode: reply.statusCode, headers: reply.headers, body: reply.body };
  }
  return {
    statusCode: reply.statusCode,
    headers: { 'content-type': 'application/json', ...reply.headers },
    body: JSON.stringify(reply.body),
  };
}

/** Auth first (a 401 wins over a 400, as in the reference), then path, query and body through zod. */
async function invoke(
  route: Route,
  event: APIGatewayProxyEventV2,
): Promise<APIGatewayProxyStructuredResultV2> {
  const caller = await authenticate(route.publicWhen?.() ? 'NONE' : route.auth, event);
  const params = route.params ? route.params.parse(event.pathParameters ?? {}) : undefined;
  const query = route.query ? route.query.parse(queryParams(event)) : undefined;
  const rawBody = route.body ? decodeBody(event, route.bodyFormat ?? 'json') : undefined;
  const body = route.body ? route.body.parse(rawBody) : undefined;
  const value = await route.handle({ params, query, body, caller, headers: event.headers ?? {}, event });
  return toResult(route, value);
}

/** A path known to some route but not with this method is a 405, otherwise a 404. */
function notFoundOrNotAllowed(knownPaths: string[]) {
  const probe = httpRouter({
    routes: [...new Set(knownPaths)].map((path) => ({
      method: 'ANY' as const,
      path,
      handler: (() => true) as never,
    })),
    notFoundResponse: (() => false) as never,
  }) as unknown as (event: unknown) => boolean;
  return ({ method, path }: { method: string; path: string }) => {
    const probeEvent = { version: '2.0', requestContext: { http: { method: 'GET', path } } };
    if (method !== 'OPTIONS' && probe(probeEvent)) {
      throw new HttpError(405, 'Method Not Allowed');
    }
    throw new HttpError(404, 'Not Found');
  };
}

export interface HttpHandlerOptions {
  /** Paths that decide 404 vs 405 for unmatched requests (all of the API, for the `$default` fallback). */
  knownPaths?: string[];
  /** Replaces the strict default content security policy (only for an area that serves HTML). */
  contentSecurityPolicy?: string;
}

/** The one HTTP entry point: the Lambda handler of an API area, serving `routes`. */
export function createHttpHandler(routes: Route[], options: HttpHandlerOptions = {}) {
  const knownPaths = options.knownPaths ?? routes.map((r) => r.path);
  const router = httpRouter({
    routes: routes.map((route) => ({
      method: route.method,
      path: route.path,
      handler: (event: APIGatewayProxyEventV2) => invoke(route, event),
    })),
    notFoundResponse: notFoundOrNotAllowed(knownPaths),
  });
  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
    .use(observeInvocation())
    .use(securityHeaders(options.contentSecurityPolicy))
    .use({
      onError: (request) => {
        request.response = errorResponse(request.error);
      },
    })
    .handler(router as never);
}
