import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { allRoutes } from '#shared/api/index.js';
import { buildHttpApiEvent } from '#shared/sandbox/api-gateway-event.js';
import { routeSelector } from '#shared/sandbox/http-server.js';
import { createLambdaContext } from '#shared/sandbox/lambda-context.js';

export interface HttpEventOptions {
  headers?: Record<string, string>;
  /** Query parameters; an array repeats the key (`types=a&types=b`). */
  query?: Record<string, string | string[]>;
  /** Raw body; `json` and `form` also set the content type. */
  body?: string | Buffer;
  json?: unknown;
  form?: Record<string, string>;
  /** Force how the body is delivered; by default API Gateway's rule (text for JSON and text/*, else base64). */
  isBase64Encoded?: boolean;
  /** Default: the route of the API matching method and path, else `$default`. */
  routeKey?: string;
  pathParameters?: Record<string, string>;
  sourceIp?: string;
}

const selectRoute = routeSelector(
  allRoutes.map((route) => ({ method: route.method, path: route.path, area: 'api' })),
  'api',
);

function queryString(query: HttpEventOptions['query'] = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    for (const one of Array.isArray(value) ? value : [value]) params.append(key, one);
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

function bodyAndType(options: HttpEventOptions): { body?: Buffer; contentType?: string } {
  if (options.json !== undefined)
    return { body: Buffer.from(JSON.stringify(options.json)), contentType: 'application/json' };
  if (options.form) {
    return {
      body: Buffer.from(new URLSearchParams(options.form).toString()),
      contentType: 'application/x-www-form-urlencoded',
    };
  }
  return { body: options.body === undefined ? undefined : Buffer.from(options.body) };
}

function forceEncoding(event: APIGatewayProxyEventV2, body: Buffer | undefined, base64: boolean | undefined) {
  if (base64 === undefined || !body) return event;
  return { ...event, body: body.toString(base64 ? 'base64' : 'utf8'), isBase64Encoded: base64 };
}

/**
 * The API Gateway HTTP API (payload 2.0) event for a request, built by the sandbox's own event builder, for
 * calling a `functions/<area>.ts` handler directly: `await handler(httpEvent('GET', '/api/v1/users'), lambdaContext())`.
 */
export function httpEvent(
  method: string,
  path: string,
  options: HttpEventOptions = {},
): APIGatewayProxyEventV2 {
  const { body, contentType } = bodyAndType(options);
  const given = Object.entries(options.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]);
  const headers: Record<string, string> = {
    host: 'localhost:8000',
    'user-agent': 'vitest',
    ...(contentType && { 'content-type': contentType }),
    ...Object.fromEntries(given),
  };
  const matched = options.routeKey ? { routeKey: options.routeKey } : selectRoute(method, path).selection;
  const selection = { ...matched, ...(options.pathParameters && { pathParameters: options.pathParameters }) };
  const request = {
    method,
    target: `${path}${queryString(options.query)}`,
    rawHeaders: Object.entries(headers).flat(),
    body,
    sourceIp: options.sourceIp ?? '127.0.0.1',
    port: 8000,
  };
  return forceEncoding(buildHttpApiEvent(request, selection), body, options.isBase64Encoded);
}

/** A Lambda context with a 30 s deadline. */
export const lambdaContext = (functionName = 'test'): Context => createLambdaContext(functionName, 30_000);
