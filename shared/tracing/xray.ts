import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { MiddlewareObj } from '@middy/core';
import type * as untraced from '#shared/tracing/off.js';

/**
 * Powertools Tracer, in bundles built with `-c tracing=true` only (lib/bundling.ts): a `## index.handler` subsegment
 * per invocation annotated with `ColdStart` and `Service`, one subsegment per AWS SDK call and per outgoing request.
 * Nothing a function answers or an error says is recorded: answers carry health data and tokens, and an error's
 * message may quote a provider's answer. Powertools' own `fetch` capture is off: it keeps one current request per
 * process, so requests in flight side by side (a batch's records, a provider's parallel pages) were recorded under
 * each other; `traceRequest` opens each in its own context instead, and adds no header to the request.
 */
const tracer = new Tracer({ captureHTTPsRequests: false });

const nameOf = (error: unknown) => (error instanceof Error ? error.name : 'Error');

export const traceInvocation: typeof untraced.traceInvocation = () => {
  const { before, after } = captureLambdaHandler(tracer, { captureResponse: false });
  const middleware: MiddlewareObj = {
    before,
    after,
    // Runs after the HTTP layer has turned the error into its answer (middy runs onError handlers last-used first):
    // an answer below 500 (a 404, a refused key) is the API working, not a fault of the function.
    onError: (request) => {
      const status = (request.response as { statusCode?: number } | undefined)?.statusCode ?? 500;
      if (status >= 500 && tracer.isTracingEnabled()) {
        tracer.getSegment()?.addFaultFlag();
        tracer.putAnnotation('Error', nameOf(request.error));
      }
      return after?.(request);
    },
  };
  return [middleware];
};

export const traceClient: typeof untraced.traceClient = (client) =>
  tracer.captureAWSv3Client(client as Parameters<Tracer['captureAWSv3Client']>[0]) as typeof client;

export const traceRequest: typeof untraced.traceRequest = (method, url, send, statusOf) => {
  if (!tracer.isTracingEnabled()) return send();
  const target = new URL(url);
  const traced = tracer.provider.captureAsyncFunc(target.hostname, async (subsegment) => {
    if (!subsegment) return send();
    subsegment.namespace = 'remote';
    let status: number | null = null;
    try {
      const answer = await send();
      status = statusOf(answer);
      return answer;
    } finally {
      subsegment.addAttribute('http', {
        request: { method, url: `${target.protocol}//${target.host}${target.pathname}` },
        ...(status === null ? {} : { response: { status } }),
      });
      if (status === 429) subsegment.addThrottleFlag();
      if (status === null || status >= 500) subsegment.addFaultFlag();
      else if (status >= 400) subsegment.addErrorFlag();
      subsegment.close();
    }
  });
  return traced as ReturnType<typeof send>;
};
