import { randomBytes } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { LOCAL_ACCOUNT_ID } from '#shared/sandbox/local-aws.js';

/** An HTTP request as it reached the gateway. */
export interface GatewayRequest {
  method: string;
  /** Request target: path and query string, e.g. `/api/v1/users?limit=5`. */
  target: string;
  /** Header names and values in arrival order, as node's `IncomingMessage.rawHeaders`. */
  rawHeaders: string[];
  body?: Buffer;
  sourceIp: string;
  /** The port the client connected to (x-forwarded-port). */
  port: number;
  protocol?: string;
}

/** The route API Gateway selected: `METHOD /path/{param}` and the captured parameters, or `$default`. */
export interface RouteSelection {
  routeKey: string;
  pathParameters?: Record<string, string>;
}

const LOCAL_API_ID = 'local';

/**
 * Bodies of text/* and of these types reach the function as text; any other body (form posts and bodies without a
 * content type included) and any content-encoded body arrive base64-encoded. AWS does not document the list; this
 * is the behaviour measured on a real HTTP API.
 */
const TEXT_MEDIA_TYPES = new Set(['application/json', 'application/xml', 'application/javascript']);

function decodePath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/** HTTP APIs hand the function a percent-decoded path and the query string as sent. */
export function splitTarget(target: string): { path: string; rawQueryString: string } {
  const withoutFragment = target.split('#')[0] ?? '';
  const mark = withoutFragment.indexOf('?');
  const rawPath = mark < 0 ? withoutFragment : withoutFragment.slice(0, mark);
  return {
    path: decodePath(rawPath || '/'),
    rawQueryString: mark < 0 ? '' : withoutFragment.slice(mark + 1),
  };
}

/** Lower-cased names, duplicates comma-joined; `cookie` headers become the separate `cookies` list. */
function collectHeaders(rawHeaders: string[]): { headers: Record<string, string>; cookies: string[] } {
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toLowerCase();
    const value = rawHeaders[i + 1]!;
    if (name === 'cookie') {
      cookies.push(
        ...value
          .split(';')
          .map((c) => c.trim())
          .filter(Boolean),
      );
    } else {
      headers[name] = name in headers ? `${headers[name]},${value}` : value;
    }
  }
  return { headers, cookies };
}

function queryStringParameters(rawQueryString: string): Record<string, string> | undefined {
  if (!rawQueryString) return undefined;
  const params: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(rawQueryString)) {
    params[key] = key in params ? `${params[key]},${value}` : value;
  }
  return params;
}

function isTextBody(headers: Record<string, string>): boolean {
  if (headers['content-encoding']) return false;
  const mediaType = headers['content-type']?.split(';')[0]?.trim().toLowerCase() ?? '';
  return mediaType.startsWith('text/') || TEXT_MEDIA_TYPES.has(mediaType);
}

function encodeBody(body: Buffer | undefined, headers: Record<string, string>) {
  if (!body || body.length === 0) return { isBase64Encoded: false };
  return isTextBody(headers)
    ? { body: body.toString('utf8'), isBase64Encoded: false }
    : { body: body.toString('base64'), isBase64Encoded: true };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `requestContext.time`, e.g. `12/Mar/2020:19:03:58 +0000`. */
function gatewayTime(date: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  const day = `${two(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}`;
  return `${day}:${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} +0000`;
}

/** Headers API Gateway adds on the way in. */
function forwardingHeaders(request: GatewayRequest, headers: Record<string, string>, now: Date) {
  const forwardedFor = headers['x-forwarded-for'];
  const epochHex = Math.floor(now.getTime() / 1000).toString(16);
  return {
    'x-forwarded-for': forwardedFor ? `${forwardedFor}, ${request.sourceIp}` : request.sourceIp,
    'x-forwarded-port': String(request.port),
    'x-forwarded-proto': 'http',
    'x-amzn-trace-id': `Root=1-${epochHex}-${randomBytes(12).toString('hex')}`,
  };
}

/** The event API Gateway HTTP API (payload format 2.0, stage `$default`) sends to the route's Lambda. */
export function buildHttpApiEvent(
  request: GatewayRequest,
  route: RouteSelection,
  now: Date = new Date(),
): APIGatewayProxyEventV2 {
  const { path, rawQueryString } = splitTarget(request.target);
  const { headers: received, cookies } = collectHeaders(request.rawHeaders);
  const headers: Record<string, string> = { ...received, ...forwardingHeaders(request, received, now) };
  const domainName = (headers.host ?? 'localhost').replace(/:\d+$/, '');
  const query = queryStringParameters(rawQueryString);
  const hasPathParameters = route.pathParameters && Object.keys(route.pathParameters).length > 0;
  return {
    version: '2.0',
    routeKey: route.routeKey,
    rawPath: path,
    rawQueryString,
    ...(cookies.length > 0 && { cookies }),
    headers,
    ...(query && { queryStringParameters: query }),
    requestContext: {
      accountId: LOCAL_ACCOUNT_ID,
      apiId: LOCAL_API_ID,
      domainName,
      domainPrefix: domainName.split('.')[0] ?? domainName,
      http: {
        method: request.method,
        path,
        protocol: request.protocol ?? 'HTTP/1.1',
        sourceIp: request.sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomBytes(11).toString('base64'),
      routeKey: route.routeKey,
      stage: '$default',
      time: gatewayTime(now),
      timeEpoch: now.getTime(),
    },
    ...(hasPathParameters && { pathParameters: route.pathParameters }),
    ...encodeBody(request.body, headers),
  };
}
