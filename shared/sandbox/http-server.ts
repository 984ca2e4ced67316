import {
  createServer,
  type IncomingMessage,
  type RequestListener,
  type Server,
  type ServerResponse,
} from 'node:http';
import httpRouter, { type Method } from '@middy/http-router';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { CORS_ALLOWED_HEADERS, CORS_MAX_AGE_SECONDS } from '#shared/http/cors.js';
import { buildHttpApiEvent, type RouteSelection, splitTarget } from '#shared/sandbox/api-gateway-event.js';
import { createLambdaContext } from '#shared/sandbox/lambda-context.js';

/** One route of the HTTP API and the area (Lambda) serving it. */
export interface HttpApiRoute {
  method: Method;
  path: string;
  area: string;
}

export type HttpApiHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<unknown>;

export interface HttpApiOptions {
  routes: HttpApiRoute[];
  /** The Lambda handler of each area. */
  handlers: Record<string, HttpApiHandler>;
  /** The area bound to the `$default` route. */
  fallbackArea: string;
  onError?: (error: unknown, area: string) => void;
}

/**
 * Lambda's synchronous payload limit, which caps what API Gateway can pass on. The same value as MAX_BODY_BYTES
 * of shared/http/request.ts, not imported: that module brings the function code (logger, metrics, env schemas),
 * which the sandbox loads only once it has set the environment.
 */
export const MAX_REQUEST_BODY_BYTES = 6 * 1024 * 1024;

/** API Gateway's integration timeout, the most a function behind it can get. */
const INTEGRATION_TIMEOUT_MS = 29_000;

/** The HTTP API's CORS configuration (the same constants as `corsPreflight` in lib/api.ts). */
const CORS_PREFLIGHT_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': '*',
  'access-control-allow-headers': CORS_ALLOWED_HEADERS.join(','),
  'access-control-max-age': String(CORS_MAX_AGE_SECONDS),
};

interface Reply {
  statusCode: number;
  headers: Record<string, string>;
  cookies: string[];
  body: Buffer;
}

const jsonReply = (statusCode: number, value: unknown, headers: Record<string, string> = {}): Reply => ({
  statusCode,
  headers: { 'content-type': 'application/json', ...headers },
  cookies: [],
  body: Buffer.from(JSON.stringify(value)),
});

const internalError = () => jsonReply(500, { detail: 'Internal Server Error' });

const tooLarge = () =>
  jsonReply(
    413,
    { detail: `Request body too large: the limit is ${MAX_REQUEST_BODY_BYTES} bytes (6 MB)` },
    { connection: 'close' },
  );

/** API Gateway's route selection, with the router the Lambdas use: a route of an area, or `$default`. */
export function routeSelector(routes: HttpApiRoute[], fallbackArea: string) {
  type Probe = { version: '2.0'; requestContext: { http: { method: string; path: string } } } & {
    pathParameters?: Record<string, string>;
  };
  const router = httpRouter({
    routes: routes.map((route) => ({
      method: route.method,
      path: route.path,
      handler: () => route as never,
    })),
    notFoundResponse: () => undefined,
  }) as unknown as (probe: Probe) => HttpApiRoute | undefined;
  return (method: string, path: string): { area: string; selection: RouteSelection } => {
    const probe: Probe = { version: '2.0', requestContext: { http: { method, path } } };
    const route = router(probe);
    if (!route) return { area: fallbackArea, selection: { routeKey: '$default' } };
    const selection = { routeKey: `${route.method} ${route.path}`, pathParameters: probe.pathParameters };
    return { area: route.area, selection };
  };
}

/** The request body, or 'too-large' as soon as it (declared or received) exceeds `limit`. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  if (Number(req.headers['content-length'] ?? 0) > limit) return Promise.resolve('too-large');
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      req.off('data', onData);
      resolve('too-large');
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

const isPreflight = (req: IncomingMessage) =>
  req.method === 'OPTIONS' &&
  Boolean(req.headers.origin) &&
  Boolean(req.headers['access-control-request-method']);

const preflight = (): Reply => ({
  statusCode: 204,
  headers: { ...CORS_PREFLIGHT_HEADERS },
  cookies: [],
  body: Buffer.alloc(0),
});

/** How API Gateway reads a payload-2.0 function result: structured when it has a statusCode, else JSON. */
export function toReply(result: unknown): Reply {
  if (typeof result === 'object' && result !== null && 'statusCode' in result) {
    const {
      statusCode,
      headers = {},
      cookies = [],
      body = '',
      isBase64Encoded,
    } = result as Record<string, never>;
    if (typeof statusCode !== 'number' || typeof body !== 'string') return internalError();
    return {
      statusCode,
      headers: Object.fromEntries(
        Object.entries(headers as object).map(([k, v]) => [k.toLowerCase(), String(v)]),
      ),
      cookies,
      body: Buffer.from(body, isBase64Encoded ? 'base64' : 'utf8'),
    };
  }
  const body = typeof result === 'string' ? result : (JSON.stringify(result) ?? '');
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    cookies: [],
    body: Buffer.from(body),
  };
}

function send(res: ServerResponse, reply: Reply, origin: string | undefined): void {
  const headers: Record<string, string | string[]> = { ...reply.headers };
  delete headers['transfer-encoding'];
  if (reply.cookies.length > 0) headers['set-cookie'] = reply.cookies;
  if (origin) headers['access-control-allow-origin'] = '*';
  headers['content-length'] = String(reply.body.length);
  try {
    res.writeHead(reply.statusCode, headers);
  } catch {
    // A header value HTTP cannot carry (CR/LF...): API Gateway answers such an integration response with a 500.
    const fallback = internalError();
    res.writeHead(fallback.statusCode, {
      ...fallback.headers,
      'content-length': String(fallback.body.length),
    });
    res.end(fallback.body);
    return;
  }
  res.end(reply.body);
}

const clientIp = (req: IncomingMessage) => (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');

/**
 * A request listener emulating API Gateway HTTP API in front of the area Lambdas: CORS, the 6 MB limit, route
 * selection, the payload 2.0 event and the mapping of the function result back to HTTP.
 */
export function createHttpApi(options: HttpApiOptions): RequestListener {
  const select = routeSelector(options.routes, options.fallbackArea);
  const onError = options.onError ?? ((error, area) => console.error(`[${area}] unhandled error`, error));

  const invoke = async (req: IncomingMessage, body: Buffer): Promise<Reply> => {
    const method = req.method ?? 'GET';
    const target = req.url ?? '/';
    const { area, selection } = select(method, splitTarget(target).path);
    const request = {
      method,
      target,
      rawHeaders: req.rawHeaders,
      body,
      sourceIp: clientIp(req),
      port: req.socket.localPort ?? 0,
      protocol: `HTTP/${req.httpVersion}`,
    };
    try {
      const handler = options.handlers[area];
      if (!handler) throw new Error(`no handler for area ${area}`);
      const result = await handler(
        buildHttpApiEvent(request, selection),
        createLambdaContext(area, INTEGRATION_TIMEOUT_MS),
      );
      return toReply(result);
    } catch (error) {
      onError(error, area);
      return internalError();
    }
  };

  return (req, res) => {
    const respond = async (): Promise<Reply> => {
      if (isPreflight(req)) return preflight();
      const body = await readBody(req, MAX_REQUEST_BODY_BYTES);
      return body === 'too-large' ? tooLarge() : invoke(req, body);
    };
    respond()
      .catch((error: unknown) => {
        onError(error, 'gateway');
        return internalError();
      })
      .then((reply) => send(res, reply, req.headers.origin));
  };
}

export interface HttpListener {
  server: Server;
  port: number;
  /** Replaces the request listener (the sandbox answers 503 until the handlers are loaded). */
  use(listener: RequestListener): void;
  close(): Promise<void>;
}

/** Binds `port` (0: any free port), failing with a plain explanation when it is taken. */
export function listenHttp(port: number, host: string, listener: RequestListener): Promise<HttpListener> {
  let current = listener;
  const server = createServer((req, res) => current(req, res));
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EADDRINUSE') return reject(error);
      reject(new Error(`Port ${port} is already in use: stop the other process or set PORT=<another port>`));
    });
    server.listen(port, host, () => {
      resolve({
        server,
        port: (server.address() as { port: number }).port,
        use: (next) => {
          current = next;
        },
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
