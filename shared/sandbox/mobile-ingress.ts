import { randomUUID } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent, Context } from 'aws-lambda';
import { readBody } from '#shared/sandbox/http-server.js';
import { createLambdaContext } from '#shared/sandbox/lambda-context.js';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from '#shared/sandbox/local-aws.js';

/**
 * The mobile ingress of lib/mobile-ingress.ts on this machine, on its own port as on AWS it has its own URL: the
 * push route is storage-first (the authorizer function, then the body stored as an object and an object-created
 * notification queued, then the reference's 202), with API Gateway's 10 MB limit; every other request goes to the
 * HTTP API listener, as the REST API proxies it.
 */

export type AuthorizerHandler = (
  event: APIGatewayRequestAuthorizerEvent,
  context: Context,
) => Promise<APIGatewayAuthorizerResult>;

export interface MobileIngressOptions {
  authorizer: AuthorizerHandler;
  /** Stores an upload under `key` (the object store) and queues its notification. */
  accept(userId: string, requestId: string, body: Buffer): Promise<void>;
  /** The HTTP API, for every other request. */
  forward: RequestListener;
  maxBodyBytes: number;
}

const PUSH_ROUTE = /^\/api\/v1\/sdk\/users\/([^/]+)\/sync$/;
const AUTHORIZER_TIMEOUT_MS = 10_000;

function reply(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}) {
  const body = Buffer.from(JSON.stringify(value));
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': String(body.length),
    ...headers,
  });
  res.end(body);
}

function authorizerEvent(req: IncomingMessage, path: string, userId: string, requestId: string) {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const [name, value] = [req.rawHeaders[i]!, req.rawHeaders[i + 1]!];
    headers[name] = value;
    multiValueHeaders[name] = [...(multiValueHeaders[name] ?? []), value];
  }
  return {
    type: 'REQUEST',
    methodArn: `arn:aws:execute-api:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:local/mobile/POST${path}`,
    resource: '/api/v1/sdk/users/{user_id}/sync',
    path,
    httpMethod: 'POST',
    headers,
    multiValueHeaders,
    pathParameters: { user_id: userId },
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    stageVariables: null,
    requestContext: { requestId, stage: 'mobile', httpMethod: 'POST', path: `/mobile${path}` },
  } as unknown as APIGatewayRequestAuthorizerEvent;
}

export function createMobileIngress(options: MobileIngressOptions): RequestListener {
  const push = async (req: IncomingMessage, res: ServerResponse, path: string, rawUser: string) => {
    let userId: string;
    try {
      userId = decodeURIComponent(rawUser);
    } catch {
      userId = rawUser;
    }
    const body = await readBody(req, options.maxBodyBytes);
    if (body === 'too-large') {
      const limit = `${options.maxBodyBytes} bytes (${options.maxBodyBytes / 1024 / 1024} MB)`;
      return reply(
        res,
        413,
        { detail: `Request body too large: the limit is ${limit}` },
        { connection: 'close' },
      );
    }
    const requestId = randomUUID();
    let decision: APIGatewayAuthorizerResult;
    try {
      decision = await options.authorizer(
        authorizerEvent(req, path, userId, requestId),
        createLambdaContext('sdk-authorizer', AUTHORIZER_TIMEOUT_MS),
      );
    } catch (error) {
      if (error instanceof Error && error.message === 'Unauthorized') {
        return reply(res, 401, { detail: 'Could not validate credentials' });
      }
      return reply(res, 500, { detail: 'Internal Server Error' });
    }
    const allowed = decision.policyDocument.Statement.every((s) => s.Effect === 'Allow');
    if (!allowed) return reply(res, 403, { detail: String(decision.context?.detail ?? 'Forbidden') });
    try {
      await options.accept(userId, requestId, body);
    } catch {
      return reply(
        res,
        503,
        { detail: 'Service temporarily overloaded, please retry' },
        { 'retry-after': '1' },
      );
    }
    reply(res, 202, {
      status_code: 202,
      response: 'Import task queued successfully',
      user_id: userId,
      dropped_count: 0,
      records_saved: 0,
      workouts_saved: 0,
      sleep_saved: 0,
    });
  };

  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const match = req.method === 'POST' ? PUSH_ROUTE.exec(path) : null;
    if (!match) return options.forward(req, res);
    push(req, res, path, match[1]!).catch(() => {
      if (!res.headersSent) reply(res, 500, { detail: 'Internal Server Error' });
    });
  };
}
