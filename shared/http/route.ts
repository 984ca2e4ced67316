import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type * as z from 'zod/mini';
import type { Developer } from '#shared/store/developers.js';

/** Auth classes of contract section 2.3. */
export type AuthClass = 'NONE' | 'API' | 'DEV' | 'SDK' | 'TOKEN';
export type Method = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export type Caller =
  | { kind: 'anonymous' }
  | { kind: 'developer'; developer: Developer }
  | { kind: 'api_key'; keyId: string }
  | { kind: 'sdk'; userId: string; appId: string };

type Out<S> = S extends z.ZodMiniType ? z.output<S> : undefined;

export interface RouteContext<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  caller: Caller;
  headers: Record<string, string | undefined>;
  event: APIGatewayProxyEventV2;
}

/** OpenAPI-only facts about a route's responses that its schemas cannot carry. */
export interface RouteDoc {
  /**
   * Error statuses the handler and its input validation answer (400, 404, 501, ...), besides those of its auth
   * class, method and API Gateway (401, 403, 413, 429). Absent: 400 when it has inputs, 404 when its path has
   * parameters.
   */
  errors?: number[];
  /** Media types of a success body sent as text (HTML, scripts, styles), besides the JSON `response`. */
  mediaTypes?: string[];
  /** Other success statuses with the same body (a provider's verification handshake). */
  otherStatuses?: number[];
  /** A realistic success body, shown as the response example. */
  example?: unknown;
}

export interface Route<
  P extends z.ZodMiniType | undefined = z.ZodMiniType | undefined,
  Q extends z.ZodMiniType | undefined = z.ZodMiniType | undefined,
  B extends z.ZodMiniType | undefined = z.ZodMiniType | undefined,
> {
  method: Method;
  path: string;
  auth: AuthClass;
  /** The route is public (`NONE`) while this returns true: an operator's opt-in to the reference's behaviour. */
  publicWhen?: () => boolean;
  /**
   * Called by the mobile SDKs (push, logs, token refresh, invitation redeem): API Gateway gives it its own, higher
   * throttle (lib/api.ts). A 429 there would make the iOS SDK skip data for good; every SDK retries a 503.
   */
  mobile?: boolean;
  /** OpenAPI tag and one-line summary. */
  tag: string;
  summary: string;
  /** Success status when `handle` returns plain data (default 200). */
  status?: number;
  params?: P;
  query?: Q;
  body?: B;
  /** How the body is decoded before `body` parses it (default json). */
  bodyFormat?: 'json' | 'form';
  /** Response schema, for the OpenAPI document only; name it with `z.meta({ id })` (its component name). */
  response?: z.ZodMiniType;
  /** What else the OpenAPI document says about the responses (no effect on handling). */
  doc?: RouteDoc;
  handle(ctx: RouteContext<Out<P>, Out<Q>, Out<B>>): Promise<unknown>;
}

/** Identity function that ties a route's schemas to its handler's argument types. */
export function defineRoute<
  P extends z.ZodMiniType | undefined = undefined,
  Q extends z.ZodMiniType | undefined = undefined,
  B extends z.ZodMiniType | undefined = undefined,
>(route: Route<P, Q, B>): Route {
  return route as unknown as Route;
}

/**
 * A response other than "plain JSON with the route's status": redirects, 204s, custom headers, HTML. A string
 * body with a content type is sent as is, a Buffer body base64-encoded (binary or compressed content).
 */
export class Reply {
  constructor(
    readonly statusCode: number,
    readonly body?: unknown,
    readonly headers: Record<string, string> = {},
  ) {}

  static noContent = () => new Reply(204);
  static redirect = (location: string, statusCode = 303) => new Reply(statusCode, undefined, { location });
  static html = (html: string) => new Reply(200, html, { 'content-type': 'text/html; charset=utf-8' });
}
