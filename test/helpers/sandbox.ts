import { request } from 'node:http';
import { inject } from 'vitest';
import { type Sandbox, type SandboxOptions, startSandbox } from '#shared/sandbox/sandbox.js';

export interface ApiRequest {
  headers?: Record<string, string>;
  /** Sent as application/json. */
  json?: unknown;
  /** Sent as application/x-www-form-urlencoded (e.g. `/auth/login`). */
  form?: Record<string, string>;
  /** Sent as is; set the content type in `headers`. */
  raw?: string | Uint8Array;
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  /** The parsed body when it is JSON, else undefined. */
  // biome-ignore lint/suspicious/noExplicitAny: tests read response fields directly and assert on them.
  json: any;
  text: string;
}

export type Api = (method: string, path: string, request?: ApiRequest) => Promise<ApiResponse>;

function encode(request: ApiRequest): { body?: string | Uint8Array; headers: Record<string, string> } {
  if (request.json !== undefined) {
    return { body: JSON.stringify(request.json), headers: { 'content-type': 'application/json' } };
  }
  if (request.form) {
    const body = new URLSearchParams(request.form).toString();
    return { body, headers: { 'content-type': 'application/x-www-form-urlencoded' } };
  }
  return { body: request.raw, headers: {} };
}

/** A tiny client of the API at `baseUrl`: `await api('POST', '/api/v1/users', { json: {...}, headers })`. */
export function apiClient(baseUrl: string): Api {
  return async (method, path, request = {}) => {
    const { body, headers } = encode(request);
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { ...headers, ...request.headers },
      body,
    });
    const text = await response.text();
    const isJson = response.headers.get('content-type')?.includes('json') && text !== '';
    return {
      status: response.status,
      headers: response.headers,
      json: isJson ? JSON.parse(text) : undefined,
      text,
    };
  };
}

export interface TestSandbox extends Sandbox {
  api: Api;
  /** The same client for the mobile ingress (storage-first SDK pushes; everything else proxied to `api`). */
  mobileApi: Api;
  /** The developer created at start (ADMIN_EMAIL / ADMIN_PASSWORD of test-env.ts). */
  admin: { email: string; password: string };
}

/**
 * The whole API in this test process, for e2e tests:
 *
 *   let sandbox: TestSandbox;
 *   beforeAll(async () => { sandbox = await startTestSandbox(); });
 *   afterAll(() => sandbox.stop());
 *   const { status, json } = await sandbox.api('POST', '/api/v1/auth/login', { form: { username, password } });
 *
 * It listens on a free port and uses the run's DynamoDB Local (global-setup.ts) with this test file's table
 * (test-env.ts) instead of starting its own Java process: that saves a JVM start per file, and the table per file
 * already isolates the data. API_BASE_URL is the sandbox's own URL. One sandbox per test file: handler modules
 * are loaded once per process, so two sandboxes in one file would share their singletons.
 */
export async function startTestSandbox(options: SandboxOptions = {}): Promise<TestSandbox> {
  const sandbox = await startSandbox({
    port: 0,
    inMemory: true,
    dynamoEndpoint: inject('dynamoEndpoint'),
    ...options,
    env: { API_BASE_URL: undefined, ...options.env },
  });
  const admin = { email: sandbox.config.adminEmail, password: sandbox.config.adminPassword };
  return { ...sandbox, api: apiClient(sandbox.url), mobileApi: apiClient(sandbox.mobileUrl), admin };
}

/**
 * POSTs `body` the way the Android SDK's OkHttp streaming body does: `Transfer-Encoding: chunked`, no
 * Content-Length. Resolves to the status and the parsed JSON answer.
 */
export function postChunked(
  url: string,
  headers: Record<string, string>,
  body: Buffer,
  chunkBytes = 64 * 1024,
): Promise<{ status: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', headers: { 'content-type': 'application/json', ...headers } },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (chunk: Buffer) => parts.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(parts).toString();
          resolve({ status: res.statusCode ?? 0, json: text ? JSON.parse(text) : undefined });
        });
      },
    );
    req.on('error', reject);
    for (let offset = 0; offset < body.length; offset += chunkBytes) {
      req.write(body.subarray(offset, offset + chunkBytes));
    }
    req.end();
  });
}
