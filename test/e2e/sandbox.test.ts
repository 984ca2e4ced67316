import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { gunzipSync, gzipSync } from 'node:zlib';
import { DescribeTableCommand, DescribeTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2, SQSRecord } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { bodyBytes, queryParams } from '#shared/http/request.js';
import { createUser } from '#shared/identity/users.js';
import { QUEUES, type QueueName, visibilityTimeoutSeconds } from '#shared/jobs/queues.js';
import { SCHEDULES } from '#shared/jobs/schedules.js';
import { logger } from '#shared/observability.js';
import { buildHttpApiEvent } from '#shared/sandbox/api-gateway-event.js';
import { readSandboxConfig } from '#shared/sandbox/config.js';
import { ensureTable, localDynamoClient, startDynamoLocal } from '#shared/sandbox/dynamo.js';
import {
  createHttpApi,
  type HttpApiHandler,
  type HttpListener,
  listenHttp,
} from '#shared/sandbox/http-server.js';
import { startSandbox } from '#shared/sandbox/sandbox.js';
import { handlesToDelete, type LocalSqs, type SqsHandler, startLocalSqs } from '#shared/sandbox/sqs.js';
import { startTimer } from '#shared/sandbox/timer.js';
import { saveDataSources, toDataSource } from '#shared/store/data-sources.js';
import { profileState, tombstoneUser, userItemKeys } from '#shared/store/users.js';
import { httpEvent, lambdaContext } from '#test/helpers/events.js';
import { sourceRef } from '#test/helpers/health-data.js';
import { apiClient, startTestSandbox, type TestSandbox } from '#test/helpers/sandbox.js';

// The real modules, observed: a test checks what startSandbox started (nothing, when its port is taken).
vi.mock('#shared/sandbox/dynamo.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('#shared/sandbox/dynamo.js')>();
  return { ...real, startDynamoLocal: vi.fn(real.startDynamoLocal) };
});
vi.mock('#shared/sandbox/sqs.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('#shared/sandbox/sqs.js')>();
  return { ...real, startLocalSqs: vi.fn(real.startLocalSqs) };
});

const REPO_ROOT = new URL('../../', import.meta.url).pathname;
const TOO_LARGE = { detail: 'Request body too large: the limit is 6291456 bytes (6 MB)' };

/** Sends a request with exact header lines (duplicates included) and an optionally chunked body. */
function rawRequest(
  url: string,
  options: { method: string; headers: Record<string, string | string[]>; chunks?: Buffer[] },
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (chunk: Buffer) => parts.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString() }));
    });
    req.on('error', reject);
    for (const [name, value] of Object.entries(options.headers)) req.setHeader(name, value);
    for (const chunk of options.chunks ?? []) req.write(chunk);
    req.end();
  });
}

/** Pids of the DynamoDB Local processes (only those spawned by `parentPid` when given). */
function dynamoLocalPids(parentPid?: number): number[] {
  const args = [...(parentPid ? ['-P', String(parentPid)] : []), '-f', 'DynamoDBLocal.jar'];
  try {
    return execFileSync('pgrep', args, { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

/**
 * Polls `condition` (state outside this process or not announced by an event: queue counts, HTTP answers, pgrep)
 * until it holds, or gives up after `timeoutMs`. Every bound here is generous (WAIT_MS) and below the timeout of
 * the test that waits: a slow machine only makes the wait longer, a real failure still ends it.
 */
async function waitUntil(condition: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) return false;
    await sleep(100);
  }
  return true;
}

/** The bound of one wait for something asynchronous (a queue drained, a timer run, a process gone). */
const WAIT_MS = 20_000;
/** The timeout of a test with up to two such waits. */
const WAITING_TEST_MS = 3 * WAIT_MS;

describe('the sandbox over HTTP', () => {
  let sandbox: TestSandbox;

  beforeAll(async () => {
    // Schedules every second instead of their rate, so the timer test sees runs.
    sandbox = await startTestSandbox({ env: { OW_SCHEDULE_INTERVAL_SECONDS: '1' } });
  });
  afterAll(() => sandbox?.stop());

  it('serves the API and answers unknown paths with a 404 JSON detail', async () => {
    expect((await sandbox.api('GET', '/')).json).toEqual({ message: 'Server is running!' });
    const { status, json } = await sandbox.api('GET', '/api/v1/unknown');
    expect(status).toBe(404);
    expect(json).toEqual({ detail: expect.any(String) });
  });

  it('answers a wrong method on a known path with 405', async () => {
    const { status, json } = await sandbox.api('PUT', '/api/v1/auth/login');
    expect(status).toBe(405);
    expect(json).toEqual({ detail: expect.any(String) });
  });

  it('logs the admin developer in (created at start)', async () => {
    const { email, password } = sandbox.admin;
    const { status, json } = await sandbox.api('POST', '/api/v1/auth/login', {
      form: { username: email, password },
    });
    expect(status).toBe(200);
    expect(json.token_type).toBe('bearer');
  });

  it('refuses a 7 MB body with 413 JSON, declared or streamed', async () => {
    const body = new Uint8Array(7 * 1024 * 1024);
    const declared = await sandbox.api('POST', '/api/v1/users', {
      raw: body,
      headers: { 'content-type': 'application/json' },
    });
    expect(declared.status).toBe(413);
    expect(declared.json).toEqual(TOO_LARGE);

    const chunks = Array.from({ length: 7 }, () => Buffer.alloc(1024 * 1024, 'a'));
    const streamed = await rawRequest(`${sandbox.url}/api/v1/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      chunks,
    });
    expect(streamed.status).toBe(413);
    expect(JSON.parse(streamed.body)).toEqual(TOO_LARGE);
  });

  it('answers a CORS preflight with 204 and adds the allowed origin to responses', async () => {
    const preflight = await sandbox.api('OPTIONS', '/api/v1/users', {
      headers: {
        origin: 'https://app.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,x-open-wearables-api-key',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-methods')).toBeTruthy();
    expect(preflight.headers.get('access-control-allow-headers')).toContain('x-open-wearables-api-key');

    const simple = await sandbox.api('GET', '/', { headers: { origin: 'https://app.example' } });
    expect(simple.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('rejects a second sandbox on a port in use at once, before starting DynamoDB Local', async () => {
    vi.mocked(startDynamoLocal).mockClear();
    vi.mocked(startLocalSqs).mockClear();
    await expect(startSandbox({ port: sandbox.port })).rejects.toThrow(
      `Port ${sandbox.port} is already in use: stop the other process or set PORT=`,
    );
    // "At once": the port is checked first, so neither emulator was even started (then stopped again).
    expect(startDynamoLocal).not.toHaveBeenCalled();
    expect(startLocalSqs).not.toHaveBeenCalled();
    expect(dynamoLocalPids(process.pid)).toEqual([]);
  });

  describe('jobs (shared/jobs)', () => {
    const attributes = async (queueUrl: string) =>
      (
        await sandbox.sqs.client.send(
          new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['All'] }),
        )
      ).Attributes ?? {};
    /** Messages still in the queue: waiting or received and not yet deleted. */
    const pending = async (queueUrl: string) => {
      const a = await attributes(queueUrl);
      return Number(a.ApproximateNumberOfMessages) + Number(a.ApproximateNumberOfMessagesNotVisible);
    };
    const sendTo = async (queue: QueueName, body: string) => {
      const sent = await sandbox.sqs.client.send(
        new SendMessageCommand({ QueueUrl: sandbox.queues[queue].url, MessageBody: body }),
      );
      return sent.MessageId!;
    };

    it.each(
      Object.keys(QUEUES) as QueueName[],
    )('creates the %s queue of the registry with its DLQ, and hands its URL to the handlers', async (name) => {
      const { url, dlqUrl } = sandbox.queues[name];
      expect(process.env[QUEUES[name].urlVariable]).toBe(url);
      expect(url).toMatch(new RegExp(`/${QUEUES[name].name}$`));
      expect(dlqUrl).toMatch(new RegExp(`/${QUEUES[name].name}-dlq$`));
      const queue = await attributes(url);
      expect(Number(queue.VisibilityTimeout)).toBe(visibilityTimeoutSeconds(name));
      const redrive = JSON.parse(queue.RedrivePolicy!);
      expect(redrive.deadLetterTargetArn).toBe((await attributes(dlqUrl)).QueueArn);
      expect(Number(redrive.maxReceiveCount)).toBe(QUEUES[name].maxReceiveCount);
    });

    it("erases a deleted user's data and tombstone when the second pass reaches the queue (the real worker)", {
      timeout: WAITING_TEST_MS,
    }, async () => {
      const user = await createUser({ email: 'erase-me@example.com' });
      await saveDataSources(user.id, [toDataSource(user.id, sourceRef('apple', 'Watch7,1', 'Apple Watch'))]);
      await tombstoneUser(user.id);
      expect((await userItemKeys(user.id)).length).toBe(2);

      await sendTo('erasure', JSON.stringify({ user_id: user.id, final: true }));
      expect(await waitUntil(async () => (await profileState(user.id)) === 'missing', WAIT_MS)).toBe(true);
      expect(await userItemKeys(user.id)).toEqual([]);
      expect(await waitUntil(async () => (await pending(sandbox.queues.erasure.url)) === 0, WAIT_MS)).toBe(
        true,
      );
    });

    it('drops a malformed job once: no redelivery, nothing dead-lettered', {
      timeout: WAITING_TEST_MS,
    }, async () => {
      const errors = vi.spyOn(logger, 'error');
      try {
        const ids = [
          await sendTo('erasure', 'not json'),
          await sendTo('erasure', '{"user_id":"not-a-uuid"}'),
        ];
        const dropped = () =>
          errors.mock.calls
            .filter(([message]) => message === 'dropping a malformed job')
            .map(([, extra]) => (extra as { messageId: string }).messageId);
        expect(await waitUntil(() => ids.every((id) => dropped().includes(id)), WAIT_MS)).toBe(true);
        // Deleted, not left in flight for a retry after the (30 min) visibility timeout.
        expect(await waitUntil(async () => (await pending(sandbox.queues.erasure.url)) === 0, WAIT_MS)).toBe(
          true,
        );
        expect(await pending(sandbox.queues.erasure.dlqUrl)).toBe(0);
        expect(dropped().sort()).toEqual([...ids].sort());
      } finally {
        errors.mockRestore();
      }
    });

    it('runs the sleep finaliser on its timer (OW_SCHEDULE_INTERVAL_SECONDS=1)', {
      timeout: WAITING_TEST_MS,
    }, async () => {
      expect(SCHEDULES.sleepFinaliser.worker).toBe('sleep-finaliser');
      const infos = vi.spyOn(logger, 'info');
      try {
        const runs = () => infos.mock.calls.filter(([message]) => message === 'stale sleep finalised');
        // Two runs at a one-second interval: the timer repeats.
        expect(await waitUntil(() => runs().length >= 2, WAIT_MS)).toBe(true);
        expect(runs()[0]![1]).toEqual({ finalised: expect.any(Number), reemitted: expect.any(Number) });
      } finally {
        infos.mockRestore();
      }
    });
  });
});

describe('schedule timers', () => {
  it('never overlap two runs of one schedule, and stop() waits for the run in progress', {
    timeout: WAITING_TEST_MS,
  }, async () => {
    let active = 0;
    let maxActive = 0;
    let runs = 0;
    const contexts: number[] = [];
    const timer = startTimer(
      async (_event, context) => {
        active += 1;
        maxActive = Math.max(maxActive, active);
        contexts.push(context.getRemainingTimeInMillis());
        await sleep(30);
        runs += 1;
        active -= 1;
      },
      { intervalMs: 1, functionName: 'slow', timeoutMs: 300_000 },
    );
    expect(await waitUntil(() => runs >= 3, WAIT_MS)).toBe(true);
    await timer.stop();
    expect(active).toBe(0);
    expect(maxActive).toBe(1);
    const after = runs;
    await sleep(60);
    expect(runs).toBe(after);
    // The Lambda context carries the schedule's timeout.
    expect(Math.max(...contexts)).toBeLessThanOrEqual(300_000);
    expect(Math.min(...contexts)).toBeGreaterThan(299_000);
  });

  it('keeps running after a failed run', { timeout: WAITING_TEST_MS }, async () => {
    let calls = 0;
    const failures: unknown[] = [];
    const timer = startTimer(
      async () => {
        calls += 1;
        if (calls === 1) throw new Error('boom');
      },
      { intervalMs: 1, functionName: 'flaky', timeoutMs: 1_000, onError: (error) => failures.push(error) },
    );
    expect(await waitUntil(() => calls >= 2, WAIT_MS)).toBe(true);
    await timer.stop();
    expect(failures).toEqual([new Error('boom')]);
  });

  it('reads OW_SCHEDULE_INTERVAL_SECONDS as a positive number of seconds', () => {
    expect(readSandboxConfig({}).scheduleIntervalSeconds).toBeUndefined();
    expect(readSandboxConfig({ OW_SCHEDULE_INTERVAL_SECONDS: '1' }).scheduleIntervalSeconds).toBe(1);
    expect(readSandboxConfig({ OW_SCHEDULE_INTERVAL_SECONDS: '0.5' }).scheduleIntervalSeconds).toBe(0.5);
    for (const bad of ['0', '-1', 'soon']) {
      expect(() => readSandboxConfig({ OW_SCHEDULE_INTERVAL_SECONDS: bad })).toThrow(
        /OW_SCHEDULE_INTERVAL_SECONDS/,
      );
    }
  });
});

describe('the API Gateway emulation', () => {
  const gzipped = gzipSync(JSON.stringify({ hello: 'world' }));
  const routeKey = 'POST /api/v1/users/{user_id}/things';

  it('builds the payload 2.0 event API Gateway would send', () => {
    const event = buildHttpApiEvent(
      {
        method: 'POST',
        target: '/api/v1/users/u%201/things?types=a&types=b&q=hello%20world',
        rawHeaders: [
          ...['Host', 'api.example.com:8000', 'Content-Type', 'application/json', 'Content-Encoding', 'gzip'],
          ...['X-Dup', 'a', 'x-dup', 'b', 'Cookie', 'c1=1; c2=2', 'User-Agent', 'ua/1'],
        ],
        body: gzipped,
        sourceIp: '10.0.0.7',
        port: 8000,
      },
      { routeKey, pathParameters: { user_id: 'u 1' } },
      new Date('2026-03-12T19:03:58.123Z'),
    );
    expect(event).toEqual({
      version: '2.0',
      routeKey,
      rawPath: '/api/v1/users/u 1/things',
      rawQueryString: 'types=a&types=b&q=hello%20world',
      cookies: ['c1=1', 'c2=2'],
      headers: {
        host: 'api.example.com:8000',
        'content-type': 'application/json',
        'content-encoding': 'gzip',
        'x-dup': 'a,b',
        'user-agent': 'ua/1',
        'x-forwarded-for': '10.0.0.7',
        'x-forwarded-port': '8000',
        'x-forwarded-proto': 'http',
        'x-amzn-trace-id': expect.stringMatching(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/),
      },
      queryStringParameters: { types: 'a,b', q: 'hello world' },
      pathParameters: { user_id: 'u 1' },
      requestContext: {
        accountId: '123456789012',
        apiId: 'local',
        domainName: 'api.example.com',
        domainPrefix: 'api',
        http: {
          method: 'POST',
          path: '/api/v1/users/u 1/things',
          protocol: 'HTTP/1.1',
          sourceIp: '10.0.0.7',
          userAgent: 'ua/1',
        },
        requestId: expect.stringMatching(/^[A-Za-z0-9+/]{15}=$/),
        routeKey,
        stage: '$default',
        time: '12/Mar/2026:19:03:58 +0000',
        timeEpoch: Date.parse('2026-03-12T19:03:58.123Z'),
      },
      body: gzipped.toString('base64'),
      isBase64Encoded: true,
    });
    // What the handlers make of it.
    expect(queryParams(event)).toEqual({ types: ['a', 'b'], q: 'hello world' });
    expect(JSON.parse(bodyBytes(event)!.toString())).toEqual({ hello: 'world' });
  });

  it('passes JSON and text bodies as text, anything else as base64', () => {
    const eventFor = (contentType: string | undefined) =>
      buildHttpApiEvent(
        {
          method: 'POST',
          target: '/',
          rawHeaders: contentType ? ['content-type', contentType] : [],
          body: Buffer.from('a=1'),
          sourceIp: '127.0.0.1',
          port: 8000,
        },
        { routeKey: '$default' },
      );
    expect(eventFor('application/json; charset=utf-8')).toMatchObject({
      body: 'a=1',
      isBase64Encoded: false,
    });
    expect(eventFor('text/plain')).toMatchObject({ body: 'a=1', isBase64Encoded: false });
    // Measured on AWS: HTTP APIs base64-encode form bodies and bodies without a content type.
    expect(eventFor('application/x-www-form-urlencoded')).toMatchObject({
      body: 'YT0x',
      isBase64Encoded: true,
    });
    expect(eventFor(undefined)).toMatchObject({ body: 'YT0x', isBase64Encoded: true });
    expect(eventFor('application/octet-stream')).toMatchObject({ body: 'YT0x', isBase64Encoded: true });
  });

  it('gives handler tests events the area handlers accept (test/helpers/events.ts)', async () => {
    const { handler } = await import('../../functions/meta.js');
    const ok = await handler(httpEvent('GET', '/', { query: { a: ['1', '2'] } }), lambdaContext('meta'));
    expect(ok).toMatchObject({ statusCode: 200 });
    expect(JSON.parse((ok as { body: string }).body)).toEqual({ message: 'Server is running!' });

    const event = httpEvent('POST', '/api/v1/users/u-1/token', { json: { app_id: 'x' } });
    expect(event).toMatchObject({
      routeKey: 'POST /api/v1/users/{user_id}/token',
      pathParameters: { user_id: 'u-1' },
      body: '{"app_id":"x"}',
      isBase64Encoded: false,
    });
    const wrongMethod = await handler(httpEvent('PUT', '/api/v1/auth/login'), lambdaContext('meta'));
    expect(wrongMethod).toMatchObject({ statusCode: 405 });
  });

  describe('behind the HTTP server', () => {
    let server: HttpListener;
    let captured: APIGatewayProxyEventV2 | undefined;
    const capture: HttpApiHandler = async (event, context) => {
      captured = event;
      return {
        statusCode: 201,
        headers: { 'x-function': context.functionName },
        cookies: ['a=1; Path=/', 'b=2'],
        body: Buffer.from('binary').toString('base64'),
        isBase64Encoded: true,
      };
    };
    const crash: HttpApiHandler = async () => {
      throw new Error('secret internals');
    };

    beforeAll(async () => {
      const api = createHttpApi({
        routes: [
          { method: 'POST', path: '/api/v1/users/{user_id}/things', area: 'things' },
          { method: 'GET', path: '/crash', area: 'crash' },
        ],
        handlers: { things: capture, crash, fallback: async () => ({ routed: 'fallback' }) },
        fallbackArea: 'fallback',
        onError: () => {},
      });
      server = await listenHttp(0, '127.0.0.1', api);
    });
    afterAll(() => server?.close());

    it('routes with path parameters and sends what the function returned', async () => {
      const response = await rawRequest(
        `http://127.0.0.1:${server.port}/api/v1/users/u-1/things?types=a&types=b`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', 'x-dup': ['a', 'b'] },
          chunks: [gzipped],
        },
      );
      expect(response).toEqual({ status: 201, body: 'binary' });
      expect(captured).toMatchObject({
        routeKey,
        rawPath: '/api/v1/users/u-1/things',
        rawQueryString: 'types=a&types=b',
        queryStringParameters: { types: 'a,b' },
        pathParameters: { user_id: 'u-1' },
        headers: { 'x-dup': 'a,b', 'content-encoding': 'gzip' },
        requestContext: { routeKey, stage: '$default', http: { method: 'POST', sourceIp: '127.0.0.1' } },
        isBase64Encoded: true,
      });
      expect(gunzipSync(Buffer.from(captured!.body!, 'base64')).toString()).toBe('{"hello":"world"}');
    });

    it('turns response cookies into set-cookie headers', async () => {
      const response = await fetch(`http://127.0.0.1:${server.port}/api/v1/users/u-1/things`, {
        method: 'POST',
      });
      expect(response.headers.getSetCookie()).toEqual(['a=1; Path=/', 'b=2']);
      expect(response.headers.get('x-function')).toBe('things');
    });

    it('sends unmatched requests to the $default area and infers a JSON response', async () => {
      const { status, json } = await apiClient(`http://127.0.0.1:${server.port}`)('GET', '/nowhere');
      expect(status).toBe(200);
      expect(json).toEqual({ routed: 'fallback' });
    });

    it('answers a crashed handler with 500 JSON and no internals', async () => {
      const { status, text } = await apiClient(`http://127.0.0.1:${server.port}`)('GET', '/crash');
      expect(status).toBe(500);
      expect(JSON.parse(text)).toEqual({ detail: 'Internal Server Error' });
      expect(text).not.toContain('secret internals');
    });
  });
});

describe('DynamoDB Local', () => {
  // A JVM start (bounded by startDynamoLocal's own 30 s) and a table creation (its waiter's 60 s) on a busy machine.
  it('gets the table idempotently with TTL, and stop() kills Java while this process lives on', {
    timeout: 120_000,
  }, async () => {
    const dynamo = await startDynamoLocal();
    const client = localDynamoClient(dynamo.endpoint);
    try {
      expect(dynamoLocalPids(process.pid)).toEqual([dynamo.pid]);
      await ensureTable(dynamo.endpoint, 'table-one');
      await ensureTable(dynamo.endpoint, 'table-one');
      const { Table } = await client.send(new DescribeTableCommand({ TableName: 'table-one' }));
      expect(Table).toMatchObject({ TableStatus: 'ACTIVE', GlobalSecondaryIndexes: [{ IndexName: 'GSI1' }] });
      const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: 'table-one' }));
      expect(ttl.TimeToLiveDescription).toEqual({ TimeToLiveStatus: 'ENABLED', AttributeName: 'ttl' });
    } finally {
      client.destroy();
      await dynamo.stop();
    }
    expect(dynamoLocalPids()).not.toContain(dynamo.pid);
  });
});

describe('npm start (bin/local.ts in a child process)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ow-sandbox-'));
  /** Children still running: killed after each test, so a failed test leaves no sandbox (nor its Java) behind. */
  const running = new Set<ChildProcess>();
  afterEach(async () => {
    for (const child of running) {
      child.kill('SIGKILL');
      await exited(child);
    }
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  /**
   * A `node --import tsx` start transpiles the whole API and starts a JVM: seconds on an idle machine, far more on
   * a busy one. Each start waits for its banner (or the child's exit), bounded by STARTUP_MS; each stop for the
   * child's exit event, bounded by EXIT_MS; the tests' timeouts cover the sum with a margin.
   */
  const STARTUP_MS = 60_000;
  const EXIT_MS = 30_000;

  /** Resolves with the exit code once the child has exited (at once if it already has). */
  function exited(child: ChildProcess): Promise<number | null> {
    if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
    return once(child, 'exit').then(([code]) => code as number | null);
  }

  /** `promise`, or a failure naming `what` once `ms` have passed without it settling. */
  async function within<T>(promise: Promise<T>, ms: number, what: () => string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what()} (after ${ms} ms)`)), ms);
    });
    try {
      return await Promise.race([promise, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Starts bin/local.ts and resolves once it printed its banner. */
  async function startLocal(): Promise<{ child: ChildProcess; url: string; javaPid: number }> {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PORT: '0',
      OW_DATA_DIR: dataDir,
      POWERTOOLS_LOG_LEVEL: 'SILENT',
    };
    for (const name of ['JWT_SECRET', 'API_BASE_URL', 'TABLE_NAME', 'OW_IN_MEMORY']) delete env[name];
    const child = spawn(process.execPath, ['--import', 'tsx', 'bin/local.ts'], { cwd: REPO_ROOT, env });
    running.add(child);
    child.once('exit', () => running.delete(child));
    let output = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const banner = new Promise<string>((resolve, reject) => {
      child.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = /API: +(http:\/\/localhost:\d+)/.exec(output);
        if (match) resolve(match[1]!);
      });
      child.once('exit', (code) => reject(new Error(`bin/local.ts exited (${code}):\n${output}`)));
    });
    const url = await within(banner, STARTUP_MS, () => `bin/local.ts printed no banner:\n${output}`);
    expect(output).toMatch(/ready in \d+ ms/);
    const [javaPid] = dynamoLocalPids(child.pid!);
    expect(javaPid).toBeDefined();
    return { child, url, javaPid: javaPid! };
  }

  /** Sends `signal` and resolves with the exit code once the child has exited. */
  function stopLocal(child: ChildProcess, signal: NodeJS.Signals): Promise<number | null> {
    child.kill(signal);
    return within(exited(child), EXIT_MS, () => `bin/local.ts did not exit on ${signal}`);
  }

  it('stops DynamoDB Local on SIGTERM, and keeps data and tokens across restarts', {
    timeout: 2 * (STARTUP_MS + EXIT_MS) + 30_000,
  }, async () => {
    const first = await startLocal();
    const login = await apiClient(first.url)('POST', '/api/v1/auth/login', {
      form: { username: 'admin@admin.com', password: 'your-secure-password' },
    });
    expect(login.status).toBe(200);

    expect(await stopLocal(first.child, 'SIGTERM')).toBe(0);
    expect(dynamoLocalPids()).not.toContain(first.javaPid);

    const second = await startLocal();
    try {
      const me = await apiClient(second.url)('GET', '/api/v1/auth/me', {
        headers: { authorization: `Bearer ${login.json.access_token}` },
      });
      expect(me.status).toBe(200);
      expect(me.json.email).toBe('admin@admin.com');
    } finally {
      await stopLocal(second.child, 'SIGTERM');
    }
    expect(dynamoLocalPids()).not.toContain(second.javaPid);
  });

  it('leaves no DynamoDB Local behind when killed with SIGKILL', {
    timeout: STARTUP_MS + EXIT_MS + WAIT_MS + 30_000,
  }, async () => {
    const { child, javaPid } = await startLocal();
    await stopLocal(child, 'SIGKILL');
    // Java is not our child: its watchdog kills it once the pipe from the dead sandbox closes. Poll for that.
    expect(await waitUntil(() => !dynamoLocalPids().includes(javaPid), WAIT_MS)).toBe(true);
  });
});

describe('the SQS poller', () => {
  let sqs: LocalSqs;
  beforeAll(async () => {
    sqs = await startLocalSqs();
  });
  afterAll(() => sqs?.stop());

  const send = (queueUrl: string, body: string) =>
    sqs.client.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: body,
        MessageAttributes: { kind: { DataType: 'String', StringValue: 'test' } },
      }),
    );

  const receiveBodies = async (queueUrl: string) => {
    const { Messages = [] } = await sqs.client.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    return Messages.map((m) => m.Body);
  };

  it('deletes the successes of a batch, redelivers the failure and finally moves it to the DLQ', {
    timeout: WAITING_TEST_MS,
  }, async () => {
    const options = { dlqName: 'jobs-dlq', maxReceiveCount: 2, visibilityTimeout: 1 };
    const queueUrl = await sqs.ensureQueue('jobs', options);
    expect(await sqs.ensureQueue('jobs', options)).toBe(queueUrl);
    const dlqUrl = await sqs.ensureQueue('jobs-dlq');
    for (const body of ['a', 'b', 'c']) await send(queueUrl, body);

    const deliveries: SQSRecord[] = [];
    const handler: SqsHandler = async (event) => {
      deliveries.push(...event.Records);
      return {
        batchItemFailures: event.Records.filter((r) => r.body === 'b').map((r) => ({
          itemIdentifier: r.messageId,
        })),
      };
    };
    const poller = sqs.startPoller(queueUrl, handler, { batchSize: 10, idleDelayMs: 50 });
    const dlqBodies: Array<string | undefined> = [];
    // Two receives of 'b', each failing and then invisible for 1 s, then the redrive: a few seconds at best.
    const movedToDlq = async () => {
      dlqBodies.push(...(await receiveBodies(dlqUrl)));
      return dlqBodies.length > 0;
    };
    expect(await waitUntil(movedToDlq, WAIT_MS)).toBe(true);
    await poller.stop();

    expect(dlqBodies).toEqual(['b']);
    expect(deliveries.map((r) => [r.body, r.attributes.ApproximateReceiveCount])).toEqual([
      ['a', '1'],
      ['b', '1'],
      ['c', '1'],
      ['b', '2'],
    ]);
    expect(await receiveBodies(queueUrl)).toEqual([]);
    expect(deliveries[0]).toEqual({
      messageId: expect.any(String),
      receiptHandle: expect.any(String),
      body: 'a',
      attributes: expect.objectContaining({
        ApproximateReceiveCount: '1',
        SentTimestamp: expect.any(String),
      }),
      messageAttributes: {
        kind: { dataType: 'String', stringValue: 'test', stringListValues: [], binaryListValues: [] },
      },
      md5OfBody: createHash('md5').update('a').digest('hex'),
      md5OfMessageAttributes: expect.any(String),
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:jobs',
      awsRegion: 'us-east-1',
    });
  });

  it('deletes nothing when the handler throws', { timeout: WAITING_TEST_MS }, async () => {
    const queueUrl = await sqs.ensureQueue('flaky', { visibilityTimeout: 1 });
    await send(queueUrl, 'x');
    const counts: string[] = [];
    const poller = sqs.startPoller(
      queueUrl,
      async (event) => {
        counts.push(...event.Records.map((r) => r.attributes.ApproximateReceiveCount));
        if (counts.length === 1) throw new Error('transient');
      },
      { idleDelayMs: 50, onError: () => {} },
    );
    expect(await waitUntil(() => counts.length >= 2, WAIT_MS)).toBe(true);
    await poller.stop();
    expect(counts).toEqual(['1', '2']);
  });

  it('fails the whole batch on a malformed batch response, as Lambda does', () => {
    const record = (messageId: string) => ({ messageId, receiptHandle: `rh-${messageId}` }) as SQSRecord;
    const batch = [record('1'), record('2')];
    expect(handlesToDelete(batch, undefined)).toEqual(['rh-1', 'rh-2']);
    expect(handlesToDelete(batch, { batchItemFailures: [{ itemIdentifier: '2' }] })).toEqual(['rh-1']);
    expect(handlesToDelete(batch, { batchItemFailures: [{ itemIdentifier: 'unknown' }] })).toEqual([]);
    expect(handlesToDelete(batch, { batchItemFailures: [{ itemIdentifier: '' }] })).toEqual([]);
  });
});
