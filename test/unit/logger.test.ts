import type { Context } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { resetEnvCache } from '#shared/config/env.js';
import { Logger } from '#shared/logger.js';

/** The log lines a logger wrote to stdout, parsed. */
function captureLines() {
  const lines: Record<string, unknown>[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
    for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
    return true;
  });
  return lines;
}

const context = (requestId: string) =>
  ({ functionName: 'open-wearables-dev-sync', memoryLimitInMB: '1024', awsRequestId: requestId }) as Context;

describe('the structured logger (shared/logger.ts)', () => {
  beforeEach(() => {
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'INFO');
    vi.stubEnv('POWERTOOLS_SERVICE_NAME', 'open-wearables');
    resetEnvCache();
  });
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
    resetEnvCache();
  });

  it('writes one JSON line per entry at or above the level, with the service and the attributes', () => {
    const lines = captureLines();
    const logger = new Logger();
    logger.debug('hidden');
    logger.info('sync done', { run_id: 'r1', units: 3 });
    logger.warn('slow');
    expect(lines.map((line) => [line.level, line.message])).toEqual([
      ['INFO', 'sync done'],
      ['WARN', 'slow'],
    ]);
    expect(lines[0]).toMatchObject({ service: 'open-wearables', run_id: 'r1', units: 3 });
    expect(Number.isNaN(Date.parse(String(lines[0]!.timestamp)))).toBe(false);
  });

  it('writes nothing when the level is SILENT, only errors at ERROR', () => {
    const lines = captureLines();
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
    resetEnvCache();
    new Logger().error('not written');
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'ERROR');
    resetEnvCache();
    const logger = new Logger();
    logger.warn('not written either');
    logger.error('written');
    expect(lines.map((line) => line.message)).toEqual(['written']);
  });

  it('writes an Error, at any depth, as its name, message, stack, cause and request facts, no other field', () => {
    const lines = captureLines();
    const cause = new RangeError('socket hang up');
    const sdkError = Object.assign(new Error('Rate exceeded', { cause }), {
      name: 'ThrottlingException',
      $metadata: { httpStatusCode: 400, requestId: 'req-9' },
      body: 'a provider body with personal data',
    });
    new Logger().error('failed', { error: new TypeError('bad input'), failures: [{ error: sdkError }] });
    expect(lines[0]!.error).toMatchObject({ name: 'TypeError', message: 'bad input' });
    expect(String((lines[0]!.error as { stack: string }).stack)).toContain('TypeError: bad input');
    const nested = (lines[0]!.failures as Array<{ error: Record<string, unknown> }>)[0]!.error;
    expect(nested).toMatchObject({
      name: 'ThrottlingException',
      message: 'Rate exceeded',
      $metadata: { httpStatusCode: 400, requestId: 'req-9' },
      cause: { name: 'RangeError', message: 'socket hang up' },
    });
    expect(nested).not.toHaveProperty('body');
  });

  it('keeps its own fields when attributes use their names', () => {
    const lines = captureLines();
    new Logger().warn('provider identity lookup failed', {
      message: 'other',
      level: 'DEBUG',
      timestamp: 1,
      x: 1,
    });
    expect(lines[0]).toMatchObject({ level: 'WARN', message: 'provider identity lookup failed', x: 1 });
    expect(typeof lines[0]!.timestamp).toBe('string');
  });

  it('names the invocation: the first is the cold start, and the X-Ray trace is the current one', () => {
    const lines = captureLines();
    const logger = new Logger();
    vi.stubEnv('_X_AMZN_TRACE_ID', 'Root=1-abc-def;Parent=1;Sampled=1');
    logger.setInvocation(context('req-1'));
    logger.info('first');
    vi.stubEnv('_X_AMZN_TRACE_ID', 'Root=1-xyz-uvw;Parent=2;Sampled=0');
    logger.setInvocation(context('req-2'));
    logger.info('second');
    expect(lines[0]).toMatchObject({
      cold_start: true,
      function_name: 'open-wearables-dev-sync',
      function_memory_size: 1024,
      function_request_id: 'req-1',
      xray_trace_id: '1-abc-def',
    });
    expect(lines[1]).toMatchObject({
      cold_start: false,
      function_request_id: 'req-2',
      xray_trace_id: '1-xyz-uvw',
    });
  });

  it('writes cycles, repeated objects and BigInts without losing the entry or its invocation', () => {
    const lines = captureLines();
    const logger = new Logger();
    logger.setInvocation(context('req-3'));
    const circular: Record<string, unknown> = { name: 'loop' };
    circular.self = circular;
    const looping = new Error('loops');
    (looping as { cause?: unknown }).cause = looping;
    expect(() => logger.warn('odd attributes', { circular, big: 12n, looping })).not.toThrow();
    expect(lines[0]).toMatchObject({
      level: 'WARN',
      message: 'odd attributes',
      function_request_id: 'req-3',
      circular: { name: 'loop', self: '[Circular]' },
      big: '12',
      looping: { message: 'loops', cause: '[Circular]' },
    });
  });

  it('writes the entry with its invocation but without attributes when one throws as it is serialised', () => {
    const lines = captureLines();
    const logger = new Logger();
    logger.setInvocation(context('req-4'));
    logger.error('odd attribute', {
      broken: {
        toJSON: () => {
          throw new Error('no');
        },
      },
    });
    expect(lines[0]).toMatchObject({
      level: 'ERROR',
      message: 'odd attribute',
      function_request_id: 'req-4',
    });
    expect(lines[0]).not.toHaveProperty('broken');
    expect(lines[0]!.unserializable).toBe('no');
  });
});
