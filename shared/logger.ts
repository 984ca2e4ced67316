import type { MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import * as z from 'zod/mini';
import { baseEnvSchema, env } from '#shared/config/env.js';
import { mappedStack } from '#shared/source-mapped-stack.js';

const LEVELS = { DEBUG: 8, INFO: 12, WARN: 16, ERROR: 20, CRITICAL: 24, SILENT: 28 } as const;
type Level = Exclude<keyof typeof LEVELS, 'SILENT'>;

const logEnv = z.pick(baseEnvSchema, { POWERTOOLS_SERVICE_NAME: true, POWERTOOLS_LOG_LEVEL: true });

/** The X-Ray trace of the current invocation: Lambda sets the variable anew for each request, so it is not config. */
function traceId(): { xray_trace_id?: string } {
  const root = process.env._X_AMZN_TRACE_ID?.split(';')[0];
  return root?.startsWith('Root=') ? { xray_trace_id: root.slice(5) } : {};
}

/** What an Error adds besides name, message, stack and cause: AWS SDK request facts and our HTTP statuses. */
const ERROR_EXTRAS = ['$fault', '$metadata', 'code', 'status', 'statusCode'] as const;

/**
 * How a log line serialises its attributes, at any depth: an Error as its name, message, stack (pointing at the
 * original sources, shared/source-mapped-stack.ts), cause and `ERROR_EXTRAS` (never other fields: a provider
 * error's body may hold personal data); a BigInt as its digits; an object met a second time as "[Circular]" (a
 * repeated reference too, which keeps a cycle from recursing).
 */
function logReplacer() {
  const seen = new WeakSet<object>();
  return (_key: string, value: unknown) => {
    if (typeof value === 'bigint') return value.toString();
    if (typeof value !== 'object' || value === null) return value;
    if (seen.has(value)) return '[Circular]';
    seen.add(value);
    if (!(value instanceof Error)) return value;
    const { name, message, cause } = value;
    const stack = mappedStack(value);
    const extras = ERROR_EXTRAS.filter((key) => key in value).map((key) => [key, (value as never)[key]]);
    return { name, message, stack, ...(cause !== undefined && { cause }), ...Object.fromEntries(extras) };
  };
}

/**
 * The structured JSON logger of every function: one line per entry on stdout (Lambda's JSON log format keeps it
 * as is and filters by its `level`), with the entry's attributes (see `logReplacer`), the service and the Lambda
 * context of the current invocation. The level comes from `POWERTOOLS_LOG_LEVEL` (the stack's `logLevel`; the
 * variable keeps its name from Powertools Logger).
 */
export class Logger {
  private invocation: Record<string, unknown> = {};
  private coldStart = true;

  debug(message: string, attributes?: Record<string, unknown>): void {
    this.write('DEBUG', message, attributes);
  }
  info(message: string, attributes?: Record<string, unknown>): void {
    this.write('INFO', message, attributes);
  }
  warn(message: string, attributes?: Record<string, unknown>): void {
    this.write('WARN', message, attributes);
  }
  error(message: string, attributes?: Record<string, unknown>): void {
    this.write('ERROR', message, attributes);
  }

  /** The invocation the following entries belong to (the first one of a process is its cold start). */
  setInvocation(context: Context): void {
    this.invocation = {
      cold_start: this.coldStart,
      function_name: context.functionName,
      function_memory_size: Number(context.memoryLimitInMB),
      function_request_id: context.awsRequestId,
    };
    this.coldStart = false;
  }

  private write(level: Level, message: string, attributes: Record<string, unknown> = {}): void {
    const { POWERTOOLS_LOG_LEVEL, POWERTOOLS_SERVICE_NAME } = env(logEnv);
    if (LEVELS[level] < LEVELS[POWERTOOLS_LOG_LEVEL ?? 'INFO']) return;
    // The standard fields last: an attribute never replaces them (Lambda filters on `level`, searches on `message`).
    const standard = {
      level,
      message,
      timestamp: new Date().toISOString(),
      service: POWERTOOLS_SERVICE_NAME,
      ...this.invocation,
      ...traceId(),
    };
    let text: string;
    try {
      text = JSON.stringify({ ...attributes, ...standard }, logReplacer());
    } catch (error) {
      // An attribute that throws when serialised (a throwing getter or toJSON): the entry without its attributes.
      text = JSON.stringify({ ...standard, unserializable: (error as Error).message });
    }
    process.stdout.write(`${text}\n`);
  }
}

/** The middy middleware that tells `logger` which invocation it is logging for. */
export const logInvocation = (logger: Logger): MiddlewareObj => ({
  before: (request) => {
    logger.setInvocation(request.context);
  },
});
