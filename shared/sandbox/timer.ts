import { setTimeout as sleep } from 'node:timers/promises';
import type { Context } from 'aws-lambda';
import { createLambdaContext } from '#shared/sandbox/lambda-context.js';

/** A Lambda handler invoked by EventBridge Scheduler (its result is ignored). */
export type ScheduledHandler = (event: unknown, context: Context) => Promise<unknown>;

export interface TimerOptions {
  /** Time between the end of one run and the start of the next; the first run comes one interval after start. */
  intervalMs: number;
  /** `functionName` of the Lambda context. */
  functionName: string;
  /** Deadline given to the handler, like the function timeout. */
  timeoutMs: number;
  onError?: (error: unknown) => void;
}

export interface Timer {
  /** Cancels the next run and waits for a run in progress to finish. */
  stop(): Promise<void>;
}

/**
 * The sandbox's stand-in for an EventBridge Scheduler rate schedule. Runs never overlap: the interval is counted
 * from the end of the previous run, so a slow run delays the next one instead of racing it.
 */
export function startTimer(handler: ScheduledHandler, options: TimerOptions): Timer {
  const abort = new AbortController();
  const onError = options.onError ?? ((error) => console.error(`[schedule ${options.functionName}]`, error));

  const loop = async () => {
    while (!abort.signal.aborted) {
      try {
        await sleep(options.intervalMs, undefined, { signal: abort.signal });
      } catch {
        break; // aborted while waiting
      }
      try {
        await handler({}, createLambdaContext(options.functionName, options.timeoutMs));
      } catch (error) {
        onError(error);
      }
    }
  };

  const running = loop();
  return {
    stop: async () => {
      abort.abort();
      await running;
    },
  };
}
