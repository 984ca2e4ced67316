import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { MiddlewareObj } from '@middy/core';
import type * as untraced from '#shared/tracing/off.js';

/**
 * Powertools Tracer, in bundles built with `-c tracing=true` only (lib/bundling.ts): a `## index.handler` subsegment
 * per invocation annotated with `ColdStart` and `Service`, one subsegment per AWS SDK call and per outgoing `fetch`
 * (provider APIs: host and path, never the query). Responses are never recorded: they carry health data and tokens.
 */
const tracer = new Tracer();

export const traceInvocation: typeof untraced.traceInvocation = () => {
  const { before, after, onError } = captureLambdaHandler(tracer, { captureResponse: false });
  const middleware: MiddlewareObj = {
    before,
    after,
    // Runs after the HTTP layer has turned the error into its answer (middy runs onError handlers last-used first):
    // an answer below 500 (a 404, a refused key) is the API working, not a fault of the function.
    onError: (request) => {
      const status = (request.response as { statusCode?: number } | undefined)?.statusCode ?? 500;
      return status < 500 ? after?.(request) : onError?.(request);
    },
  };
  return [middleware];
};

export const traceClient: typeof untraced.traceClient = (client) =>
  tracer.captureAWSv3Client(client as Parameters<Tracer['captureAWSv3Client']>[0]) as typeof client;
