import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { esbuildOptions } from '#lib/bundling.js';

/**
 * `-c tracing=true` bundles Powertools Tracer (lib/bundling.ts, shared/tracing/xray.ts). Functions built so run in a
 * fresh process with the environment Lambda gives a traced function, and send their segments to an X-Ray daemon (a
 * UDP socket here) as Lambda's daemon would receive them. Whether the stack builds its functions so:
 * tracing-synth.test.ts.
 */
const ROOT = new URL('../../', import.meta.url).pathname;
const SENTINEL = 'sent-everything';

interface Segment {
  id: string;
  parent_id?: string;
  name: string;
  namespace?: string;
  fault?: boolean;
  error?: boolean;
  throttle?: boolean;
  annotations?: Record<string, unknown>;
  http?: { request?: { method?: string; url?: string }; response?: { status?: number } };
  aws?: { operation?: string; table_name?: string };
  trace_id: string;
}

const outdirs: string[] = [];

async function bundle(entry: string, tracing: boolean) {
  const outdir = mkdtempSync(join(tmpdir(), 'tracing-'));
  outdirs.push(outdir);
  const { metafile } = await build({
    ...esbuildOptions({ bundleAwsSdk: true, tracing }, join(ROOT, entry), outdir),
    absWorkingDir: ROOT,
    metafile: true,
  });
  return { file: join(outdir, 'index.mjs'), inputs: Object.keys(metafile.inputs) };
}

const daemon = createSocket('udp4');
const packets: string[] = [];
daemon.on('message', (packet) => packets.push(packet.toString()));

/** A provider API: `/slow` answers 200 after the others, `/limited` 429 at once. Keeps the trace headers it got. */
const traceHeaders: (string | string[])[] = [];
const provider = createServer((request, response) => {
  const header = request.headers['x-amzn-trace-id'];
  if (header) traceHeaders.push(header);
  if (request.url?.startsWith('/limited')) return response.writeHead(429).end();
  setTimeout(() => response.writeHead(200).end('{}'), 100);
});

let users: Awaited<ReturnType<typeof bundle>>;
let untracedUsers: Awaited<ReturnType<typeof bundle>>;
let fixture: Awaited<ReturnType<typeof bundle>>;

beforeAll(async () => {
  await new Promise<void>((resolve) => daemon.bind(0, '127.0.0.1', resolve));
  await new Promise<void>((resolve) => provider.listen(0, '127.0.0.1', resolve));
  [users, untracedUsers, fixture] = await Promise.all([
    bundle('functions/users.ts', true),
    bundle('functions/users.ts', false),
    bundle('test/fixtures/bundle/traced.ts', true),
  ]);
}, 120_000);
afterAll(() => {
  daemon.close();
  provider.close();
  for (const outdir of outdirs) rmSync(outdir, { recursive: true, force: true });
});

/**
 * Invokes the bundle's handler with each of `events` in one fresh process, as Lambda does a traced function, under
 * a trace id of its own; then the process sends a sentinel packet to the daemon after whatever the tracer sent.
 * Returns the answers and the segments of that trace.
 */
async function invoke(file: string, events: unknown[], env: Record<string, string> = {}) {
  const traceId = `1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;
  const { port } = daemon.address() as AddressInfo;
  const script = `
    const { handler } = await import(${JSON.stringify(file)});
    const answers = [];
    for (const [i, event] of ${JSON.stringify(events)}.entries()) {
      const context = { functionName: 'f', memoryLimitInMB: '1024', awsRequestId: 'req-' + i, getRemainingTimeInMillis: () => 20000 };
      answers.push(await handler(event, context).catch((error) => ({ thrown: error.name })));
    }
    process.stdout.write(JSON.stringify(answers));
    const { createSocket } = await import('node:dgram');
    const socket = createSocket('udp4');
    socket.send('${SENTINEL} ${traceId}', ${port}, '127.0.0.1', () => socket.close());`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    timeout: 60_000,
    env: {
      PATH: process.env.PATH!,
      AWS_REGION: process.env.AWS_REGION!,
      AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID!,
      AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY!,
      AWS_ENDPOINT_URL_DYNAMODB: process.env.AWS_ENDPOINT_URL_DYNAMODB!,
      TABLE_NAME: process.env.TABLE_NAME!,
      STAGE: 'test',
      POWERTOOLS_SERVICE_NAME: 'open-wearables',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      // What Lambda sets for an on-demand function with active tracing.
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      LAMBDA_TASK_ROOT: ROOT,
      _HANDLER: 'index.handler',
      AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${port}`,
      _X_AMZN_TRACE_ID: `Root=${traceId};Parent=53995c3f42cd8ad8;Sampled=1`,
      ...env,
    },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const sentinel = `${SENTINEL} ${traceId}`;
  const deadline = Date.now() + 60_000;
  while (!packets.includes(sentinel) && child.exitCode === null && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await exited;
  // A process that ended with its sentinel in flight: the datagram arrives at once on loopback, or never.
  for (let i = 0; i < 50 && !packets.includes(sentinel); i++) await new Promise((r) => setTimeout(r, 20));
  expect(packets, stderr.slice(-2000)).toContain(sentinel);
  const segments = packets
    .filter((packet) => packet.startsWith('{"format":"json"'))
    .map((packet) => JSON.parse(packet.split('\n')[1]!) as Segment)
    .filter((segment) => segment.trace_id === traceId);
  return { answers: JSON.parse(stdout) as { statusCode?: number; body?: string }[], segments };
}

const pathOf = (url = '') => new URL(url).pathname;

const listUsers = (key: string) => ({
  version: '2.0',
  routeKey: '$default',
  rawPath: '/api/v1/users',
  rawQueryString: '',
  headers: { 'x-open-wearables-api-key': key },
  requestContext: { http: { method: 'GET', path: '/api/v1/users' }, requestId: 'r' },
  isBase64Encoded: false,
});

describe('-c tracing=true', () => {
  it('records each invocation and its DynamoDB calls, never the answer; a refused key is no fault', async () => {
    expect(users.inputs.some((input) => input.includes('aws-xray-sdk-core/'))).toBe(true);
    const { answers, segments } = await invoke(users.file, [listUsers('sk-unknown'), listUsers('sk-other')]);
    expect(answers.map(({ statusCode }) => statusCode)).toEqual([401, 401]);

    const handlers = segments.filter(({ name }) => name === '## index.handler');
    expect(handlers.map(({ annotations }) => annotations)).toEqual([
      { ColdStart: true, Service: 'open-wearables' },
      { ColdStart: false, Service: 'open-wearables' },
    ]);
    expect(handlers.map(({ fault, error }) => fault ?? error ?? false)).toEqual([false, false]);
    const calls = segments.filter(({ namespace }) => namespace === 'aws');
    expect(calls.map(({ name, aws }) => [name, aws?.operation, aws?.table_name])).toContainEqual([
      'DynamoDB',
      'GetItem',
      process.env.TABLE_NAME,
    ]);
    const { detail } = JSON.parse(answers[0]!.body!) as { detail: string };
    expect(detail).toBe('Invalid or missing API key');
    expect(JSON.stringify(segments)).not.toContain(detail);
  }, 120_000);

  it('marks an invocation that answers 5xx as a fault, naming the error without its message', async () => {
    // DynamoDB unreachable: the key cannot be checked.
    const { answers, segments } = await invoke(users.file, [listUsers('sk-unknown')], {
      AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:9',
      AWS_MAX_ATTEMPTS: '1',
    });
    expect(answers[0]!.statusCode).toBe(500);
    const handler = segments.find(({ name }) => name === '## index.handler');
    expect(handler).toMatchObject({ fault: true, annotations: { Error: 'Error' } });
    expect(handler).not.toHaveProperty('cause');
    expect(JSON.stringify(handler)).not.toContain('ECONNREFUSED');
    expect(segments.find(({ name }) => name === 'DynamoDB')).toMatchObject({ namespace: 'aws', fault: true });
  }, 120_000);

  it('keeps what a thrown error says out of the trace', async () => {
    const { answers, segments } = await invoke(fixture.file, [{ fail: 'heart rate 61 bpm for user 42' }]);
    expect(answers).toEqual([{ thrown: 'Error' }]);
    const handler = segments.find(({ name }) => name === '## index.handler');
    expect(handler).toMatchObject({ fault: true, annotations: { Error: 'Error' } });
    expect(JSON.stringify(segments)).not.toContain('61 bpm');
  }, 120_000);

  it('records requests made side by side each with its own path and status, never the query', async () => {
    const { port } = provider.address() as AddressInfo;
    const base = `http://127.0.0.1:${port}`;
    // Nothing listens on port 9: no answer.
    const urls = [`${base}/slow?token=secret`, `${base}/limited?start=2026-12-01`, 'http://127.0.0.1:9/gone'];
    const { answers, segments } = await invoke(fixture.file, [{ urls }]);
    expect(answers).toEqual([[200, 'RateLimitedError', 'TransientProviderError']]);
    const requests = segments.filter(({ namespace }) => namespace === 'remote');
    expect(
      requests
        .map(({ name, http, fault, error, throttle }) => ({ name, http, fault, error, throttle }))
        .sort((a, b) => pathOf(a.http?.request?.url).localeCompare(pathOf(b.http?.request?.url))),
    ).toEqual([
      {
        name: '127.0.0.1',
        http: { request: { method: 'GET', url: 'http://127.0.0.1:9/gone' } },
        fault: true,
        error: undefined,
        throttle: undefined,
      },
      {
        name: '127.0.0.1',
        http: { request: { method: 'GET', url: `${base}/limited` }, response: { status: 429 } },
        fault: undefined,
        error: true,
        throttle: true,
      },
      {
        name: '127.0.0.1',
        http: { request: { method: 'GET', url: `${base}/slow` }, response: { status: 200 } },
        fault: undefined,
        error: undefined,
        throttle: undefined,
      },
    ]);
    // Each under the invocation, not under the request that was in flight when it started.
    const handler = segments.find(({ name }) => name === '## index.handler')!;
    expect(requests.map(({ parent_id }) => parent_id)).toEqual([handler.id, handler.id, handler.id]);
    // No trace header is added to a provider's request.
    expect(traceHeaders).toEqual([]);
    expect(JSON.stringify(segments)).not.toMatch(/secret|start=/);
  }, 120_000);
});

describe('without -c tracing=true', () => {
  it('bundles no tracer and sends nothing, in the same environment', async () => {
    expect(
      untracedUsers.inputs.filter((input) => /aws-xray-sdk|powertools\/tracer|cls-hooked/.test(input)),
    ).toEqual([]);
    const { answers, segments } = await invoke(untracedUsers.file, [listUsers('sk-unknown')]);
    expect(answers[0]!.statusCode).toBe(401);
    expect(segments).toEqual([]);
  }, 120_000);
});
