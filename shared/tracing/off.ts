import type { MiddlewareObj } from '@middy/core';

/**
 * The tracer of a function built without `-c tracing=true`: nothing. `#tracer` resolves here unless the bundle is
 * built with the `xray-tracer` condition (lib/bundling.ts), which resolves it to shared/tracing/xray.ts instead, so
 * untraced bundles carry no X-Ray SDK.
 */
export const traceInvocation = (): MiddlewareObj[] => [];

/** An AWS SDK client, as it is. */
export const traceClient = <T>(client: T): T => client;
