import type * as untraced from '#shared/tracing/off.js';

/** What the code under test handed `traceRequest`, in order. */
export const traced: { method: string; url: string; status: number | null }[] = [];

/**
 * `#tracer` as a traced bundle (`-c tracing=true`) has it, with `traceRequest` recording its arguments instead of
 * writing to X-Ray; what the tracer makes of them is test/infra/tracing.test.ts's. A test file mocks with it:
 * `vi.mock('#tracer', async (original) => (await import('#test/helpers/trace-recorder.js')).recordingTracer(await original()))`.
 */
export function recordingTracer(original: typeof untraced): typeof untraced {
  return {
    ...original,
    traceRequest: async (method, url, send, statusOf) => {
      const answer = await send();
      traced.push({ method, url, status: statusOf(answer) });
      return answer;
    },
  };
}
