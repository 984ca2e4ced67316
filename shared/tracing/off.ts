import type { MiddlewareObj } from '@middy/core';

/**
 * The tracer of a function built without `-c tracing=true`: nothing. `#tracer` resolves here unless the bundle is
 * built with the `xray-tracer` condition (lib/bundling.ts), which resolves it to shared/tracing/xray.ts instead, so
 * untraced bundles carry no X-Ray SDK.
 */
export const traceInvocation = (): MiddlewareObj[] => [];

/** An AWS SDK client, as it is. */
export const traceClient = <T>(client: T): T => client;

/**
 * An outgoing HTTP request (provider APIs, token endpoints, webhook deliveries): `send` as it is. `statusOf` reads
 * the answer's status, null when none came.
 */
export const traceRequest = <T>(
  _method: string,
  _url: string,
  send: () => Promise<T>,
  _statusOf: (answer: T) => number | null,
): Promise<T> => send();
