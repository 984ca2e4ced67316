import type { MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import { baseEnvSchema, env } from '#shared/config/env.js';

const LEVELS = { DEBUG: 8, INFO: 12, WARN: 16, ERROR: 20, CRITICAL: 24, SILENT: 28 } as const;
type Level = Exclude<keyof typeof LEVELS, 'SILENT'>;

const logEnv = baseEnvSchema.pick({ POWERTOOLS_SERVICE_NAME: true, POWERTOOLS_LOG_LEVEL: true });

/** The X-Ray trace of the current invocation: Lambda sets the variable anew for each request, so it is not config. */
function traceId(): { xray_trace_id?: string } {
  const root = process.env._X_AMZN_TRACE_ID?.split(';')[0];
  return root?.startsWith('Root=') ? { xray_trace_id: root.slice(5) } : {};
}

/** An Error as a log line can hold it: JSON.stringify writes `{}` for one. */
const errorFields = ({ name, message, stack }: Error) => ({ name, message, stack });

/**
 * The structured JSON logger of every function: one line per entry on stdout (Lambda's JSON log format keeps it
 * as is and filters by its `level`), with the service, the Lambda context of the current invocation and the
 * entry's attributes; an Error attribute is written as its name, message and stack. The level comes from
 * `POWERTOOLS_LOG_LEVEL` (the stack's `logLevel`; the variable keeps its name from Powertools Logger).
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
    const fields: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(attributes)) {
      fields[key] = value instanceof Error ? errorFields(value) : value;
    }
    const line = {
      level,
      message,
      timestamp: new Date().toISOString(),
      service: POWERTOOLS_SERVICE_NAME,
      ...this.invocation,
      ...traceId(),
      ...fields,
    };
    let text: string;
    try {
      text = JSON.stringify(line);
    } catch (error) {
      // A circular or BigInt attribute: the entry is still written, without its attributes.
      text = JSON.stringify({
        level,
        message,
        timestamp: line.timestamp,
        unserializable: (error as Error).message,
      });
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
