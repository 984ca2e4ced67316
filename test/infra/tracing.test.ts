import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppFunction } from '#lib/app-function.js';
import { esbuildOptions } from '#lib/bundling.js';
import { readConfig } from '#lib/config.js';
import { apiEnvSchema } from '#shared/config/env.js';

/**
 * `-c tracing=true` bundles Powertools Tracer (lib/bundling.ts, shared/tracing/xray.ts). A function built so runs in a
 * fresh process with the environment Lambda gives a traced function, and sends its segments to an X-Ray daemon
 * (a UDP socket here) as Lambda's daemon would receive them.
 */
const ROOT = new URL('../../', import.meta.url).pathname;
const TRACE_ROOT = '1-5759e988-bd862e3fe1be46a994272793';

interface Segment {
  name: string;
  namespace?: string;
  fault?: boolean;
  error?: boolean;
  annotations?: Record<string, unknown>;
  metadata?: unknown;
  http?: { request?: { url?: string } };
  aws?: { operation?: string; table_name?: string };
  trace_id: string;
}

async function bundle(entry: string, tracer: boolean) {
  const outdir = mkdtempSync(join(tmpdir(), 'tracing-'));
  const { metafile } = await build({
    ...esbuildOptions({ bundleAwsSdk: true, tracer }, join(ROOT, entry), outdir),
    absWorkingDir: ROOT,
    metafile: true,
  });
  return { file: join(outdir, 'index.mjs'), inputs: Object.keys(metafile.inputs) };
}

const daemon = createSocket('udp4');
let received: Segment[] = [];
daemon.on('message', (packet) => {
  // A header line, then the segment document.
  received.push(JSON.parse(packet.toString().split('\n')[1]!) as Segment);
});

/** A local API that answers 204 to anything, as a provider's would. */
const provider = createServer((_, res) => res.writeHead(204).end());

beforeAll(async () => {
  await new Promise<void>((resolve) => daemon.bind(0, '127.0.0.1', resolve));
  await new Promise<void>((resolve) => provider.listen(0, '127.0.0.1', resolve));
});
afterAll(() => {
  daemon.close();
  provider.close();
});

/**
 * Invokes the bundle's handler with each of `events` in one fresh process, as Lambda does a traced function, and
 * returns the answers and the segments the daemon received once `segments` have arrived (or the process ended).
 */
async function invoke(file: string, events: unknown[], env: Record<string, string>, segments: number) {
  received = [];
  const script = `
    const { handler } = await import(${JSON.stringify(file)});
    const answers = [];
    for (const [i, event] of ${JSON.stringify(events)}.entries()) {
      const context = { functionName: 'f', memoryLimitInMB: '1024', awsRequestId: 'req-' + i, getRemainingTimeInMillis: () => 20000 };
      answers.push(await handler(event, context));
    }
    process.stdout.write(JSON.stringify(answers) + '\\n');
    setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    env: {
      PATH: process.env.PATH!,
      AWS_REGION: process.env.AWS_REGION!,
      AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID!,
      AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY!,
      TABLE_NAME: process.env.TABLE_NAME!,
      STAGE: 'test',
      POWERTOOLS_SERVICE_NAME: 'open-wearables',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      // What Lambda sets for an on-demand function with active tracing.
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      LAMBDA_TASK_ROOT: ROOT,
      _HANDLER: 'index.handler',
      AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${(daemon.address() as AddressInfo).port}`,
      _X_AMZN_TRACE_ID: `Root=${TRACE_ROOT};Parent=53995c3f42cd8ad8;Sampled=1`,
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
  const deadline = Date.now() + 30_000;
  while (
    Date.now() < deadline &&
    child.exitCode === null &&
    (!stdout.includes('\n') || received.length < segments)
  ) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  child.kill();
  expect(stdout, stderr.slice(-2000)).toContain('\n');
  return { answers: JSON.parse(stdout) as { statusCode?: number; body?: string }[], segments: received };
}

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
  const dynamo = { AWS_ENDPOINT_URL_DYNAMODB: process.env.AWS_ENDPOINT_URL_DYNAMODB! };

  it('records each invocation and its DynamoDB calls, never the answer; a refused key is no fault', async () => {
    const { file, inputs } = await bundle('functions/users.ts', true);
    expect(inputs.some((input) => input.includes('aws-xray-sdk-core/'))).toBe(true);

    const { answers, segments } = await invoke(
      file,
      [listUsers('sk-unknown'), listUsers('sk-other')],
      dynamo,
      4,
    );
    expect(answers.map(({ statusCode }) => statusCode)).toEqual([401, 401]);

    const handlers = segments.filter(({ name }) => name === '## index.handler');
    expect(handlers.map(({ annotations }) => annotations)).toEqual([
      { ColdStart: true, Service: 'open-wearables' },
      { ColdStart: false, Service: 'open-wearables' },
    ]);
    expect(handlers.map(({ fault, error }) => fault ?? error ?? false)).toEqual([false, false]);
    const calls = segments.filter(({ namespace }) => namespace === 'aws');
    expect(calls.length).toBeGreaterThanOrEqual(2);
    expect(calls.map(({ name, aws }) => [name, aws?.table_name])).toContainEqual([
      'DynamoDB',
      process.env.TABLE_NAME,
    ]);
    expect(segments.every(({ trace_id }) => trace_id === TRACE_ROOT)).toBe(true);
    const { detail } = JSON.parse(answers[0]!.body!) as { detail: string };
    expect(detail).toBe('Invalid or missing API key');
    expect(JSON.stringify(segments)).not.toContain(detail);
  }, 120_000);

  it('marks an invocation that answers 5xx as a fault', async () => {
    const { file } = await bundle('functions/users.ts', true);
    // DynamoDB unreachable: the key cannot be checked.
    const { answers, segments } = await invoke(
      file,
      [listUsers('sk-unknown')],
      { AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:9', AWS_MAX_ATTEMPTS: '1' },
      2,
    );
    expect(answers[0]!.statusCode).toBe(500);
    const handler = segments.find(({ name }) => name === '## index.handler');
    expect(handler?.fault).toBe(true);
    expect(segments.find(({ name }) => name === 'DynamoDB')).toMatchObject({ namespace: 'aws', fault: true });
  }, 120_000);

  it('records an outgoing request by its host and path, never its query', async () => {
    const { file } = await bundle('test/fixtures/bundle/traced-fetch.ts', true);
    const { port } = provider.address() as AddressInfo;
    const url = `http://127.0.0.1:${port}/v2/usercollection/heartrate?start_datetime=2026-12-01&token=secret`;
    const { answers, segments } = await invoke(file, [{ url }], {}, 2);
    expect(answers).toEqual([204]);
    const request = segments.find(({ namespace }) => namespace === 'remote');
    expect(request?.name).toBe('127.0.0.1');
    expect(request?.http?.request?.url).toBe(`http://127.0.0.1/v2/usercollection/heartrate`);
    expect(JSON.stringify(segments)).not.toContain('secret');
  }, 120_000);
});

describe('without -c tracing=true', () => {
  it('bundles no tracer and sends nothing, in the same environment', async () => {
    const { file, inputs } = await bundle('functions/users.ts', false);
    expect(inputs.filter((input) => /aws-xray-sdk|powertools\/tracer|cls-hooked/.test(input))).toEqual([]);
    const { answers, segments } = await invoke(
      file,
      [listUsers('sk-unknown')],
      { AWS_ENDPOINT_URL_DYNAMODB: process.env.AWS_ENDPOINT_URL_DYNAMODB! },
      0,
    );
    expect(answers[0]!.statusCode).toBe(401);
    expect(segments).toEqual([]);
  }, 120_000);
});

describe('the stack’s functions', () => {
  /** `sdk-authorizer` synthesized with `context`, as `cdk deploy` bundles it: all its JavaScript. */
  function synthesizedCode(context: Record<string, string>): string {
    // Inside the project, as meta-bundle.test.ts does.
    const cache = join(ROOT, 'node_modules/.cache');
    mkdirSync(cache, { recursive: true });
    const outdir = mkdtempSync(join(cache, 'tracing-synth-'));
    try {
      const app = new App({ outdir, context: { stage: 'test', ...context } });
      new AppFunction(new Stack(app, 'Traced'), 'Authorizer', {
        name: 'sdk-authorizer',
        config: readConfig(app.node),
        envSchema: apiEnvSchema,
        environment: { API_BASE_URL: 'https://api.example.com' },
      });
      app.synth({ skipValidation: true });
      const asset = readdirSync(outdir).find((file) => file.startsWith('asset.'))!;
      const files = readdirSync(join(outdir, asset), { recursive: true, encoding: 'utf8' });
      return files
        .filter((file) => file.endsWith('.mjs'))
        .map((file) => readFileSync(join(outdir, asset, file), 'utf8'))
        .join('\n');
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  }

  it('carry the tracer with -c tracing=true, and only then', () => {
    const carriesTracer = (code: string) => code.includes('AWS_XRAY_DAEMON_ADDRESS');
    expect(carriesTracer(synthesizedCode({ tracing: 'true' }))).toBe(true);
    expect(carriesTracer(synthesizedCode({}))).toBe(false);
  }, 120_000);
});
